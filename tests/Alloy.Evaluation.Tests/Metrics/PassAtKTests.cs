// Unbiased pass@k against brute-force enumeration of every k-subset of n samples.
using Alloy.Evaluation.Metrics;

namespace Alloy.Evaluation.Tests.Metrics;

public class PassAtKTests
{
    /// <summary>Share of the C(n, k) subsets of {0..n−1} that contain one of the first c (correct) items.</summary>
    private static double BruteForce(int n, int c, int k)
    {
        long hit = 0, total = 0;
        for (int mask = 0; mask < 1 << n; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
            total++;
            if ((mask & ((1 << c) - 1)) != 0) hit++;
        }
        return (double)hit / total;
    }

    [Fact]
    public void Matches_enumeration_of_all_subsets_for_every_n_c_k_up_to_12()
    {
        for (int n = 1; n <= 12; n++)
            for (int c = 0; c <= n; c++)
                for (int k = 1; k <= n; k++)
                    Assert.True(Math.Abs(BruteForce(n, c, k) - PassAtK.ForProblem(n, c, k)) < 1e-12, $"n={n} c={c} k={k}");
    }

    [Fact]
    public void Pass_at_one_is_the_correct_share_and_pass_at_n_is_any_correct()
    {
        Assert.Equal(3.0 / 64, PassAtK.ForProblem(64, 3, 1), 1e-15);
        Assert.Equal(1.0, PassAtK.ForProblem(64, 1, 64));
        Assert.Equal(0.0, PassAtK.ForProblem(64, 0, 64));
    }

    [Fact]
    public void Benchmark_score_is_the_mean_over_problems_for_every_k()
    {
        int[] counts = [0, 2, 4];
        var all = PassAtK.ForAllK(counts, 4);
        Assert.Equal(4, all.Length);
        for (int k = 1; k <= 4; k++)
        {
            double expected = (BruteForce(4, 0, k) + BruteForce(4, 2, k) + BruteForce(4, 4, k)) / 3;
            Assert.Equal(expected, all[k - 1], 1e-12);
        }
        Assert.Equal((0 + 0.5 + 1) / 3.0, all[0], 1e-12);
    }

    [Fact]
    public void Large_n_stays_finite_and_ordered()
    {
        double previous = 0;
        for (int k = 1; k <= 1000; k++)
        {
            double p = PassAtK.ForProblem(1000, 7, k);
            Assert.True(p >= previous && p <= 1, $"k={k}: {p}");
            previous = p;
        }
    }

    [Fact]
    public void Out_of_range_counts_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.ForProblem(4, 5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.ForProblem(4, 1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.ForProblem(4, 1, 0));
    }
}
