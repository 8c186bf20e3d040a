// The KV cache's page layout: [kv heads, PageSize, head dim], so a head's rows are contiguous; forks keep it.
using Alloy.Inference.Transformer;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Transformer;

public class KvCacheLayoutTests
{
    [Fact]
    public void Each_head_row_lands_at_its_head_major_offset()
    {
        const int layers = 2, kvHeads = 3, headDim = 5;
        var cache = new KvCache(layers, kvHeads, headDim, DType.F32);
        const int positions = KvCache.PageSize + 7;
        cache.Reserve(positions);
        float Key(int l, int p, int i) => l * 10_000 + p * 100 + i;
        for (var p = 0; p < positions; p++)
            for (var l = 0; l < layers; l++)
            {
                var key = Enumerable.Range(0, kvHeads * headDim).Select(i => Key(l, p, i)).ToArray();
                cache.Write(l, p, key, key.Select(x => -x).ToArray());
            }
        cache.Advance(positions);
        var fork = cache.Fork();
        foreach (var c in new[] { cache, fork })
            for (var l = 0; l < layers; l++)
                for (var p = 0; p < positions; p++)
                {
                    var (keys, values) = c.Page(l, p / KvCache.PageSize);
                    for (var head = 0; head < kvHeads; head++)
                    {
                        var offset = c.RowOffset(head, p % KvCache.PageSize);
                        Assert.Equal(((head * KvCache.PageSize) + p % KvCache.PageSize) * headDim * 4, offset);
                        for (var i = 0; i < headDim; i++)
                        {
                            Assert.Equal(Key(l, p, head * headDim + i), BitConverter.ToSingle(keys, offset + 4 * i));
                            Assert.Equal(-Key(l, p, head * headDim + i), BitConverter.ToSingle(values, offset + 4 * i));
                        }
                    }
                }
        Assert.Equal(kvHeads, fork.KvHeads);
        Assert.Equal(headDim, fork.HeadDim);
    }

    [Fact]
    public void A_model_refuses_a_cache_of_another_layout()
    {
        var golden = Golden.Load("qwen3-tied-f32");
        using var model = TransformerModel.Open(golden.Folder);
        var flat = new KvCache(model.Spec.LayerCount, model.Spec.KvWidth); // the same width, stored as one head
        var error = Assert.Throws<ArgumentException>(() => model.Forward([1], flat));
        Assert.Contains("another shape", error.Message, StringComparison.Ordinal);
    }
}
