// The histogram top-k selection against a plain sort: the streaming estimator (any chunking, bounds and exact pass)
// and the per-tensor cut with its tie rule (larger magnitude first, then lower index).
using Alloy.Merging.Methods;
using CsCheck;

namespace Alloy.Merging.Tests.Methods;

public sealed class MagnitudeSelectionTests
{
    [Theory]
    [InlineData(1, 10_000)]
    [InlineData(2, 1)]
    [InlineData(3, 77_777)]
    public void Streaming_estimator_matches_an_exact_sort(int seed, int count)
    {
        var rng = new Random(seed);
        float[] values = Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() - 0.5) * (float)Math.Pow(10, rng.Next(-6, 3))).ToArray();
        float[] sortedMagnitudes = values.Select(Math.Abs).OrderByDescending(v => v).ToArray();
        var estimator = new MagnitudeThresholdEstimator();
        foreach (float[] chunk in Chunks(values, rng)) estimator.Add(chunk);
        Assert.Equal(count, estimator.Count);
        foreach (long k in new long[] { 1, 2, count / 3 + 1, count / 2 + 1, count }.Where(k => k <= count))
        {
            float exact = sortedMagnitudes[k - 1];
            (float lower, float upper) = estimator.Bounds(k);
            Assert.InRange(exact, lower, upper);
            if (lower > 0) Assert.True(upper / lower <= 1 + 1.0 / 128, $"bounds [{lower}, {upper}] wider than one bf16 step");
            estimator.BeginRefinement(k);
            foreach (float[] chunk in Chunks(values, rng)) estimator.Refine(chunk);
            Assert.Equal(exact, estimator.KthLargest());
        }
    }

    private static IEnumerable<float[]> Chunks(float[] values, Random rng)
    {
        for (int start = 0; start < values.Length;)
        {
            int length = Math.Min(rng.Next(1, 5000), values.Length - start);
            yield return values[start..(start + length)];
            start += length;
        }
    }

    [Fact]
    public void Estimator_works_on_differences_and_rejects_a_short_second_pass()
    {
        float[] a = [1, 2, 3, 4], b = [0.5f, 2.5f, 0, 4];
        var estimator = new MagnitudeThresholdEstimator();
        estimator.AddDifferences(a, b);
        estimator.BeginRefinement(2);
        estimator.RefineDifferences(a[..2], b[..2]);
        Assert.Throws<InvalidOperationException>(() => estimator.KthLargest());
        estimator.RefineDifferences(a[2..], b[2..]);
        Assert.Equal(0.5f, estimator.KthLargest());
        Assert.Equal(RankCut.AtLeast(0.5f), estimator.Cut());
    }

    [Fact]
    public void Per_tensor_top_k_matches_a_stable_sort_even_with_many_ties()
    {
        // Values from a small set so ties at the threshold are common; NaN ranks above every number.
        var gen = from n in Gen.Int[1, 300]
                  from values in Gen.OneOfConst(0f, -0f, 0.5f, -0.5f, 1f, -1f, 2f, float.NaN, 1e-30f).Array[n]
                  from k in Gen.Int[0, n]
                  select (values, k);
        gen.Sample(p =>
        {
            var (values, k) = p;
            long[] counts = new long[MagnitudeSelection.BinCount];
            RankCut cut = MagnitudeSelection.TopK(new DifferenceSource(values, default), k, counts);
            var expected = Enumerable.Range(0, values.Length)
                .OrderByDescending(e => MagnitudeSelection.KeyOf(values[e])).ThenBy(e => e).Take(k).ToHashSet();
            for (int e = 0; e < values.Length; e++) Assert.Equal(expected.Contains(e), cut.Contains(values[e], e));
        });
    }

    [Fact]
    public void Count_for_fraction_keeps_at_least_one_for_a_positive_fraction()
    {
        Assert.Equal(0, MagnitudeSelection.CountForFraction(0, 10));
        Assert.Equal(1, MagnitudeSelection.CountForFraction(0.01, 10));
        Assert.Equal(3, MagnitudeSelection.CountForFraction(0.35, 10));
        Assert.Equal(10, MagnitudeSelection.CountForFraction(1, 10));
        Assert.Equal(0, MagnitudeSelection.CountForFraction(0.5, 0));
    }

    [Fact]
    public void Breadcrumbs_counts_shrink_the_top_removal_when_density_needs_it()
    {
        Assert.Equal((11L, 0L), TaskArithmeticFamily.BreadcrumbsCounts(0.9, 0.01, 13));
        Assert.Equal((70L, 10L), TaskArithmeticFamily.BreadcrumbsCounts(0.6, 0.1, 100));
        // density 0.95 + gamma 0.1 > 1: keep 95, so only 5 can come off the top.
        Assert.Equal((100L, 5L), TaskArithmeticFamily.BreadcrumbsCounts(0.95, 0.1, 100));
    }
}
