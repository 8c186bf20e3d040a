// Batched decode against per-sequence decode: forked samples of one prompt and sequences of other prompts
// stepped together in one DecodeBatch must give each sequence the logits its own Forward gives.
using Alloy.Inference.Transformer;

namespace Alloy.Inference.Tests.Transformer;

public class DecodeBatchTests
{
    /// <summary>The batch runs the blocked product (widest lanes), single decode the 256-bit one: allow 1e-5 · (1 + |logit|).</summary>
    private const double Tolerance = 1e-5;

    private static int[] Tokens(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(160))];
    }

    [Theory]
    [MemberData(nameof(Golden.ModelNames), MemberType = typeof(Golden))]
    public void Batched_logits_equal_each_sequences_own_forward(string name)
    {
        using var model = TransformerModel.Open(Golden.Load(name).Folder);
        var vocab = model.Spec.VocabSize;
        // Three samples forked from a 70-token prompt (shares a full page) and two other prompts of other lengths.
        var prompt = model.CreateCache();
        model.Forward(Tokens(70, 1), prompt);
        var batch = new List<KvCache> { prompt.Fork(), prompt.Fork(), prompt.Fork() };
        var single = new List<KvCache> { prompt.Fork(), prompt.Fork(), prompt.Fork() };
        foreach (var length in new[] { 5, 130 })
        {
            var tokens = Tokens(length, length);
            var a = model.CreateCache();
            var b = model.CreateCache();
            model.Forward(tokens, a);
            model.Forward(tokens, b);
            batch.Add(a);
            single.Add(b);
        }
        var random = new Random(3);
        var logits = new float[batch.Count * vocab];
        for (var step = 0; step < 12; step++)
        {
            int[] next = [.. batch.Select(_ => random.Next(vocab))];
            model.DecodeBatch(next, batch, logits);
            for (var s = 0; s < batch.Count; s++)
            {
                var expected = model.Forward(next.AsSpan(s, 1), single[s]);
                for (var i = 0; i < vocab; i++)
                {
                    var actual = logits[s * vocab + i];
                    Assert.True(Math.Abs(expected[i] - actual) <= Tolerance * (1 + Math.Abs(expected[i])),
                        $"step {step}, sequence {s}, logit {i}: batched {actual}, own forward {expected[i]}");
                }
                Assert.Equal(single[s].Length, batch[s].Length);
            }
        }
        Assert.Equal(70, prompt.Length);
    }

    [Fact]
    public void The_same_cache_twice_in_a_batch_is_refused()
    {
        using var model = TransformerModel.Open(Golden.Load("qwen3-tied-f32").Folder);
        var cache = model.CreateCache();
        var error = Assert.Throws<ArgumentException>(() => model.DecodeBatch([1, 2], [cache, cache], new float[2 * model.Spec.VocabSize]));
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.DecodeBatch([1, 2], [cache], new float[2 * model.Spec.VocabSize]));
    }
}
