// `alloy report RUNDIR`: rebuilds the report files from a written run folder; a missing or invalid RUNDIR exits 2 with
// one line naming it.
using System.Collections.Immutable;
using Alloy.Analysis;
using Alloy.Analysis.Sweep;

namespace Alloy.Cli.Tests;

public sealed class ReportCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteRun()
    {
        string run = _temp.Sub("run");
        Directory.CreateDirectory(run);
        (string Name, double Lambda, ParentRole Role, double Acc, double Tokens, double Think)[] rows =
        [
            ("instruct", 0, ParentRole.Instruct, 0.466, 15097, 0),
            ("linear-l0.50", 0.5, ParentRole.None, 0.625, 11189, 0.596),
            ("linear-l0.80", 0.8, ParentRole.None, 0.805, 17574, 0.999),
            ("thinking", 1, ParentRole.Thinking, 0.804, 22813, 0.999),
        ];
        new SweepManifest("test", "mi.yml", "2026-12-02T00:00:00Z", [], [new("seed", "0")], "embedded",
            [new ManifestBenchmark("aime25", "aime25", 64, null)],
            [.. rows.Select(r => new ManifestVariant(r.Name, "linear", r.Lambda, ImmutableSortedDictionary<string, string>.Empty, r.Role))]).Write(run);
        foreach (var r in rows)
        {
            string dir = SweepRunner.PairDirectory(run, r.Name, "aime25");
            Directory.CreateDirectory(dir);
            new VariantMetrics(r.Name, "aime25", 30, 64, r.Acc, r.Acc - 0.03, r.Acc + 0.03, null, r.Tokens, r.Think, 0).WriteFile(Path.Combine(dir, "metrics.json"));
        }
        return run;
    }

    [Fact]
    public void Report_rebuilds_csv_plots_html_and_markdown_from_the_run_folder()
    {
        string run = WriteRun();
        string html = _temp.File("out/mi.html");

        CliResult result = CliRunner.Run("report", run, "-o", html, "--budget", "20000");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"report: {html}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("(4 points)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("<svg", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.Contains("Most accurate within 20,000 mean tokens", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "report.md")));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "spectrum.csv")).Length);
        Assert.True(File.Exists(Path.Combine(run, "plots", "aime25-accuracy-tokens.svg")));
    }

    [Fact]
    public void A_missing_or_invalid_run_folder_exits_2_with_one_line()
    {
        CliResult missing = CliRunner.Run("report", _temp.Sub("nope"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope", missing.Stderr, StringComparison.Ordinal);
        Assert.Single(missing.Stderr.Trim().Split('\n'));

        File.WriteAllText(_temp.File("sweep.json"), "not json");
        CliResult invalid = CliRunner.Run("report", _temp.Path);
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("sweep.json: not valid JSON", invalid.Stderr, StringComparison.Ordinal);
        Assert.Single(invalid.Stderr.Trim().Split('\n'));

        Assert.Equal(2, CliRunner.Run("report", WriteRun(), "--budget", "-5").ExitCode);
    }
}
