// Pareto analysis of a spectrum over (accuracy ↑, mean tokens ↓): the frontier per benchmark and the improvements over
// each parent. It compares numbers as given (no rounding, no tolerance); it does not compute the confidence intervals.
namespace Alloy.Analysis;

/// <summary>
/// How one point compares with one parent on (Mean@k ↑, mean tokens ↓).
/// </summary>
/// <param name="Candidate">The point being judged.</param>
/// <param name="Parent">The parent it is compared with.</param>
/// <param name="AccuracyHigher">Candidate Mean@k &gt; parent Mean@k (strictly).</param>
/// <param name="TokensFewer">Candidate mean tokens &lt; parent mean tokens (strictly).</param>
/// <param name="IsImprovement">
/// Pareto improvement: strictly better on one axis and no worse on the other, i.e.
/// (acc_c &gt; acc_p and tok_c ≤ tok_p) or (acc_c ≥ acc_p and tok_c &lt; tok_p). A point is never an improvement over itself
/// nor over an identical point.
/// </param>
/// <param name="AccuracyGainSignificant">
/// Whether the Mean@k confidence intervals separate with the candidate above: ci_low_c &gt; ci_high_p (strictly;
/// touching intervals do not separate). Null when either point lacks an interval. This is about accuracy only: token
/// means come without an interval, so a gain in tokens alone is never called significant.
/// </param>
public sealed record ParetoComparison(
    SpectrumPoint Candidate,
    SpectrumPoint Parent,
    bool AccuracyHigher,
    bool TokensFewer,
    bool IsImprovement,
    bool? AccuracyGainSignificant)
{
    /// <summary>An improvement on both axes at once: higher Mean@k and fewer tokens (TS's definition).</summary>
    public bool IsStrictOnBothAxes => AccuracyHigher && TokensFewer;

    /// <summary>A Pareto improvement whose accuracy gain is significant (<see cref="AccuracyGainSignificant"/> is true).</summary>
    public bool IsSignificantImprovement => IsImprovement && AccuracyGainSignificant == true;
}

/// <summary>The Pareto flags of one point: the <c>pareto_vs_*</c> and <c>on_frontier</c> columns of spectrum.csv.</summary>
/// <param name="Point">The point.</param>
/// <param name="VsThinking">Comparison with the benchmark's thinking parent, or null when the benchmark has none.</param>
/// <param name="VsInstruct">Comparison with the benchmark's instruct parent, or null when the benchmark has none.</param>
/// <param name="OnFrontier">Whether no other point of the same benchmark dominates this one (see <see cref="ParetoAnalysis.Dominates"/>).</param>
public sealed record ParetoFlags(SpectrumPoint Point, ParetoComparison? VsThinking, ParetoComparison? VsInstruct, bool OnFrontier);

/// <summary>The Pareto flags of every point of a spectrum, in the spectrum's point order.</summary>
/// <param name="Rows">One entry per point, in <see cref="Spectrum.Points"/> order.</param>
public sealed record ParetoReport(IReadOnlyList<ParetoFlags> Rows)
{
    /// <summary>The frontier points of one benchmark, mean tokens ascending (then Mean@k descending, then input order).</summary>
    public IReadOnlyList<SpectrumPoint> FrontierOf(string benchmark) =>
        Rows.Where(r => r.OnFrontier && r.Point.Benchmark == benchmark)
            .Select(r => r.Point)
            .OrderBy(p => p.MeanTokens)
            .ThenByDescending(p => p.MeanAtK)
            .ToList();
}

/// <summary>
/// Pareto frontier and Pareto improvements over (accuracy = Mean@k, higher is better; cost = mean tokens, lower is better).
/// </summary>
/// <remarks>
/// Ties: values are compared exactly as given. Two points with equal Mean@k and equal tokens do not dominate each other,
/// so both stay on the frontier (and neither is an improvement over the other). Equal Mean@k with fewer tokens dominates;
/// equal tokens with higher Mean@k dominates. Inputs are validated finite by <see cref="Spectrum"/>, so NaN never enters.
/// </remarks>
public static class ParetoAnalysis
{
    /// <summary>
    /// Whether <paramref name="a"/> dominates <paramref name="b"/>: acc_a ≥ acc_b and tok_a ≤ tok_b with at least one
    /// of the two strict.
    /// </summary>
    public static bool Dominates(SpectrumPoint a, SpectrumPoint b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.MeanAtK >= b.MeanAtK && a.MeanTokens <= b.MeanTokens
            && (a.MeanAtK > b.MeanAtK || a.MeanTokens < b.MeanTokens);
    }

    /// <summary>
    /// The non-dominated points among <paramref name="points"/> (callers pass one benchmark), mean tokens ascending,
    /// then Mean@k descending, then input order. O(n²), which is fine for sweeps of hundreds of points.
    /// </summary>
    public static IReadOnlyList<SpectrumPoint> Frontier(IEnumerable<SpectrumPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        List<SpectrumPoint> list = points.ToList();
        return list.Where(p => !list.Any(q => Dominates(q, p)))
            .OrderBy(p => p.MeanTokens)
            .ThenByDescending(p => p.MeanAtK)
            .ToList();
    }

    /// <summary>Compares a candidate with a parent; see <see cref="ParetoComparison"/> for the exact definitions.</summary>
    public static ParetoComparison Compare(SpectrumPoint candidate, SpectrumPoint parent)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(parent);
        bool? significant = candidate.MeanAtKCiLow is double low && parent.MeanAtKCiHigh is double high
            ? low > high
            : null;
        return new ParetoComparison(
            candidate,
            parent,
            AccuracyHigher: candidate.MeanAtK > parent.MeanAtK,
            TokensFewer: candidate.MeanTokens < parent.MeanTokens,
            IsImprovement: Dominates(candidate, parent),
            AccuracyGainSignificant: significant);
    }

    /// <summary>
    /// Flags every point of the spectrum: its comparison with each parent of its benchmark and whether it is on that
    /// benchmark's frontier (the frontier is taken over all points of the benchmark, parents and every method included).
    /// </summary>
    public static ParetoReport Analyze(Spectrum spectrum)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        var frontiers = spectrum.Benchmarks.ToDictionary(
            b => b,
            b => new HashSet<SpectrumPoint>(Frontier(spectrum.PointsFor(b)), ReferenceEqualityComparer.Instance),
            StringComparer.Ordinal);
        var rows = new List<ParetoFlags>(spectrum.Points.Count);
        foreach (SpectrumPoint point in spectrum.Points)
        {
            SpectrumPoint? thinking = spectrum.ThinkingParent(point.Benchmark);
            SpectrumPoint? instruct = spectrum.InstructParent(point.Benchmark);
            rows.Add(new ParetoFlags(
                point,
                thinking is null ? null : Compare(point, thinking),
                instruct is null ? null : Compare(point, instruct),
                frontiers[point.Benchmark].Contains(point)));
        }
        return new ParetoReport(rows);
    }
}
