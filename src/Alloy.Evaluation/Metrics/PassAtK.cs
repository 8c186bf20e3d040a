// Unbiased pass@k (Chen et al. 2021): the chance that k samples drawn without replacement from n include a
// correct one. Pure arithmetic over per-problem counts.
namespace Alloy.Evaluation.Metrics;

/// <summary>
/// pass@k = 1 − C(n−c, k)/C(n, k) for a problem with n samples of which c are correct, computed in the stable
/// product form 1 − Π_{i=n−c+1..n} (1 − k/i); it is exactly 1 when n − c &lt; k. The benchmark score is the mean
/// over problems. pass@1 = c/n; pass@n = [c &gt; 0].
/// </summary>
public static class PassAtK
{
    /// <summary>pass@k for one problem. Requires 0 ≤ c ≤ n and 1 ≤ k ≤ n.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The counts are outside those ranges.</exception>
    public static double ForProblem(int samples, int correct, int k)
    {
        Validate(samples, k);
        if (correct < 0 || correct > samples) throw new ArgumentOutOfRangeException(nameof(correct), $"Correct count must lie in [0, {samples}]; got {correct}.");
        if (samples - correct < k) return 1.0;
        double product = 1.0;
        for (int i = samples - correct + 1; i <= samples; i++) product *= 1.0 - (double)k / i;
        return 1.0 - product;
    }

    /// <summary>Mean pass@k over problems, each with <paramref name="samples"/> samples and the given correct counts.</summary>
    public static double Mean(ReadOnlySpan<int> correctCounts, int samples, int k)
    {
        if (correctCounts.IsEmpty) return double.NaN;
        double sum = 0;
        foreach (int c in correctCounts) sum += ForProblem(samples, c, k);
        return sum / correctCounts.Length;
    }

    /// <summary>Mean pass@k for every k = 1..n; element k−1 holds pass@k.</summary>
    public static double[] ForAllK(ReadOnlySpan<int> correctCounts, int samples)
    {
        Validate(samples, 1);
        var result = new double[samples];
        for (int k = 1; k <= samples; k++) result[k - 1] = Mean(correctCounts, samples, k);
        return result;
    }

    private static void Validate(int samples, int k)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"Pass@k needs at least one sample per problem; got {samples}.");
        if (k < 1 || k > samples) throw new ArgumentOutOfRangeException(nameof(k), $"k must lie in [1, {samples}]; got {k}.");
    }
}
