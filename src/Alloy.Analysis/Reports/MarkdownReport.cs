// Renders a sweep report as Markdown (report.md): the same sections as the HTML report, with links to the PNG plots.
// Table cells escape Markdown's pipe, backslash and HTML-significant characters.
using System.Text;

namespace Alloy.Analysis.Reports;

/// <summary>The Markdown renderer of <see cref="ReportContent"/>.</summary>
public static class MarkdownReport
{
    /// <summary>Renders the report; plot links are <paramref name="plotPrefix"/> + the PNG file name.</summary>
    public static string Render(ReportContent content, string plotPrefix)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(plotPrefix);
        var m = new StringBuilder();
        m.Append("# Sweep report: ").Append(Text(content.RunName)).Append("\n\n");
        m.Append("Made by Alloy ").Append(Text(content.Manifest.AlloyVersion)).Append(" from ").Append(Text(content.Manifest.SpecFile))
            .Append(", run started ").Append(Text(content.Manifest.CreatedUtc)).Append(". λ is the weight of the thinking model (λ = 0 instruct, λ = 1 thinking). ")
            .Append("Accuracy is Mean@k; tokens are mean response tokens, thinking included.\n\n");
        foreach (BenchmarkSection section in content.Benchmarks)
        {
            m.Append("## ").Append(Text(section.Name)).Append("\n\n");
            m.Append("![").Append(Text(section.Name)).Append(": accuracy vs tokens](").Append(plotPrefix).Append(Uri.EscapeDataString(section.AccuracyPlotFile)).Append(")\n\n");
            if (section.LambdaPlotFile is { } lambda)
                m.Append("![").Append(Text(section.Name)).Append(": panels along λ](").Append(plotPrefix).Append(Uri.EscapeDataString(lambda)).Append(")\n\n");
            m.Append("### Stages\n\n").Append(Text(ReportText.Stages(section.Stages))).Append("\n\n");
            m.Append("### Recommendations\n\n| question | choice | why |\n|---|---|---|\n");
            foreach (var (question, answer) in section.Recommendations)
                Row(m, question, answer.Choice?.Variant ?? "none", answer.Reason);
            if (section.Ablations.Count > 0)
            {
                m.Append("\n### Layer and module ablations\n\n");
                if (section.AblationPlotFile is { } bars)
                    m.Append("![").Append(Text(section.Name)).Append(": ablations](").Append(plotPrefix).Append(Uri.EscapeDataString(bars)).Append(")\n\n");
                Table(m, AblationText.Columns, section.Ablations.Select(AblationText.Row));
            }
            m.Append("\n### Pareto improvements over the parents\n\n");
            var rows = ReportText.Improvements(content, section.Name);
            if (rows.Count == 0)
            {
                m.Append("No variant improves on a parent on this benchmark.\n\n");
                continue;
            }
            m.Append("| variant | over | Mean@k | tokens | both axes | significant |\n|---|---|---|---|---|---|\n");
            foreach (var r in rows) Row(m, r.Variant, r.Parent, r.Accuracy, r.Tokens, r.BothAxes ? "yes" : "no", r.Significant);
            m.Append('\n');
        }
        if (content.ParentDifference is { } parents)
        {
            m.Append("## Where the parents differ\n\n").Append(Text(parents.Describe())).Append(".\n\n");
            if (content.ParentDifferencePlot is not null)
                m.Append("![per-layer difference of the parents](").Append(plotPrefix).Append(ReportContent.ParentDifferencePlotFile).Append(")\n\n");
            Table(m, AblationText.ModuleColumns, parents.Modules.Select(AblationText.ModuleRow));
            m.Append('\n');
        }
        m.Append("## Spectrum table\n\n|");
        foreach (string column in ReportText.TableColumns) m.Append(' ').Append(Cell(column)).Append(" |");
        m.Append("\n|").Append(string.Concat(Enumerable.Repeat("---|", ReportText.TableColumns.Count))).Append('\n');
        foreach (ParetoFlags row in content.Pareto.Rows) Row(m, ReportText.TableRow(row));
        if (!content.Missing.IsEmpty) m.Append("\nNot evaluated yet: ").Append(Text(string.Join(", ", content.Missing))).Append(".\n");
        m.Append("\n## Generation settings\n\n| setting | value |\n|---|---|\n");
        Row(m, "backend", content.Manifest.Backend);
        foreach (var (key, value) in content.Manifest.Generation) Row(m, key, value);
        m.Append("\n| benchmark | source | samples | grader |\n|---|---|---|---|\n");
        foreach (var b in content.Manifest.Benchmarks) Row(m, b.Directory, b.Name, b.Samples?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default", b.Grader ?? "default");
        m.Append("\n## Model provenance\n\n| role | folder | file | size | sha256 |\n|---|---|---|---|---|\n");
        foreach (var model in content.Manifest.Models)
        {
            if (model.Files.IsEmpty) Row(m, model.Role, model.Path, "(folder not readable when the run started)", "", "");
            foreach (var f in model.Files)
                Row(m, model.Role, model.Path, f.Name, ReportText.Tokens(f.Size), f.Sha256 + (f.HashCoversWholeFile ? "" : " (first MiB)"));
        }
        return m.ToString();
    }

    private static void Table(StringBuilder m, IReadOnlyList<string> columns, IEnumerable<string[]> rows)
    {
        Row(m, [.. columns]);
        m.Append('|').Append(string.Concat(Enumerable.Repeat("---|", columns.Count))).Append('\n');
        foreach (string[] cells in rows) Row(m, cells);
    }

    private static void Row(StringBuilder m, params string[] cells)
    {
        m.Append('|');
        foreach (string cell in cells) m.Append(' ').Append(Cell(cell)).Append(" |");
        m.Append('\n');
    }

    private static string Cell(string text) => Text(text).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal);

    // Markdown renders raw HTML, so < > & are written as entities; backslashes are escaped so they stay literal.
    private static string Text(string text) =>
        (text ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
