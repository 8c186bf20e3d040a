// Tests of the sweep report rebuilt from a run folder holding MI's Table 2: stages, Pareto improvements and
// recommendations in the text, well-formed self-contained HTML with inline SVG, escaping, Markdown links, missing pairs.
using System.Xml.Linq;
using Alloy.Analysis.Reports;
using Alloy.Analysis.Sweep;
using Alloy.Tensors;

namespace Alloy.Analysis.Tests.Reports;

public sealed class SweepReportTests : IDisposable
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_mi_table_gives_stage_2_near_0_4_to_0_6_and_mi_0_8_beats_the_thinking_parent()
    {
        string run = _temp.Sub("mi");
        MiRunFolder.Write(run);

        ReportContent content = SweepReportWriter.Analyze(run, ReportOptions.Default);

        BenchmarkSection section = Assert.Single(content.Benchmarks);
        Assert.InRange(section.Stages!.LambdaLow!.Value, 0.4, 0.46);
        Assert.InRange(section.Stages.LambdaHigh!.Value, 0.5, 0.6);
        ImprovementRow overThinking = Assert.Single(ReportText.Improvements(content, MiTable2.Benchmark), r => r.Parent.StartsWith("thinking", StringComparison.Ordinal));
        Assert.Equal("linear-l0.80", overThinking.Variant);
        Assert.True(overThinking.BothAxes);
        Assert.Equal("80.5 % vs 80.4 %", overThinking.Accuracy);
        Assert.Equal("17,574 vs 22,813", overThinking.Tokens);
        Assert.Equal("linear-l0.80", section.Recommendations[0].Answer.Choice!.Variant); // most accurate within the thinking parent's tokens
        Assert.Equal("linear-l0.60", section.Recommendations[1].Answer.Choice!.Variant); // within 75 %: 71.0 at 12,681
        var cheapestWithinFive = section.Recommendations.Single(r => r.Question.Contains("within 5 points", StringComparison.Ordinal));
        Assert.Equal("linear-l0.80", cheapestWithinFive.Answer.Choice!.Variant); // 71.0 is 9.5 points below: only 0.8 and 1 qualify
    }

    [Fact]
    public void The_html_is_well_formed_self_contained_and_holds_plots_tables_settings_and_provenance()
    {
        string run = _temp.Sub("mi");
        MiRunFolder.Write(run);

        ReportFiles files = SweepReportWriter.Write(run);

        string html = File.ReadAllText(files.Html);
        Assert.StartsWith("<!DOCTYPE html>\n", html, StringComparison.Ordinal);
        XDocument doc = XDocument.Parse(html["<!DOCTYPE html>\n".Length..]); // polyglot: also well-formed XML
        var svgs = doc.Descendants(Svg + "svg").ToList();
        Assert.Equal(2, svgs.Count); // accuracy vs tokens, λ panels
        Assert.All(svgs, s => Assert.True(s.Descendants(Svg + "path").Count() > 20 && s.Descendants(Svg + "text").Any()));
        Assert.All(svgs, s => Assert.NotNull(s.Attribute("viewBox")));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.Ordinal); // nothing loaded from elsewhere
        var tables = doc.Descendants(Xhtml + "table").ToList();
        var spectrum = tables.Single(t => t.Descendants(Xhtml + "th").Any(th => th.Value == "on frontier"));
        Assert.Equal(9 + 1, spectrum.Elements(Xhtml + "tr").Count());
        string text = doc.Root!.Value;
        Assert.Contains("Stage 1: λ < 0.43", text, StringComparison.Ordinal);
        Assert.Contains("0.1.0-test", text, StringComparison.Ordinal);
        Assert.Contains("/models/Qwen3-4B-Thinking-2507", text, StringComparison.Ordinal);
        Assert.Contains("81920", text, StringComparison.Ordinal);
        Assert.Contains("has the highest Mean@k (80.5 %)", text, StringComparison.Ordinal);

        string csv = File.ReadAllText(files.SpectrumCsv);
        Assert.Contains("linear-l0.80,linear,0.8,,aime25,0.805,0.933,17574,0.999,0,true,false,true\r\n", csv, StringComparison.Ordinal);
        string md = File.ReadAllText(files.Markdown);
        Assert.Contains("](plots/aime25-accuracy-tokens.png)", md, StringComparison.Ordinal);
        Assert.Contains("](plots/aime25-lambda.png)", md, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "plots", "aime25-accuracy-tokens.png")));
        Assert.Contains("| linear-l0.80 | thinking (thinking) | 80.5 % vs 80.4 % | 17,574 vs 22,813 | yes |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_from_the_files_is_escaped_in_html_and_markdown()
    {
        string run = _temp.Sub("mi");
        const string hostile = "<script>alert(\"x\")</script> & 'q'";
        MiRunFolder.Write(run, generation: [new("preset", hostile)], paramValue: "a<b>&c|d");
        string other = _temp.File("out/elsewhere.html");

        ReportFiles files = SweepReportWriter.Write(run, other);

        Assert.Equal(other, files.Html);
        string html = File.ReadAllText(other);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;", html, StringComparison.Ordinal);
        Assert.Contains("note=a&lt;b&gt;&amp;c|d", html, StringComparison.Ordinal);
        XDocument.Parse(html["<!DOCTYPE html>\n".Length..]);
        string md = File.ReadAllText(files.Markdown);
        Assert.DoesNotContain("<script", md, StringComparison.Ordinal);
        Assert.Contains("note=a&lt;b&gt;&amp;c\\|d", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Pairs_without_metrics_are_listed_and_a_folder_without_any_is_refused()
    {
        string run = _temp.Sub("mi");
        MiRunFolder.Write(run);
        File.Delete(Path.Combine(run, "variants", "linear-l0.45", "aime25", "metrics.json"));

        ReportFiles files = SweepReportWriter.Write(run);

        Assert.Equal(["linear-l0.45/aime25"], files.Missing.ToArray());
        Assert.Equal(8, files.Points);
        Assert.Contains("Not evaluated yet: linear-l0.45/aime25.", File.ReadAllText(files.Html), StringComparison.Ordinal);
        Directory.Delete(Path.Combine(run, "variants"), recursive: true);
        var e = Assert.Throws<AlloyInputException>(() => SweepReportWriter.Write(run));
        Assert.Contains("no variant has a metrics.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_run_folder_is_named()
    {
        Assert.Contains("sweep.json", Assert.Throws<AlloyInputException>(() => SweepReportWriter.Write(_temp.Path)).Message, StringComparison.Ordinal);
        File.WriteAllText(_temp.File("sweep.json"), "{\"alloy_version\": 3}");
        Assert.Contains("alloy_version", Assert.Throws<AlloyInputException>(() => SweepReportWriter.Write(_temp.Path)).Message, StringComparison.Ordinal);
        string run = _temp.Sub("mi");
        MiRunFolder.Write(run);
        File.WriteAllText(Path.Combine(run, "variants", "linear-l0.45", "aime25", "metrics.json"), "{\"mean_at_k\": \"high\"}");
        Assert.Contains("mean_at_k", Assert.Throws<AlloyInputException>(() => SweepReportWriter.Write(run)).Message, StringComparison.Ordinal);
    }
}
