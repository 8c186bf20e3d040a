// The layer/module ablation table of one benchmark: each scoped variant (layers: / modules:) next to the full merge of
// the same method and λ and the instruct parent. Pure analysis over spectrum points; it plots and renders nothing.

namespace Alloy.Analysis;

/// <summary>One scoped variant and what it changes.</summary>
/// <param name="Point">The scoped variant (outside its scope the weights are the instruct parent's).</param>
/// <param name="Scope">Its scope as text, e.g. "layers 12-35, modules mlp".</param>
/// <param name="FullMerge">The same method and λ merged over the whole model, when the sweep has it; else null.</param>
/// <param name="Instruct">The instruct parent on this benchmark, when present.</param>
public sealed record AblationRow(SpectrumPoint Point, string Scope, SpectrumPoint? FullMerge, SpectrumPoint? Instruct)
{
    /// <summary>Mean@k of the scoped variant minus the instruct parent's (fraction), or null without the parent.</summary>
    public double? MeanAtKOverInstruct => Instruct is { } i ? Point.MeanAtK - i.MeanAtK : null;

    /// <summary>Share of the full merge's Mean@k gain over instruct that the scope alone recovers: (scoped − instruct) ÷ (full − instruct); null when either is missing or the full merge gains nothing.</summary>
    public double? GainRecovered => Instruct is { } i && FullMerge is { } f && Math.Abs(f.MeanAtK - i.MeanAtK) > 1e-12
        ? (Point.MeanAtK - i.MeanAtK) / (f.MeanAtK - i.MeanAtK) : null;

    /// <summary>Think#R of the scoped variant minus the full merge's, or null without it.</summary>
    public double? ThinkRatioVsFull => FullMerge is { } f ? Point.ThinkRatio - f.ThinkRatio : null;

    /// <summary>Mean tokens of the scoped variant minus the full merge's, or null without it.</summary>
    public double? TokensVsFull => FullMerge is { } f ? Point.MeanTokens - f.MeanTokens : null;
}

/// <summary>Builds ablation tables.</summary>
public static class AblationTable
{
    /// <summary>The parameter keys that make a point an ablation.</summary>
    public static readonly string[] ScopeKeys = ["layers", "modules"];

    /// <summary>
    /// Every point of <paramref name="benchmark"/> with a <c>layers</c> or <c>modules</c> parameter, in spectrum order,
    /// each matched with the point of the same method, λ and other parameters that has no scope (the full merge).
    /// </summary>
    public static IReadOnlyList<AblationRow> Rows(Spectrum spectrum, string benchmark)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        var points = spectrum.PointsFor(benchmark);
        var instruct = spectrum.InstructParent(benchmark);
        var rows = new List<AblationRow>();
        foreach (var p in points)
        {
            if (!ScopeKeys.Any(p.Params.ContainsKey))
                continue;
            var rest = Unscoped(p);
            var full = points.FirstOrDefault(q => !ScopeKeys.Any(q.Params.ContainsKey) && q.Method == p.Method && q.Lambda == p.Lambda && SameParams(Unscoped(q), rest));
            if (full is null && p.Method == "linear" && p.Lambda == 1 && rest.Count == 0)
                full = spectrum.ThinkingParent(benchmark);
            var scope = string.Join(", ", ScopeKeys.Where(p.Params.ContainsKey).Select(k => $"{k} {p.Params[k]}"));
            rows.Add(new AblationRow(p, scope, full, instruct));
        }
        return rows;
    }

    private static Dictionary<string, string> Unscoped(SpectrumPoint p) =>
        p.Params.Where(kv => !ScopeKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static bool SameParams(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
