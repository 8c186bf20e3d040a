// Text of the ablation table and of the parents' difference, shared by the HTML and Markdown reports.
using System.Globalization;
using Alloy.Analysis.Sweep;

namespace Alloy.Analysis.Reports;

/// <summary>Formats ablation rows and the parents' difference as table cells.</summary>
public static class AblationText
{
    /// <summary>The ablation table's columns.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["variant", "scope", "Mean@k", "tokens", "Think#R", "full merge", "Δ Mean@k vs full", "Δ Think#R vs full", "Δ tokens vs full", "gain over instruct recovered"];

    /// <summary>One row's cells; differences are in points (Mean@k, Think#R) and tokens; "–" when the full merge is missing.</summary>
    public static string[] Row(AblationRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var p = row.Point;
        string Points(double? v) => v is double d ? string.Create(CultureInfo.InvariantCulture, $"{d * 100:+0.0;-0.0;0.0}") : "–";
        return
        [
            p.Variant, row.Scope, ReportText.Percent(p.MeanAtK), ReportText.Tokens(p.MeanTokens), ReportText.Percent(p.ThinkRatio),
            row.FullMerge?.Variant ?? "not in the sweep",
            Points(row.FullMerge is { } f ? p.MeanAtK - f.MeanAtK : null), Points(row.ThinkRatioVsFull),
            row.TokensVsFull is double t ? string.Create(CultureInfo.InvariantCulture, $"{t:+#,0;-#,0;0}") : "–",
            row.GainRecovered is double g ? ReportText.Percent(g) : "–",
        ];
    }

    /// <summary>The module table's columns.</summary>
    public static IReadOnlyList<string> ModuleColumns { get; } = ["module", "tensors", "relative L2", "cosine"];

    /// <summary>One module row.</summary>
    public static string[] ModuleRow(ModuleDifference m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return [m.Module, m.Tensors.ToString(CultureInfo.InvariantCulture), m.RelativeL2.ToString("0.0000", CultureInfo.InvariantCulture), m.Cosine.ToString("0.00000", CultureInfo.InvariantCulture)];
    }
}
