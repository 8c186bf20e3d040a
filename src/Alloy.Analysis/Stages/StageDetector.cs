// Finds MI's three stages of the thinking ratio along λ for one series: where Think#R first crosses a low and a high
// threshold (linear interpolation between grid points), and the Mean@k jump across stage 2. It fits no model to the data.
using System.Globalization;
using Alloy.Tensors;

namespace Alloy.Analysis;

/// <summary>The Think#R thresholds that bound stage 2, as fractions in (0, 1]; defaults 0.10 and 0.90.</summary>
/// <param name="Low">Think#R at which stage 2 begins (default 0.10 = 10 %).</param>
/// <param name="High">Think#R at which stage 2 ends (default 0.90 = 90 %).</param>
public sealed record StageThresholds(double Low = 0.10, double High = 0.90)
{
    /// <summary>Throws <see cref="AlloyInputException"/> unless 0 &lt; Low &lt; High ≤ 1 (NaN fails).</summary>
    public void Validate()
    {
        if (!(Low > 0 && Low < High && High <= 1))
            throw new AlloyInputException(string.Create(CultureInfo.InvariantCulture,
                $"Stage thresholds low={Low}, high={High} are invalid; they must satisfy 0 < low < high ≤ 1 (Think#R fractions, e.g. 0.1 and 0.9)."));
    }
}

/// <summary>
/// The stages of one series. Stage 1 = [0, <see cref="LambdaLow"/>), stage 2 = [<see cref="LambdaLow"/>,
/// <see cref="LambdaHigh"/>], stage 3 = (<see cref="LambdaHigh"/>, 1].
/// </summary>
/// <param name="Thresholds">The thresholds used.</param>
/// <param name="LambdaLow">λ where Think#R first reaches <see cref="StageThresholds.Low"/>; null when it never does.</param>
/// <param name="LambdaHigh">λ where Think#R first reaches <see cref="StageThresholds.High"/>; null when it never does.</param>
/// <param name="MeanAtKAtLow">Mean@k interpolated at <see cref="LambdaLow"/>, or null.</param>
/// <param name="MeanAtKAtHigh">Mean@k interpolated at <see cref="LambdaHigh"/>, or null.</param>
public sealed record StageBoundaries(
    StageThresholds Thresholds,
    double? LambdaLow,
    double? LambdaHigh,
    double? MeanAtKAtLow,
    double? MeanAtKAtHigh)
{
    /// <summary>
    /// The Mean@k jump across stage 2: Mean@k(λ_high) − Mean@k(λ_low), a difference of fractions (0.0976 = 9.76 points);
    /// null when either boundary is missing.
    /// </summary>
    public double? MeanAtKJump => MeanAtKAtLow is double low && MeanAtKAtHigh is double high ? high - low : null;

    /// <summary>
    /// The stage (1, 2 or 3) that λ falls in: 1 when λ &lt; λ_low (or λ_low is null), 2 when λ_low ≤ λ ≤ λ_high
    /// (or λ_high is null), else 3. NaN falls in stage 1 (every comparison with NaN is false).
    /// </summary>
    public int StageOf(double lambda)
    {
        if (LambdaLow is not double low || !(lambda >= low)) return 1;
        if (LambdaHigh is not double high || lambda <= high) return 2;
        return 3;
    }
}

/// <summary>Detects the three stages of the thinking ratio along λ (MI, Section 3).</summary>
/// <remarks>
/// <para>Crossing: for a threshold t, take the first grid point j (λ ascending) with Think#R_j ≥ t. If j is the first
/// point, the crossing is λ_0 (the grid cannot see below it). Otherwise it is interpolated linearly in the segment that
/// enters the region: λ = λ_{j−1} + (t − r_{j−1}) / (r_j − r_{j−1}) · (λ_j − λ_{j−1}), where r_{j−1} &lt; t ≤ r_j so the
/// denominator is positive. When no point reaches t the crossing is null.</para>
/// <para>Non-monotone Think#R: only the first upward crossing counts; a later dip below the threshold and a later
/// re-crossing do not move the boundary. Because reaching the high threshold implies reaching the low one no later,
/// λ_low ≤ λ_high always holds.</para>
/// <para>Mean@k at a boundary is interpolated linearly in λ between the two grid points around it (the grid point's
/// own value when the boundary falls on one).</para>
/// </remarks>
public static class StageDetector
{
    /// <summary>
    /// Stage boundaries of one series (one benchmark, one method and parameter set). Points are sorted by λ here.
    /// </summary>
    /// <param name="series">At least one point, every one with a λ, no λ twice.</param>
    /// <param name="thresholds">Think#R thresholds; null for 0.10 and 0.90.</param>
    /// <exception cref="AlloyInputException">The series is empty, a point is invalid or lacks λ, a λ repeats, or the thresholds are invalid.</exception>
    public static StageBoundaries Detect(IEnumerable<SpectrumPoint> series, StageThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        thresholds ??= new StageThresholds();
        thresholds.Validate();
        List<SpectrumPoint> points = series.ToList();
        if (points.Count == 0)
            throw new AlloyInputException("Stage detection got an empty series; it needs points along λ (e.g. the linear sweep of one benchmark).");
        foreach (SpectrumPoint point in points) point.Validate();
        SpectrumPoint? noLambda = points.FirstOrDefault(p => p.Lambda is null);
        if (noLambda is not null)
            throw new AlloyInputException($"Stage detection needs λ on every point, but '{noLambda.Variant}' on '{noLambda.Benchmark}' has none; pass only the points of a λ sweep.");
        points.Sort((a, b) => a.Lambda!.Value.CompareTo(b.Lambda!.Value));
        for (int i = 1; i < points.Count; i++)
        {
            if (points[i].Lambda == points[i - 1].Lambda)
                throw new AlloyInputException(string.Create(CultureInfo.InvariantCulture,
                    $"Stage detection got two points at λ={points[i].Lambda} ('{points[i - 1].Variant}' and '{points[i].Variant}'); a series has one point per λ (split it by method and parameters)."));
        }

        double[] lambdas = points.Select(p => p.Lambda!.Value).ToArray();
        double[] think = points.Select(p => p.ThinkRatio).ToArray();
        double[] accuracy = points.Select(p => p.MeanAtK).ToArray();
        double? low = FirstUpwardCrossing(lambdas, think, thresholds.Low);
        double? high = FirstUpwardCrossing(lambdas, think, thresholds.High);
        return new StageBoundaries(
            thresholds,
            low,
            high,
            low is double l ? InterpolateAt(lambdas, accuracy, l) : null,
            high is double h ? InterpolateAt(lambdas, accuracy, h) : null);
    }

    /// <summary>
    /// The first λ at which <paramref name="values"/> reaches <paramref name="threshold"/> (see the class remarks), or null.
    /// </summary>
    /// <param name="lambdas">Grid, strictly ascending. Shape [n].</param>
    /// <param name="values">Values on the grid. Shape [n].</param>
    /// <param name="threshold">The level to reach (≥).</param>
    public static double? FirstUpwardCrossing(ReadOnlySpan<double> lambdas, ReadOnlySpan<double> values, double threshold)
    {
        if (lambdas.Length != values.Length)
            throw new ArgumentException($"lambdas has {lambdas.Length} entries but values has {values.Length}; they must match.", nameof(values));
        for (int j = 0; j < values.Length; j++)
        {
            if (values[j] < threshold) continue;
            if (j == 0) return lambdas[0];
            double fraction = (threshold - values[j - 1]) / (values[j] - values[j - 1]);
            return lambdas[j - 1] + fraction * (lambdas[j] - lambdas[j - 1]);
        }
        return null;
    }

    /// <summary>
    /// Piecewise-linear interpolation of <paramref name="values"/> at <paramref name="lambda"/>; outside the grid the
    /// end value is held (no extrapolation).
    /// </summary>
    /// <param name="lambdas">Grid, strictly ascending, at least one entry. Shape [n].</param>
    /// <param name="values">Values on the grid. Shape [n].</param>
    /// <param name="lambda">Where to evaluate.</param>
    public static double InterpolateAt(ReadOnlySpan<double> lambdas, ReadOnlySpan<double> values, double lambda)
    {
        if (lambdas.Length != values.Length || lambdas.Length == 0)
            throw new ArgumentException($"lambdas ({lambdas.Length}) and values ({values.Length}) must be non-empty and of equal length.", nameof(values));
        if (lambda <= lambdas[0]) return values[0];
        for (int j = 1; j < lambdas.Length; j++)
        {
            if (lambda > lambdas[j]) continue;
            if (lambda == lambdas[j]) return values[j];
            double fraction = (lambda - lambdas[j - 1]) / (lambdas[j] - lambdas[j - 1]);
            return values[j - 1] + fraction * (values[j] - values[j - 1]);
        }
        return values[^1];
    }
}
