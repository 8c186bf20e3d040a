// Released KV caches hand their pages back for reuse without disturbing caches that still share them: a fork keeps
// decoding exactly after its parent is released, a cache built on reused (stale) pages gives the logits of a fresh
// one, and a released cache cannot be used again.
using Alloy.Inference.Transformer;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Transformer;

public class KvPagePoolTests
{
    [Fact]
    public void The_pool_hands_back_an_array_of_the_length_asked_for()
    {
        const int length = 12_345; // no cache shape in the tests has pages of this size
        var array = new byte[length];
        KvPagePool.Return(array);
        Assert.Same(array, KvPagePool.Rent(length));
        Assert.Equal(length, KvPagePool.Rent(length).Length);
    }

    [Theory]
    [InlineData("F32")]
    [InlineData("BF16")]
    public void Releasing_a_parent_or_a_sibling_leaves_a_fork_exact(string kvType)
    {
        var dtype = kvType == "BF16" ? DType.BF16 : DType.F32;
        var golden = Golden.Load("qwen3-tied-f32");
        using var model = TransformerModel.Open(golden.Folder);
        var prompt = Enumerable.Range(0, KvCache.PageSize + 9).Select(i => (i * 7 + 3) % model.Spec.VocabSize).ToArray();
        int[] continuation = [5, 9, 2, 11, 40, 7];

        // Reference: one cache, never released.
        var reference = model.CreateCache(dtype);
        model.Forward(prompt, reference);
        var expected = continuation.Select(t => model.Forward([t], reference)).ToArray();

        for (var round = 0; round < 3; round++)
        {
            var parent = model.CreateCache(dtype);
            model.Forward(prompt, parent);
            var sibling = parent.Fork();
            var fork = parent.Fork();
            parent.Release();      // the full first page is still held by both forks
            model.Forward([1, 2, 3], sibling);
            sibling.Release();     // its own pages go back to the pool and are handed to later caches
            var filler = model.CreateCache(dtype);
            model.Forward(prompt, filler); // reuses released arrays and writes other values into them
            for (var i = 0; i < continuation.Length; i++)
                Assert.Equal(expected[i], model.Forward([continuation[i]], fork));
            filler.Release();
            fork.Release();
        }
    }

    [Fact]
    public void A_released_cache_cannot_be_used()
    {
        var golden = Golden.Load("qwen3-tied-f32");
        using var model = TransformerModel.Open(golden.Folder);
        var cache = model.CreateCache();
        model.Forward([1, 2], cache);
        cache.Release();
        cache.Release(); // twice is allowed
        Assert.True(cache.IsReleased);
        Assert.Contains("released", Assert.Throws<ArgumentException>(() => model.Forward([3], cache)).Message, StringComparison.Ordinal);
        Assert.Contains("released", Assert.Throws<ArgumentException>(() => model.DecodeBatch([3], [cache], new float[model.Spec.VocabSize])).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(cache.Fork);
    }
}
