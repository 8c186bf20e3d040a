// Summary statistics of response lengths in tokens (mean, median, p90, min, max).
// It does not count tokens; the tokenizer does that upstream.
namespace Alloy.Evaluation.Metrics;

/// <summary>Length summary of a set of responses; every field is NaN when there are no responses.</summary>
public readonly record struct TokenSummary(int Count, double Mean, double Median, double P90, double Min, double Max);

/// <summary>
/// Token statistics. Percentiles use linear interpolation between order statistics (NumPy's default "linear"
/// method, Hyndman–Fan type 7): with the values sorted ascending x_0..x_{n−1} and h = (n−1)·q,
/// P_q = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋+1 − x_⌊h⌋). The median is P_0.5.
/// </summary>
public static class TokenStatistics
{
    /// <summary>Summarises <paramref name="tokenCounts"/> (any order).</summary>
    public static TokenSummary Summarize(ReadOnlySpan<int> tokenCounts)
    {
        if (tokenCounts.IsEmpty) return new TokenSummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var sorted = new double[tokenCounts.Length];
        double sum = 0;
        for (int i = 0; i < tokenCounts.Length; i++) { sorted[i] = tokenCounts[i]; sum += tokenCounts[i]; }
        Array.Sort(sorted);
        return new TokenSummary(sorted.Length, sum / sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.9), sorted[0], sorted[^1]);
    }

    /// <summary>The q-quantile (0 ≤ q ≤ 1) of values already sorted ascending, by the rule above; NaN when empty.</summary>
    public static double Percentile(ReadOnlySpan<double> sortedAscending, double q)
    {
        if (sortedAscending.IsEmpty || !(q >= 0 && q <= 1)) return double.NaN;
        double h = (sortedAscending.Length - 1) * q;
        int lower = (int)Math.Floor(h);
        if (lower >= sortedAscending.Length - 1) return sortedAscending[^1];
        return sortedAscending[lower] + (h - lower) * (sortedAscending[lower + 1] - sortedAscending[lower]);
    }
}
