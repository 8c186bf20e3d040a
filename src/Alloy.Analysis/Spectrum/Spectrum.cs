// The set of evaluated points of one sweep, grouped by benchmark and by series (method + parameters), with its parents.
// It validates and indexes points; it computes no statistics and reads or writes no files.
using System.Globalization;
using Alloy.Tensors;

namespace Alloy.Analysis;

/// <summary>
/// One curve of a spectrum: the points of one benchmark that share a method and the same non-λ parameters,
/// ordered by λ ascending (points without λ last, in input order).
/// </summary>
/// <param name="Benchmark">The benchmark all points were evaluated on.</param>
/// <param name="Method">The merge method shared by the points.</param>
/// <param name="ParamsText">The shared parameters in <see cref="SpectrumPoint.ParamsText"/> form (empty when none).</param>
/// <param name="Points">The points, λ ascending.</param>
public sealed record SpectrumSeries(string Benchmark, string Method, string ParamsText, IReadOnlyList<SpectrumPoint> Points)
{
    /// <summary>A label for legends: the method, with the parameters in brackets when there are any.</summary>
    public string Label => ParamsText.Length == 0 ? Method : $"{Method} [{ParamsText}]";

    /// <summary>The points that have a λ, λ ascending (the part of the series that can be drawn or staged along λ).</summary>
    public IReadOnlyList<SpectrumPoint> LambdaPoints => Points.Where(p => p.Lambda.HasValue).ToList();
}

/// <summary>
/// All evaluated points of a sweep, validated, with lookup by benchmark, by series and of the two parents.
/// </summary>
/// <remarks>
/// <para>Parents, per benchmark: a point flagged <see cref="ParentRole.Instruct"/> (or <see cref="ParentRole.Thinking"/>)
/// is that parent. When no point carries the flag, the parent is the point of method <c>linear</c> (any case) with
/// λ exactly 0 (instruct) or exactly 1 (thinking) and no other parameters (a linear λ = 1 ablation restricted to some
/// layers is not the thinking model). Two candidates for the same role on one benchmark are an error, as is a benchmark
/// where the same variant name appears twice.</para>
/// <para>Order: benchmarks, series and points keep the order in which they first appear in the input.</para>
/// </remarks>
public sealed class Spectrum
{
    private readonly Dictionary<string, List<SpectrumPoint>> _byBenchmark = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SpectrumPoint?> _instruct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SpectrumPoint?> _thinking = new(StringComparer.Ordinal);

    /// <summary>Validates every point (see <see cref="SpectrumPoint.Validate"/>) and indexes them.</summary>
    /// <exception cref="AlloyInputException">A point is invalid, a variant repeats on a benchmark, or a parent is ambiguous.</exception>
    public Spectrum(IEnumerable<SpectrumPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var all = new List<SpectrumPoint>();
        var benchmarks = new List<string>();
        foreach (SpectrumPoint point in points)
        {
            ArgumentNullException.ThrowIfNull(point);
            point.Validate();
            if (!_byBenchmark.TryGetValue(point.Benchmark, out List<SpectrumPoint>? list))
            {
                list = [];
                _byBenchmark.Add(point.Benchmark, list);
                benchmarks.Add(point.Benchmark);
            }
            if (list.Any(p => string.Equals(p.Variant, point.Variant, StringComparison.Ordinal)))
                throw new AlloyInputException($"Variant '{point.Variant}' appears twice on benchmark '{point.Benchmark}'; each variant may have one result per benchmark.");
            list.Add(point);
            all.Add(point);
        }
        Points = all;
        Benchmarks = benchmarks;
        foreach (string benchmark in benchmarks)
        {
            _instruct[benchmark] = FindParent(benchmark, _byBenchmark[benchmark], ParentRole.Instruct, 0.0);
            _thinking[benchmark] = FindParent(benchmark, _byBenchmark[benchmark], ParentRole.Thinking, 1.0);
        }
    }

    /// <summary>Every point, in input order.</summary>
    public IReadOnlyList<SpectrumPoint> Points { get; }

    /// <summary>The benchmark names, in order of first appearance.</summary>
    public IReadOnlyList<string> Benchmarks { get; }

    /// <summary>The points of one benchmark in input order; empty when the benchmark is unknown.</summary>
    public IReadOnlyList<SpectrumPoint> PointsFor(string benchmark) =>
        _byBenchmark.TryGetValue(benchmark, out List<SpectrumPoint>? list) ? list : [];

    /// <summary>The instruct parent (λ = 0) of a benchmark, or null when the spectrum has none for it.</summary>
    public SpectrumPoint? InstructParent(string benchmark) => _instruct.GetValueOrDefault(benchmark);

    /// <summary>The thinking parent (λ = 1) of a benchmark, or null when the spectrum has none for it.</summary>
    public SpectrumPoint? ThinkingParent(string benchmark) => _thinking.GetValueOrDefault(benchmark);

    /// <summary>
    /// The series of one benchmark: points grouped by method (ordinal) and <see cref="SpectrumPoint.ParamsText"/>,
    /// each sorted by λ ascending with λ-less points last; series in order of first appearance.
    /// </summary>
    public IReadOnlyList<SpectrumSeries> Series(string benchmark) =>
        PointsFor(benchmark)
            .GroupBy(p => (p.Method, p.ParamsText))
            .Select(g => new SpectrumSeries(
                benchmark,
                g.Key.Method,
                g.Key.ParamsText,
                g.OrderBy(p => p.Lambda.HasValue ? 0 : 1).ThenBy(p => p.Lambda ?? 0).ToList()))
            .ToList();

    /// <summary>
    /// The series of one benchmark with the given method (ordinal, any case) and no extra parameters, or null.
    /// For <c>linear</c> this is the plain interpolation curve of MI, parents included when they were evaluated as λ = 0 and 1.
    /// </summary>
    public SpectrumSeries? MainSeries(string benchmark, string method) =>
        Series(benchmark).FirstOrDefault(s =>
            string.Equals(s.Method, method, StringComparison.OrdinalIgnoreCase) && s.ParamsText.Length == 0);

    private static SpectrumPoint? FindParent(string benchmark, List<SpectrumPoint> points, ParentRole role, double lambda)
    {
        List<SpectrumPoint> flagged = points.Where(p => p.Parent == role).ToList();
        if (flagged.Count > 1)
            throw new AlloyInputException($"Benchmark '{benchmark}' has {flagged.Count} points flagged as the {Name(role)} parent ({Names(flagged)}); flag exactly one.");
        if (flagged.Count == 1)
            return flagged[0];
        List<SpectrumPoint> implicitParents = points
            .Where(p => p.Parent == ParentRole.None
                && string.Equals(p.Method, "linear", StringComparison.OrdinalIgnoreCase)
                && p.Lambda == lambda
                && p.Params.Count == 0)
            .ToList();
        if (implicitParents.Count > 1)
            throw new AlloyInputException(string.Create(CultureInfo.InvariantCulture,
                $"Benchmark '{benchmark}' has {implicitParents.Count} linear points at λ={lambda} ({Names(implicitParents)}); keep one or flag the {Name(role)} parent explicitly."));
        return implicitParents.Count == 1 ? implicitParents[0] : null;
    }

    private static string Name(ParentRole role) => role == ParentRole.Instruct ? "instruct" : "thinking";

    private static string Names(List<SpectrumPoint> points) => string.Join(", ", points.Select(p => "'" + p.Variant + "'"));
}
