// The words and numbers of a sweep report shared by the HTML and Markdown renderers: table cells, the stage sentence
// and the Pareto improvement rows. Plain text only; escaping is the renderer's job.
using System.Globalization;

namespace Alloy.Analysis.Reports;

/// <summary>One Pareto improvement of a variant over a parent, as report text.</summary>
/// <param name="Variant">The variant.</param>
/// <param name="Parent">"thinking" or "instruct" with the parent's name.</param>
/// <param name="Accuracy">Mean@k of both, e.g. "80.5 % vs 80.4 %".</param>
/// <param name="Tokens">Tokens of both, e.g. "17,574 vs 22,813".</param>
/// <param name="BothAxes">Higher accuracy and fewer tokens at once.</param>
/// <param name="Significant">"yes", "no" or "unknown" (no intervals).</param>
public sealed record ImprovementRow(string Variant, string Parent, string Accuracy, string Tokens, bool BothAxes, string Significant);

/// <summary>Text helpers of the report.</summary>
public static class ReportText
{
    /// <summary>The spectrum table's columns.</summary>
    public static IReadOnlyList<string> TableColumns { get; } =
    [
        "variant", "method", "λ", "params", "benchmark", "Mean@k", "90 % CI", "Pass@k", "tokens", "Think#R", "truncated",
        "Pareto vs thinking", "Pareto vs instruct", "on frontier",
    ];

    /// <summary>Whether column <paramref name="index"/> of <see cref="TableColumns"/> holds numbers.</summary>
    public static bool NumericColumn(int index) => index is 2 or >= 5 and <= 10;

    /// <summary>One row of the spectrum table.</summary>
    public static string[] TableRow(ParetoFlags row)
    {
        ArgumentNullException.ThrowIfNull(row);
        SpectrumPoint p = row.Point;
        string name = p.Parent switch { ParentRole.Instruct => p.Variant + " (instruct parent)", ParentRole.Thinking => p.Variant + " (thinking parent)", _ => p.Variant };
        return
        [
            name, p.Method, p.Lambda?.ToString("0.###", CultureInfo.InvariantCulture) ?? "", p.ParamsText, p.Benchmark,
            Percent(p.MeanAtK),
            p.MeanAtKCiLow is double lo && p.MeanAtKCiHigh is double hi ? $"{Percent(lo)} – {Percent(hi)}" : "",
            p.PassAtK is double pass ? Percent(pass) : "",
            Tokens(p.MeanTokens), Percent(p.ThinkRatio), Percent(p.TruncatedRatio),
            Flag(row.VsThinking?.IsImprovement), Flag(row.VsInstruct?.IsImprovement), row.OnFrontier ? "yes" : "no",
        ];
    }

    /// <summary>The stage sentence of a benchmark.</summary>
    public static string Stages(StageBoundaries? stages)
    {
        if (stages is null)
            return "No stages: the benchmark has no linear λ series with at least two points.";
        string low = Percent(stages.Thresholds.Low), high = Percent(stages.Thresholds.High);
        if (stages.LambdaLow is not double l)
            return $"Think#R never reaches {low} along the linear series: the whole sweep is in stage 1 (the model does not think).";
        string jump = stages.MeanAtKJump is double j ? string.Create(CultureInfo.InvariantCulture, $"; Mean@k moves by {j * 100:+0.0;-0.0} points across stage 2 ({Percent(stages.MeanAtKAtLow!.Value)} → {Percent(stages.MeanAtKAtHigh!.Value)})") : "";
        if (stages.LambdaHigh is not double hVal)
            return string.Create(CultureInfo.InvariantCulture, $"Stage 2 starts at λ ≈ {l:0.###} (Think#R reaches {low}) and Think#R never reaches {high}: no stage 3 in the sweep.");
        return string.Create(CultureInfo.InvariantCulture,
            $"Stage 1: λ < {l:0.###}; stage 2 (Think#R from {low} to {high}): {l:0.###} ≤ λ ≤ {hVal:0.###}; stage 3: λ > {hVal:0.###}{jump}.");
    }

    /// <summary>The Pareto improvements over either parent on one benchmark, in spectrum order.</summary>
    public static IReadOnlyList<ImprovementRow> Improvements(ReportContent content, string benchmark)
    {
        ArgumentNullException.ThrowIfNull(content);
        var rows = new List<ImprovementRow>();
        foreach (ParetoFlags flags in content.Pareto.Rows.Where(r => r.Point.Benchmark == benchmark))
        {
            foreach (var (comparison, role) in new[] { (flags.VsThinking, "thinking"), (flags.VsInstruct, "instruct") })
            {
                if (comparison is not { IsImprovement: true } c) continue;
                rows.Add(new ImprovementRow(
                    c.Candidate.Variant,
                    $"{role} ({c.Parent.Variant})",
                    $"{Percent(c.Candidate.MeanAtK)} vs {Percent(c.Parent.MeanAtK)}",
                    $"{Tokens(c.Candidate.MeanTokens)} vs {Tokens(c.Parent.MeanTokens)}",
                    c.IsStrictOnBothAxes,
                    c.AccuracyGainSignificant switch { true => "yes", false => "no", null => "unknown (no intervals)" }));
            }
        }
        return rows;
    }

    /// <summary>A fraction as a percentage with one decimal ("80.5 %").</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    /// <summary>Tokens with thousands separators ("17,574").</summary>
    public static string Tokens(double tokens) => tokens.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Flag(bool? value) => value switch { true => "yes", false => "no", null => "" };
}
