// Incremental decoding against one-shot forward passes: prefill + decode, chunked prefill, and forked
// caches (k samples sharing a prompt) must all give the logits of a fresh full pass.
using Alloy.Inference.Transformer;

namespace Alloy.Inference.Tests.Transformer;

public class PrefillDecodeTests
{
    /// <summary>Decode and prefill sum in different orders (256- vs 512-bit lanes): allow 1e-5 · (1 + |logit|).</summary>
    private const double Tolerance = 1e-5;

    private static int[] Tokens(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(160))];
    }

    private static float[] OneShot(TransformerModel model, int[] tokens)
    {
        var logits = new float[tokens.Length * model.Spec.VocabSize];
        model.Forward(tokens, model.CreateCache(), logits, allPositions: true);
        return logits;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * (1 + Math.Abs(expected[i])), $"{what}: logit {i} is {actual[i]}, one-shot {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(Golden.ModelNames), MemberType = typeof(Golden))]
    public void Prefill_then_decode_equals_one_shot_forward(string name)
    {
        using var model = TransformerModel.Open(Golden.Load(name).Folder);
        var vocab = model.Spec.VocabSize;
        var tokens = Tokens(150, name.Length);   // crosses two KV pages and every sliding window
        var expected = OneShot(model, tokens);
        var cache = model.CreateCache();
        var prefill = 70;
        var logits = model.Forward(tokens.AsSpan(0, prefill), cache);
        AssertClose(expected.AsSpan((prefill - 1) * vocab, vocab), logits, "after prefill");
        for (var p = prefill; p < tokens.Length; p++)
        {
            logits = model.Forward(tokens.AsSpan(p, 1), cache);
            AssertClose(expected.AsSpan(p * vocab, vocab), logits, $"decode at {p}");
        }
        Assert.Equal(tokens.Length, cache.Length);
    }

    [Fact]
    public void Chunked_prefill_equals_one_shot_forward()
    {
        using var model = TransformerModel.Open(Golden.Load("qwen3-untied-bf16").Folder);
        var vocab = model.Spec.VocabSize;
        var tokens = Tokens(100, 3);
        var expected = OneShot(model, tokens);
        var cache = model.CreateCache();
        var chunk = new float[37 * vocab];
        model.Forward(tokens.AsSpan(0, 63), cache, new float[63 * vocab], allPositions: true);
        model.Forward(tokens.AsSpan(63, 37), cache, chunk, allPositions: true);
        AssertClose(expected.AsSpan(63 * vocab), chunk, "second chunk");
    }

    [Theory]
    [InlineData(70)]    // fork inside a page: the partial page is copied
    [InlineData(128)]   // fork on a page boundary: every page is shared
    public void Forked_caches_continue_independently_and_match_fresh_passes(int promptLength)
    {
        using var model = TransformerModel.Open(Golden.Load("qwen3-tied-f32").Folder);
        var vocab = model.Spec.VocabSize;
        var prompt = Tokens(promptLength, 11);
        var cache = model.CreateCache();
        model.Forward(prompt, cache);
        var forks = new[] { cache.Fork(), cache.Fork() };
        var continuations = new[] { Tokens(9, 1), Tokens(9, 2) };
        // Interleave the samples so that a shared page written by one would show in the other.
        var last = new float[2][];
        for (var step = 0; step < 9; step++)
            for (var s = 0; s < 2; s++)
                last[s] = model.Forward(continuations[s].AsSpan(step, 1), forks[s]);
        for (var s = 0; s < 2; s++)
        {
            var full = OneShot(model, [.. prompt, .. continuations[s]]);
            AssertClose(full.AsSpan((promptLength + 8) * vocab, vocab), last[s], $"sample {s}");
        }
        // The parent is untouched and can still continue.
        var parentNext = model.Forward(continuations[1].AsSpan(0, 1), cache);
        AssertClose(OneShot(model, [.. prompt, continuations[1][0]]).AsSpan(promptLength * vocab, vocab), parentNext, "parent");
    }

    [Fact]
    public void Token_ids_outside_the_vocabulary_are_refused()
    {
        using var model = TransformerModel.Open(Golden.Load("qwen3-tied-f32").Folder);
        var error = Assert.Throws<ArgumentException>(() => model.Forward([5, 160], model.CreateCache()));
        Assert.Contains("160", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.Forward([], model.CreateCache()));
    }
}
