// DARE and DELLA statistics and determinism: kept fraction and rescaled norms within stated bounds, same seed → same
// output, different seed/tensor/model → different masks, and draws independent of chunking.
using Alloy.Merging.Methods;

namespace Alloy.Merging.Tests.Methods;

public sealed class RandomSparsificationTests
{
    private const int Count = 200_000;

    /// <summary>Deltas of varied magnitude, never zero, so a kept entry is visible in the output.</summary>
    private static float[] Deltas(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, Count).Select(_ => (float)((rng.NextDouble() + 0.05) * (rng.Next(2) == 0 ? -1 : 1))).ToArray();
    }

    private static float[] Dare(float[] delta, double density, string mode, ulong seed, string name = "layer.weight", bool rescale = true)
    {
        MethodSettings settings = Run.Bind(DareLinear.Method, 1, [("rescale", rescale), ("rescale_mode", mode)], [("weight", 1.0), ("density", density)]);
        return Run.Merge(DareLinear.Method, settings, name, [Count], [delta], new float[Count], seed);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Dare_keeps_a_density_fraction_within_five_standard_deviations(double density)
    {
        float[] kept = Dare(Deltas(1), density, "l1", seed: 42, rescale: false);
        double fraction = kept.Count(v => v != 0) / (double)Count;
        // Bernoulli(density) over Count entries: σ = √(p(1−p)/n); 5σ is exceeded with probability < 1e-6.
        double sigma = Math.Sqrt(density * (1 - density) / Count);
        Assert.InRange(fraction, density - 5 * sigma, density + 5 * sigma);
    }

    [Fact]
    public void Dare_l1_rescale_restores_the_l1_norm_exactly()
    {
        float[] delta = Deltas(2);
        float[] merged = Dare(delta, 0.3, "l1", seed: 9);
        double before = delta.Sum(v => Math.Abs((double)v)), after = merged.Sum(v => Math.Abs((double)v));
        Assert.Equal(1.0, after / before, 5);
    }

    [Fact]
    public void Dare_inverse_rescale_divides_kept_entries_by_density_and_keeps_the_norm_in_expectation()
    {
        float[] delta = Deltas(3);
        const double p = 0.4;
        float[] merged = Dare(delta, p, "inverse", seed: 9);
        for (int e = 0; e < Count; e++)
            Assert.True(merged[e] == 0 || Math.Abs(merged[e] - delta[e] / (float)p) <= 1e-6 * Math.Abs(merged[e]), $"entry {e}");
        // E[Σ|δ|m/p] = Σ|δ|, Var = Σδ²(1−p)/p: the ratio stays within 5σ/Σ|δ| of 1.
        double before = delta.Sum(v => Math.Abs((double)v)), after = merged.Sum(v => Math.Abs((double)v));
        double sigma = Math.Sqrt(delta.Sum(v => (double)v * v) * (1 - p) / p) / before;
        Assert.InRange(after / before, 1 - 5 * sigma, 1 + 5 * sigma);
    }

    [Fact]
    public void Same_seed_gives_identical_output_and_other_seeds_tensors_or_models_differ()
    {
        float[] delta = Deltas(4);
        float[] a = Dare(delta, 0.5, "l1", seed: 1);
        Assert.Equal(a, Dare(delta, 0.5, "l1", seed: 1));
        Assert.NotEqual(a, Dare(delta, 0.5, "l1", seed: 2));
        Assert.NotEqual(a, Dare(delta, 0.5, "l1", seed: 1, name: "other.weight"));
        var model0 = new CounterRandom(1, "t", 0);
        var model1 = new CounterRandom(1, "t", 1);
        Assert.True(Enumerable.Range(0, 64).Count(e => model0.Uniform(e) != model1.Uniform(e)) > 60);
    }

    [Fact]
    public void Draws_depend_only_on_the_element_index_not_on_chunking_or_order()
    {
        var random = new CounterRandom(123, "model.layers.0.mlp.up_proj.weight", 2);
        float[] forward = Enumerable.Range(0, 5000).Select(e => random.Uniform(e)).ToArray();
        float[] backward = Enumerable.Range(0, 5000).Reverse().Select(e => new CounterRandom(123, "model.layers.0.mlp.up_proj.weight", 2).Uniform(e)).Reverse().ToArray();
        Assert.Equal(forward, backward);
        // Uniform on [0, 1): mean 1/2 ± 5·√(1/12/n).
        Assert.All(forward, u => Assert.InRange(u, 0f, 0.99999995f));
        Assert.InRange(forward.Average(u => (double)u), 0.5 - 5 * Math.Sqrt(1.0 / 12 / 5000), 0.5 + 5 * Math.Sqrt(1.0 / 12 / 5000));
    }

    [Fact]
    public void Della_keeps_density_on_average_and_favours_large_magnitudes()
    {
        const int rows = 400, columns = 500;
        float[] delta = Deltas(5);
        MethodSettings settings = Run.Bind(DellaLinear.Method, 1, [("rescale", false)], [("weight", 1.0), ("density", 0.5), ("epsilon", 0.3)]);
        float[] kept = Run.Merge(DellaLinear.Method, settings, "d", [rows, columns], [delta], new float[Count], 77);
        // Keep probabilities are linear in rank from 0.2 to 0.8 in each row: mean 0.5; the sum of independent Bernoullis has σ ≤ √(n/4).
        double fraction = kept.Count(v => v != 0) / (double)Count;
        Assert.InRange(fraction, 0.5 - 5 * Math.Sqrt(0.25 / Count), 0.5 + 5 * Math.Sqrt(0.25 / Count));
        // The larger half of each row (mean p = 0.65) is kept more often than the smaller half (mean p = 0.35).
        long largeKept = 0, smallKept = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = Enumerable.Range(r * columns, columns).OrderBy(e => Math.Abs(delta[e])).ToArray();
            smallKept += row.Take(columns / 2).Count(e => kept[e] != 0);
            largeKept += row.Skip(columns / 2).Count(e => kept[e] != 0);
        }
        Assert.InRange(largeKept / (Count / 2.0), 0.65 - 0.01, 0.65 + 0.01);
        Assert.InRange(smallKept / (Count / 2.0), 0.35 - 0.01, 0.35 + 0.01);
    }
}
