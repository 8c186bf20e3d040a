// `alloy demo` end to end on the bundled twin: the spectrum behaves as the twin's parents do (Think#R from ≈0 to ≈1,
// the thinking parent more accurate, tokens growing with λ), the stages are found, the report has its plots, and a
// rerun resumes without evaluating again.
using System.Globalization;

namespace Alloy.Cli.Tests;

public class DemoCommandTests
{
    private sealed record Row(string Variant, string Method, double? Lambda, double MeanAtK, double Tokens, double ThinkRatio);

    private static List<Row> Spectrum(string folder) =>
        [.. File.ReadAllLines(Path.Combine(folder, "spectrum.csv")).Skip(1).Select(line => line.Split(',')).Select(c => new Row(
            c[0], c[1], c[2].Length == 0 ? null : double.Parse(c[2], CultureInfo.InvariantCulture),
            double.Parse(c[5], CultureInfo.InvariantCulture), double.Parse(c[7], CultureInfo.InvariantCulture), double.Parse(c[8], CultureInfo.InvariantCulture)))];

    [Fact]
    public void The_demo_charts_a_real_spectrum_between_the_bundled_parents_and_writes_the_report()
    {
        using var temp = new TempFolder();
        var run = temp.Sub("demo");
        var result = CliRunner.Run("demo", "-o", run);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        Assert.Contains("17 evaluated, 0 reused", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("stage 2 (Think#R from 10.0 % to 90.0 %)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Most accurate within", result.Stdout, StringComparison.Ordinal);

        var rows = Spectrum(run);
        Assert.Equal(17, rows.Count);
        var instruct = rows.Single(r => r.Variant == "instruct");
        var thinking = rows.Single(r => r.Variant == "thinking");
        Assert.True(instruct.ThinkRatio < 0.05, $"instruct Think#R {instruct.ThinkRatio}");
        Assert.True(thinking.ThinkRatio > 0.95, $"thinking Think#R {thinking.ThinkRatio}");
        Assert.True(thinking.MeanAtK > instruct.MeanAtK + 0.2, $"thinking {thinking.MeanAtK} vs instruct {instruct.MeanAtK}");
        Assert.True(thinking.Tokens > 2 * instruct.Tokens, $"thinking {thinking.Tokens} vs instruct {instruct.Tokens} tokens");

        // Along the linear series (parents at its ends) Think#R and tokens rise with λ, allowing small local dips.
        var linear = rows.Where(r => r.Method == "linear").OrderBy(r => r.Lambda).ToList();
        Assert.Equal(11, linear.Count);
        for (var i = 1; i < linear.Count; i++)
        {
            Assert.True(linear[i].Tokens >= linear[i - 1].Tokens - 0.15 * thinking.Tokens, $"tokens drop at λ={linear[i].Lambda}: {linear[i - 1].Tokens} → {linear[i].Tokens}");
            Assert.True(linear[i].ThinkRatio >= linear[i - 1].ThinkRatio - 0.15, $"Think#R drops at λ={linear[i].Lambda}");
        }
        Assert.True(linear.Where(r => r.Lambda >= 0.7).Min(r => r.Tokens) > linear.Where(r => r.Lambda <= 0.3).Max(r => r.Tokens));
        Assert.Contains(linear, r => r.ThinkRatio is > 0.1 and < 0.9);

        // The report is self-contained with both plots inline; the spec the demo ran is kept beside it.
        var html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.True(html.Split("<svg").Length - 1 >= 2, "report.html should inline the accuracy and λ plots");
        Assert.True(File.Exists(Path.Combine(run, "plots", "eval-accuracy-tokens.png")));
        Assert.True(File.Exists(Path.Combine(run, "demo-sweep.yml")));

        var again = CliRunner.Run("demo", "-o", run);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 evaluated, 17 reused", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_twin_is_exit_code_2_naming_the_folder()
    {
        using var temp = new TempFolder();
        var result = CliRunner.Run("demo", "--twin", temp.Sub("nothing"), "-o", temp.Sub("run"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nothing", result.Stderr, StringComparison.Ordinal);
    }
}
