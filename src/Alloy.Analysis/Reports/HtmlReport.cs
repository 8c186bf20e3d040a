// Renders a sweep report as one self-contained HTML file (inline SVG plots, inline CSS, no scripts, no external links).
// Every text that comes from files is HTML-escaped; the output is also well-formed XML (polyglot markup).
using System.Globalization;
using System.Net;
using System.Text;

namespace Alloy.Analysis.Reports;

/// <summary>The HTML renderer of <see cref="ReportContent"/>.</summary>
public static class HtmlReport
{
    private const string Style = """
        body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1250px;padding:0 1em;color:#222}
        h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-top:1.4em}
        table{border-collapse:collapse;margin:.6em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
        th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}tr.parent{background:#fff6e6}
        figure{margin:1em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.9em}
        .yes{color:#1a7f37;font-weight:600}.muted{color:#777}
        """;

    /// <summary>Renders the whole report.</summary>
    public static string Render(ReportContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        h.Append("<title>").Append(E("Alloy sweep report: " + content.RunName)).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        h.Append("<h1>").Append(E("Sweep report: " + content.RunName)).Append("</h1>\n");
        h.Append("<p>Made by Alloy ").Append(E(content.Manifest.AlloyVersion)).Append(" from ").Append(E(content.Manifest.SpecFile))
            .Append(", run started ").Append(E(content.Manifest.CreatedUtc)).Append(". λ is the weight of the thinking model (λ = 0 is the instruct parent, λ = 1 the thinking parent). ")
            .Append("Accuracy is Mean@k; tokens are mean response tokens, thinking included.</p>\n");

        foreach (BenchmarkSection section in content.Benchmarks)
            Benchmark(h, content, section);

        if (content.ParentDifference is { } parents)
        {
            h.Append("<h2 id=\"parents\">Where the parents differ</h2>\n<p>").Append(E(parents.Describe()))
                .Append(parents.Uncompared > 0 ? $"; {parents.Uncompared} tensors could not be compared" : "").Append(".</p>\n");
            if (content.ParentDifferencePlot is { } layers)
                h.Append("<figure class=\"plot\" id=\"plot-parents\">\n").Append(InlineSvg(layers))
                    .Append("\n<figcaption>Relative L2 distance between the thinking and the instruct parent per decoder layer (as <code>alloy diff</code> computes it).</figcaption>\n</figure>\n");
            Table(h, AblationText.ModuleColumns, parents.Modules.Select(AblationText.ModuleRow), numericFrom: 1);
        }

        h.Append("<h2 id=\"spectrum\">Spectrum table</h2>\n");
        SpectrumTable(h, content);
        if (!content.Missing.IsEmpty)
        {
            h.Append("<p class=\"muted\">Not evaluated yet: ").Append(E(string.Join(", ", content.Missing))).Append(".</p>\n");
        }

        h.Append("<h2 id=\"settings\">Generation settings</h2>\n<table>\n<tr><th>setting</th><th>value</th></tr>\n");
        h.Append("<tr><td>backend</td><td>").Append(E(content.Manifest.Backend)).Append("</td></tr>\n");
        foreach (var (key, value) in content.Manifest.Generation)
            h.Append("<tr><td>").Append(E(key)).Append("</td><td>").Append(E(value)).Append("</td></tr>\n");
        h.Append("</table>\n<table>\n<tr><th>benchmark</th><th>source</th><th>samples</th><th>grader</th></tr>\n");
        foreach (var b in content.Manifest.Benchmarks)
            h.Append("<tr><td>").Append(E(b.Directory)).Append("</td><td>").Append(E(b.Name)).Append("</td><td class=\"n\">")
                .Append(E(b.Samples?.ToString(CultureInfo.InvariantCulture) ?? "default")).Append("</td><td>").Append(E(b.Grader ?? "default")).Append("</td></tr>\n");
        h.Append("</table>\n");

        h.Append("<h2 id=\"provenance\">Model provenance</h2>\n<table>\n<tr><th>role</th><th>folder</th><th>file</th><th>size</th><th>sha256</th></tr>\n");
        foreach (var model in content.Manifest.Models)
        {
            if (model.Files.IsEmpty)
                h.Append("<tr><td>").Append(E(model.Role)).Append("</td><td>").Append(E(model.Path)).Append("</td><td colspan=\"3\" class=\"muted\">folder not readable when the run started</td></tr>\n");
            foreach (var f in model.Files)
                h.Append("<tr><td>").Append(E(model.Role)).Append("</td><td>").Append(E(model.Path)).Append("</td><td>").Append(E(f.Name))
                    .Append("</td><td class=\"n\">").Append(E(f.Size.ToString("#,0", CultureInfo.InvariantCulture))).Append("</td><td><code>")
                    .Append(E(f.Sha256)).Append("</code>").Append(f.HashCoversWholeFile ? "" : " (first MiB)").Append("</td></tr>\n");
        }
        h.Append("</table>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void Benchmark(StringBuilder h, ReportContent content, BenchmarkSection section)
    {
        h.Append("<h2 id=\"bench-").Append(E(section.Name)).Append("\">").Append(E(section.Name)).Append("</h2>\n");
        h.Append("<figure class=\"plot\" id=\"plot-").Append(E(section.Name)).Append("-accuracy\">\n").Append(InlineSvg(section.AccuracyPlot))
            .Append("\n<figcaption>Mean@k against mean tokens; squares and diamonds are the instruct and thinking parents, the dashed line the Pareto frontier, bars the 90 % intervals.</figcaption>\n</figure>\n");
        if (section.LambdaPlot is { } lambda)
            h.Append("<figure class=\"plot\" id=\"plot-").Append(E(section.Name)).Append("-lambda\">\n").Append(InlineSvg(lambda))
                .Append("\n<figcaption>Mean@k, Pass@k, tokens and Think#R against λ").Append(section.Stages is null ? "" : ", stages of the linear series shaded").Append(".</figcaption>\n</figure>\n");

        h.Append("<h3>Stages</h3>\n<p>").Append(E(ReportText.Stages(section.Stages))).Append("</p>\n");
        h.Append("<h3>Recommendations</h3>\n<table>\n<tr><th>question</th><th>choice</th><th>why</th></tr>\n");
        foreach (var (question, answer) in section.Recommendations)
            h.Append("<tr><td>").Append(E(question)).Append("</td><td>").Append(E(answer.Choice?.Variant ?? "none")).Append("</td><td>").Append(E(answer.Reason)).Append("</td></tr>\n");
        h.Append("</table>\n");

        if (section.Ablations.Count > 0)
        {
            h.Append("<h3>Layer and module ablations</h3>\n");
            if (section.AblationPlot is { } bars)
                h.Append("<figure class=\"plot\" id=\"plot-").Append(E(section.Name)).Append("-ablations\">\n").Append(InlineSvg(bars))
                    .Append("\n<figcaption>Mean@k and Think#R of each scoped merge (outside its scope the weights are the instruct parent's), beside the full merge and the instruct parent.</figcaption>\n</figure>\n");
            Table(h, AblationText.Columns, section.Ablations.Select(AblationText.Row), numericFrom: 2);
        }

        h.Append("<h3>Pareto improvements over the parents</h3>\n");
        var rows = ReportText.Improvements(content, section.Name);
        if (rows.Count == 0)
        {
            h.Append("<p class=\"muted\">No variant improves on a parent on this benchmark.</p>\n");
            return;
        }
        h.Append("<table>\n<tr><th>variant</th><th>over</th><th>Mean@k</th><th>tokens</th><th>both axes</th><th>significant</th></tr>\n");
        foreach (var r in rows)
            h.Append("<tr><td>").Append(E(r.Variant)).Append("</td><td>").Append(E(r.Parent)).Append("</td><td class=\"n\">").Append(E(r.Accuracy))
                .Append("</td><td class=\"n\">").Append(E(r.Tokens)).Append("</td><td>").Append(r.BothAxes ? "<span class=\"yes\">yes</span>" : "no")
                .Append("</td><td>").Append(E(r.Significant)).Append("</td></tr>\n");
        h.Append("</table>\n");
    }

    private static void Table(StringBuilder h, IReadOnlyList<string> columns, IEnumerable<string[]> rows, int numericFrom)
    {
        h.Append("<table>\n<tr>");
        foreach (string column in columns) h.Append("<th>").Append(E(column)).Append("</th>");
        h.Append("</tr>\n");
        foreach (string[] cells in rows)
        {
            h.Append("<tr>");
            for (int i = 0; i < cells.Length; i++)
                h.Append(i >= numericFrom ? "<td class=\"n\">" : "<td>").Append(E(cells[i])).Append("</td>");
            h.Append("</tr>\n");
        }
        h.Append("</table>\n");
    }

    private static void SpectrumTable(StringBuilder h, ReportContent content)
    {
        h.Append("<table>\n<tr>");
        foreach (string column in ReportText.TableColumns) h.Append("<th>").Append(E(column)).Append("</th>");
        h.Append("</tr>\n");
        foreach (ParetoFlags row in content.Pareto.Rows)
        {
            h.Append(row.Point.Parent == ParentRole.None ? "<tr>" : "<tr class=\"parent\">");
            string[] cells = ReportText.TableRow(row);
            for (int i = 0; i < cells.Length; i++)
                h.Append(ReportText.NumericColumn(i) ? "<td class=\"n\">" : "<td>").Append(E(cells[i])).Append("</td>");
            h.Append("</tr>\n");
        }
        h.Append("</table>\n");
    }

    /// <summary>The plot's SVG document without its XML prolog, with a viewBox so CSS can scale it.</summary>
    public static string InlineSvg(RenderedPlot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        string svg = plot.Svg;
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException("the rendered plot has no <svg> element");
        svg = svg[start..].TrimEnd();
        int tagEnd = svg.IndexOf('>', StringComparison.Ordinal);
        if (!svg[..tagEnd].Contains("viewBox", StringComparison.Ordinal))
            svg = string.Create(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {plot.Width} {plot.Height}\"") + svg[4..];
        return svg;
    }

    /// <summary>HTML-escapes text for element content and attribute values (&amp;, &lt;, &gt;, quotes, and non-ASCII as numeric references).</summary>
    public static string E(string text) => WebUtility.HtmlEncode(text ?? "");
}
