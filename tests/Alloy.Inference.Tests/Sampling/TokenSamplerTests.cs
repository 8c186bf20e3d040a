// The sampler against hand-computed distributions: greedy ties, min-p thresholds, top-k/top-p kept sets,
// presence penalty, seeded reproducibility and a chi-square frequency test a wrong distribution fails.
using Alloy.Inference.Backends;
using Alloy.Inference.Sampling;

namespace Alloy.Inference.Tests.Sampling;

public class TokenSamplerTests
{
    private static GenerationSettings Settings(double temperature = 1, double topP = 1, int topK = 0, double minP = 0, double presence = 0) =>
        new(temperature, topP, topK, minP, presence, 100, [], 0, null);

    /// <summary>Logits whose softmax at T = 1 is exactly the given probabilities.</summary>
    private static float[] LogitsOf(params double[] probabilities) => [.. probabilities.Select(p => p == 0 ? float.NegativeInfinity : (float)Math.Log(p))];

    [Fact]
    public void Greedy_takes_the_argmax_and_the_lowest_id_among_ties()
    {
        var sampler = new TokenSampler(Settings(temperature: 0), 1);
        Assert.True(sampler.IsGreedy);
        Assert.Equal(2, sampler.Next([0.5f, 1f, 3f, 3f, -1f]));
        Assert.Equal(1, TokenSampler.ArgMax([float.NaN, 2f, 2f]));
        Assert.Equal(0, TokenSampler.ArgMax([float.NegativeInfinity, float.NaN]));
    }

    [Fact]
    public void Top_p_keeps_the_smallest_prefix_reaching_p()
    {
        var logits = LogitsOf(0.1, 0.4, 0.3, 0.2);
        // Sorted 0.4 (1), 0.3 (2), 0.2 (3), 0.1 (0). p = 0.7: mass before 2 is 0.4 < 0.7 → keep; before 3 is 0.7 → drop.
        var kept = new TokenSampler(Settings(topP: 0.65), 0).KeptDistribution(logits);
        Assert.Equal([1, 2], kept.Select(k => k.Token));
        Assert.Equal(0.4 / 0.7, kept[0].Probability, 1e-6);
        var wider = new TokenSampler(Settings(topP: 0.75), 0).KeptDistribution(logits);
        Assert.Equal([1, 2, 3], wider.Select(k => k.Token));
        var all = new TokenSampler(Settings(topP: 1), 0).KeptDistribution(logits);
        Assert.Equal(4, all.Count);
    }

    [Fact]
    public void Top_k_keeps_the_k_most_likely_and_their_ties_then_top_p_renormalises()
    {
        var logits = LogitsOf(0.25, 0.25, 0.25, 0.125, 0.125);
        // As vLLM: everything at or above the k-th largest logit survives, so a tie at the boundary keeps three.
        var kept = new TokenSampler(Settings(topK: 2), 0).KeptDistribution(logits);
        Assert.Equal([0, 1, 2], kept.Select(k => k.Token));
        var distinct = new TokenSampler(Settings(topK: 2), 0).KeptDistribution(LogitsOf(0.1, 0.4, 0.3, 0.2));
        Assert.Equal([1, 2], distinct.Select(k => k.Token));
        Assert.Equal(4.0 / 7, distinct[0].Probability, 1e-6);
        // top-k 3 leaves thirds; top-p 0.5 then keeps two (mass before the third is 2/3 ≥ 0.5).
        var both = new TokenSampler(Settings(topK: 3, topP: 0.5), 0).KeptDistribution(logits);
        Assert.Equal([0, 1], both.Select(k => k.Token));
    }

    [Fact]
    public void Min_p_drops_tokens_below_min_p_times_the_top_probability()
    {
        var logits = LogitsOf(0.5, 0.3, 0.15, 0.05);
        // threshold 0.29 · 0.5 = 0.145: 0.15 stays, 0.05 goes.
        var kept = new TokenSampler(Settings(minP: 0.29), 0).KeptDistribution(logits);
        Assert.Equal([0, 1, 2], kept.Select(k => k.Token).Order());
        Assert.Equal(0.5 / 0.95, kept.Single(k => k.Token == 0).Probability, 1e-6);
        var strict = new TokenSampler(Settings(minP: 0.61), 0).KeptDistribution(logits);
        Assert.Equal([0], strict.Select(k => k.Token));
    }

    [Fact]
    public void Temperature_sharpens_before_the_cut_offs()
    {
        // At T = 0.5, p ∝ p² : 0.36, 0.16, 0.04, 0.04... for 0.6, 0.4: 0.36/(0.52) = 0.6923.
        var kept = new TokenSampler(Settings(temperature: 0.5), 0).KeptDistribution(LogitsOf(0.6, 0.4));
        Assert.Equal(0.36 / 0.52, kept.Single(k => k.Token == 0).Probability, 1e-6);
    }

    [Fact]
    public void Presence_penalty_is_subtracted_once_per_distinct_generated_token()
    {
        var sampler = new TokenSampler(Settings(temperature: 0, presence: 1.5), 0);
        Assert.Equal(0, sampler.Next([3f, 2f, 0f]));
        // 0 is penalised once: 1.5 < 2 → 1 wins.
        Assert.Equal(1, sampler.Next([3f, 2f, 0f]));
        // both penalised once (not twice for 0): 1.5 vs 0.5 → 0.
        var logits = new float[] { 3f, 2f, 0f };
        Assert.Equal(0, sampler.Next(logits));
        Assert.Equal([1.5f, 0.5f, 0f], logits);
    }

    [Fact]
    public void The_same_seed_reproduces_the_draws_and_another_seed_differs()
    {
        var logits = LogitsOf([.. Enumerable.Repeat(1.0 / 50, 50)]);
        int[] Draws(long seed)
        {
            var sampler = new TokenSampler(Settings(), seed);
            return [.. Enumerable.Range(0, 40).Select(_ => sampler.Next((float[])logits.Clone()))];
        }
        Assert.Equal(Draws(7), Draws(7));
        Assert.NotEqual(Draws(7), Draws(8));
        // The stream itself is fixed: the first xoshiro256** outputs from splitmix64(0) never change.
        var a = new SampleRandom(0);
        var b = new SampleRandom(0);
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.InRange(new SampleRandom(-1).NextDouble(), 0, 1 - double.Epsilon);
    }

    [Fact]
    public void Draw_frequencies_follow_the_kept_distribution()
    {
        // p = 0.5, 0.3, 0.15, 0.05 with top-p 0.9 keeps three tokens renormalised to 0.5/0.95, 0.3/0.95, 0.15/0.95.
        var logits = LogitsOf(0.5, 0.3, 0.15, 0.05);
        var sampler = new TokenSampler(Settings(topP: 0.9), 12345);
        const int n = 20000;
        var counts = new int[4];
        for (var i = 0; i < n; i++)
            counts[sampler.Next((float[])logits.Clone())]++;
        Assert.Equal(0, counts[3]);
        double[] expected = [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95];
        var chi = 0.0;
        for (var t = 0; t < 3; t++)
            chi += Math.Pow(counts[t] - n * expected[t], 2) / (n * expected[t]);
        // χ² with 2 degrees of freedom: P(χ² > 18.4) = 1e-4. Sampling from the unrenormalised or untruncated
        // distribution (token 3 drawn, or 0.5/1 weights) gives χ² in the hundreds at n = 20000.
        Assert.True(chi < 18.4, $"χ² = {chi}, counts {string.Join(",", counts)}");
    }
}
