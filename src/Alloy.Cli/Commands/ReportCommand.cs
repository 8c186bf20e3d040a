// `alloy report RUNDIR [-o FILE.html] [--budget TOKENS]`: rebuilds spectrum.csv, plots, report.html and report.md of a
// sweep run folder from its files (sweep.json + variants/*/*/metrics.json). Parsing and printing only.
using System.CommandLine;
using System.Globalization;
using Alloy.Analysis.Reports;
using Alloy.Tensors;

namespace Alloy.Cli.Commands;

internal static class ReportCommand
{
    public static Command Create(TextWriter stdout)
    {
        var run = new Argument<string>("RUNDIR") { Description = "A sweep run folder (sweep.json and variants/VARIANT/BENCH/metrics.json)" };
        var output = new Option<string?>("-o", "--output") { Description = "Where to write the HTML report (default RUNDIR/report.html)" };
        var budget = new Option<double?>("--budget") { Description = "Mean-token budget for the recommendation (default: 100/75/50 % of the thinking parent's tokens)" };
        var command = new Command("report", "Rebuild a sweep's spectrum.csv, plots and report from its run folder") { run, output, budget };
        command.SetAction(parse =>
        {
            double? tokens = parse.GetValue(budget);
            if (tokens is double b && (!double.IsFinite(b) || b < 0))
                throw new AlloyInputException($"--budget {b.ToString(CultureInfo.InvariantCulture)} is invalid; expected a number of mean tokens ≥ 0");
            ReportFiles files = SweepReportWriter.Write(parse.GetValue(run)!, parse.GetValue(output), new ReportOptions(TokenBudget: tokens));
            stdout.WriteLine($"report: {files.Html}");
            stdout.WriteLine($"markdown: {files.Markdown}");
            stdout.WriteLine($"spectrum: {files.SpectrumCsv} ({files.Points} points)");
            stdout.WriteLine($"plots: {files.Plots.Length} files in {Path.GetDirectoryName(files.SpectrumCsv)}{Path.DirectorySeparatorChar}plots");
            if (!files.Missing.IsEmpty)
                stdout.WriteLine($"not evaluated yet: {string.Join(", ", files.Missing)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
