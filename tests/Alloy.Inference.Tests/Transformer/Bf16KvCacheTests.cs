// The bf16 KV cache against the f32 one on every golden fixture: logits of prefill and of decode steps stay within
// the bf16 tolerance (2e-2 relative L2) with the same top token, and a position takes half the bytes.
using Alloy.Inference.Kernels;
using Alloy.Inference.Transformer;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Transformer;

public class Bf16KvCacheTests
{
    /// <summary>The bf16 tolerance of the golden tests: ‖bf16-KV − f32-KV‖₂ ≤ 2e-2 · ‖f32-KV‖₂ per logits row.</summary>
    private const double RelativeL2 = 2e-2;

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        double difference = 0, reference = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference += Math.Pow(actual[i] - expected[i], 2);
            reference += Math.Pow(expected[i], 2);
        }
        Assert.True(Math.Sqrt(difference) <= RelativeL2 * Math.Sqrt(reference), $"{what}: relative L2 {Math.Sqrt(difference / reference):G3}");
        // The top token agrees, or the two candidates are a near tie under f32 (within the bf16 rounding of the row).
        var best = System.Numerics.Tensors.TensorPrimitives.Max(expected);
        var chosen = actual.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(actual));
        var slack = 1e-2 * (1 + Math.Abs(best));
        Assert.True(expected[chosen] >= best - slack,
            $"{what}: bf16-cache top token {chosen} has f32 logit {expected[chosen]}, the f32 top is {best} (token {expected.IndexOf(best)})");
    }

    [Theory]
    [MemberData(nameof(Golden.ModelNames), MemberType = typeof(Golden))]
    public void Logits_with_a_bf16_cache_stay_within_the_bf16_tolerance_of_the_f32_cache(string name)
    {
        var golden = Golden.Load(name);
        using var model = TransformerModel.Open(golden.Folder);
        var vocab = model.Spec.VocabSize;
        foreach (var c in golden.Cases)
        {
            var f32 = new float[c.Prompt.Length * vocab];
            var bf16 = new float[c.Prompt.Length * vocab];
            model.Forward(c.Prompt, model.CreateCache(DType.F32), f32, allPositions: true);
            model.Forward(c.Prompt, model.CreateCache(DType.BF16), bf16, allPositions: true);
            for (var row = 0; row < c.Prompt.Length; row++)
                AssertClose(f32.AsSpan(row * vocab, vocab), bf16.AsSpan(row * vocab, vocab), $"{name}, prompt of {c.Prompt.Length}, row {row}");
        }
        // Greedy decode from the f32 path's tokens, both batched and single: 40 steps over the bf16 cache.
        var single32 = model.CreateCache(DType.F32);
        var single16 = model.CreateCache(DType.BF16);
        var logits32 = model.Forward(golden.GreedyPrompt, single32);
        var logits16 = model.Forward(golden.GreedyPrompt, single16);
        var batch16 = new List<KvCache> { single16.Fork(), single16.Fork() };
        var batchLogits = new float[2 * vocab];
        for (var step = 0; step < golden.GreedyTokens.Length; step++)
        {
            AssertClose(logits32, logits16, $"{name}, decode step {step}");
            var next = Array.IndexOf(logits32, logits32.Max());
            logits32 = model.Forward([next], single32);
            logits16 = model.Forward([next], single16);
            model.DecodeBatch([next, next], batch16, batchLogits);
            // Batched and single keys differ by the summation order of their products (~1e-7); stored as bf16, such a
            // difference can land on the other side of a rounding boundary (2^-8 relative in that element), so the two
            // bf16 caches agree to the bf16 tolerance, not to 1e-5 (DecodeBatchTests holds the f32 cache to that).
            for (var b = 0; b < 2; b++)
                AssertClose(logits16, batchLogits.AsSpan(b * vocab, vocab), $"{name}, step {step}: batched row {b} against single (both bf16 cache)");
        }
    }

    [Fact]
    public void A_bf16_cache_really_rounds_what_it_stores()
    {
        var golden = Golden.Load("qwen3-untied-bf16");
        using var model = TransformerModel.Open(golden.Folder);
        var c = golden.Cases[^1];
        var f32 = model.Forward(c.Prompt, model.CreateCache(DType.F32));
        var bf16 = model.Forward(c.Prompt, model.CreateCache(DType.BF16));
        // The rounding must show (the option really stores bf16), yet stay far below the tolerance.
        Assert.NotEqual(f32, bf16);
    }

    [Fact]
    public void A_position_takes_half_the_bytes()
    {
        var f32 = new KvCache(3, 40, DType.F32);
        var bf16 = new KvCache(3, 40, DType.BF16);
        Assert.Equal(2L * 3 * 40 * 4, f32.BytesPerPosition);
        Assert.Equal(f32.BytesPerPosition / 2, bf16.BytesPerPosition);
        var golden = Golden.Load("llama3-tied-bf16");
        using var model = TransformerModel.Open(golden.Folder);
        var a = model.CreateCache(DType.F32);
        var b = model.CreateCache(DType.BF16);
        model.Forward(golden.Cases[^1].Prompt, a);
        model.Forward(golden.Cases[^1].Prompt, b);
        Assert.True(a.ByteLength > 0);
        Assert.Equal(a.ByteLength, 2 * b.ByteLength);
        Assert.Equal(DType.BF16, b.Fork().DType);
    }

    [Fact]
    public void Other_cache_types_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new KvCache(2, 8, DType.F16));
    }

    [Fact]
    public void Bf16_attention_kernels_equal_the_f32_kernels_on_the_widened_values()
    {
        const int positions = 5, kvHeads = 3, headDim = 37;
        var random = new Random(4);
        var stored = new ushort[positions * kvHeads * headDim];
        var widened = new float[stored.Length];
        for (var i = 0; i < stored.Length; i++)
        {
            widened[i] = (float)(random.NextDouble() * 2 - 1);
            stored[i] = (ushort)(BitConverter.SingleToUInt32Bits(widened[i]) >> 16);
            widened[i] = BitConverter.UInt32BitsToSingle((uint)stored[i] << 16);
        }
        var query = Enumerable.Range(0, headDim).Select(_ => (float)random.NextDouble()).ToArray();
        foreach (var head in new[] { 0, 2 })
        {
            var expected = new float[positions];
            var actual = new float[positions];
            Attention.Scores(query, widened, head, kvHeads, 0.3f, expected);
            Attention.Scores(query, stored.AsSpan(), head, kvHeads, 0.3f, actual);
            for (var j = 0; j < positions; j++)
                Assert.Equal(expected[j], actual[j], 1e-5f);
            var outExpected = new float[headDim];
            var outActual = new float[headDim];
            Attention.AccumulateValues(expected, widened, head, kvHeads, outExpected);
            Attention.AccumulateValues(expected, stored.AsSpan(), head, kvHeads, outActual);
            for (var i = 0; i < headDim; i++)
                Assert.Equal(outExpected[i], outActual[i], 1e-5f);
        }
    }
}
