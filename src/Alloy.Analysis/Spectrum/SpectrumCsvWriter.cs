// Writes spectrum.csv (DESIGN.md's columns, one row per variant × benchmark) to a TextWriter or a string.
// It formats and quotes only; it opens no files and computes no flags (they come from a ParetoReport).
using System.Globalization;
using System.Text;

namespace Alloy.Analysis;

/// <summary>
/// The spectrum.csv writer. Columns, in this order: <c>variant, method, lambda, params, benchmark, mean_at_k, pass_at_k,
/// mean_tokens, think_ratio, truncated_ratio, pareto_vs_thinking, pareto_vs_instruct, on_frontier</c>.
/// </summary>
/// <remarks>
/// <para>Format (RFC 4180): a header row, then one row per point in the report's order; records end with CRLF; a field is
/// enclosed in double quotes when it contains a comma, a double quote, CR or LF, and quotes inside it are doubled.</para>
/// <para>Values: numbers use the invariant culture and the shortest text that round-trips the double (0.805, 17574);
/// fractions stay fractions as in metrics.json; an absent value (no λ, no Pass@k, no parent to compare with) is an empty
/// field; booleans are <c>true</c> / <c>false</c>. <c>params</c> is <see cref="SpectrumPoint.ParamsText"/>.
/// <c>pareto_vs_*</c> is <see cref="ParetoComparison.IsImprovement"/>.</para>
/// </remarks>
public static class SpectrumCsvWriter
{
    /// <summary>The header fields, in column order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "variant", "method", "lambda", "params", "benchmark", "mean_at_k", "pass_at_k", "mean_tokens", "think_ratio",
        "truncated_ratio", "pareto_vs_thinking", "pareto_vs_instruct", "on_frontier",
    ];

    /// <summary>Writes the header and one row per entry of <paramref name="report"/>.</summary>
    public static void Write(TextWriter writer, ParetoReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        WriteRecord(writer, Columns);
        foreach (ParetoFlags row in report.Rows)
        {
            SpectrumPoint p = row.Point;
            WriteRecord(writer,
            [
                p.Variant,
                p.Method,
                Number(p.Lambda),
                p.ParamsText,
                p.Benchmark,
                Number(p.MeanAtK),
                Number(p.PassAtK),
                Number(p.MeanTokens),
                Number(p.ThinkRatio),
                Number(p.TruncatedRatio),
                Flag(row.VsThinking?.IsImprovement),
                Flag(row.VsInstruct?.IsImprovement),
                Flag(row.OnFrontier),
            ]);
        }
    }

    /// <summary>The whole CSV as a string (see <see cref="Write"/>).</summary>
    public static string ToCsv(ParetoReport report)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, report);
        return writer.ToString();
    }

    /// <summary>
    /// One field quoted per RFC 4180: unchanged unless it contains <c>,</c> <c>"</c> CR or LF, then wrapped in quotes
    /// with every inner quote doubled.
    /// </summary>
    public static string Quote(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0) return field;
        var builder = new StringBuilder(field.Length + 2);
        builder.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        return builder.ToString();
    }

    private static void WriteRecord(TextWriter writer, IReadOnlyList<string> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0) writer.Write(',');
            writer.Write(Quote(fields[i]));
        }
        writer.Write("\r\n");
    }

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    private static string Flag(bool? value) => value switch { true => "true", false => "false", null => "" };
}
