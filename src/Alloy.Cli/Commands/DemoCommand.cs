// `alloy demo [-o DIR]`: the whole pipeline on the bundled tiny thinking/instruct twin — linear, SLERP and TIES merges
// over a λ grid, built in memory, evaluated on the twin's held-out arithmetic set, then the spectrum, stages, the λ to
// pick and the HTML report. It writes the sweep spec it runs into DIR so the same run can be repeated with `alloy sweep`.
using System.CommandLine;
using System.Globalization;
using Alloy.Analysis.Reports;
using Alloy.Analysis.Sweep;
using Alloy.Evaluation.Benchmarks;
using Alloy.Tensors;
using Spectre.Console;

namespace Alloy.Cli.Commands;

internal static class DemoCommand
{
    /// <summary>Where the twin is bundled beside the executable (copied from tests/fixtures/twin at build time).</summary>
    public static string BundledTwin => Path.Combine(AppContext.BaseDirectory, "demo", "twin");

    /// <summary>The sweep the demo runs, as YAML; <paramref name="twin"/> is the folder holding base/, instruct/, thinking/ and eval.jsonl.</summary>
    public static string SpecYaml(string twin, string output, int samples)
    {
        string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";
        return string.Create(CultureInfo.InvariantCulture, $"""
            # The sweep `alloy demo` runs on the bundled twin; rerun it with: alloy sweep {Path.Combine(output, "demo-sweep.yml")} --resume
            models:
              thinking: {Quote(Path.Combine(twin, "thinking"))}
              instruct: {Quote(Path.Combine(twin, "instruct"))}
              base: {Quote(Path.Combine(twin, "base"))}
            methods:
              - method: linear
                lambda: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
              - method: slerp
                lambda: [0.25, 0.5, 0.75]
              - method: ties
                lambda: [0.25, 0.5, 0.75]
                density: 0.5
            benchmarks:
              - name: {Quote(Path.Combine(twin, "eval.jsonl"))}
                grader: number
                samples: {samples}
            generation: {"{"} preset: qwen3-thinking, max_tokens: 384, seed: 0 {"}"}
            output: {Quote(output)}

            """);
    }

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<string>("-o", "--output") { Description = "Run folder (a rerun resumes it)", DefaultValueFactory = _ => "alloy-demo" };
        var samples = new Option<int>("--samples") { Description = "Samples per problem", DefaultValueFactory = _ => 2 };
        var threads = new Option<int?>("--threads") { Description = "Compute threads (default: all cores)" };
        var twin = new Option<string?>("--twin") { Description = "The twin folder (default: the one bundled with alloy)" };
        var command = new Command("demo", "Run the whole pipeline on the bundled tiny thinking/instruct twin and write the report") { output, samples, threads, twin };
        command.SetAction(async (parse, cancellation) =>
        {
            var folder = Path.GetFullPath(parse.GetValue(twin) ?? BundledTwin);
            foreach (var required in new[] { "thinking", "instruct", "base" })
                if (!File.Exists(Path.Combine(folder, required, "config.json")))
                    throw new AlloyInputException($"{Path.Combine(folder, required)}: the demo twin is missing; expected base/, instruct/, thinking/ and eval.jsonl under {folder} (built from tests/fixtures/twin)");
            if (parse.GetValue(samples) < 1)
                throw new AlloyInputException($"--samples {parse.GetValue(samples)} is invalid: use at least 1");
            var runDirectory = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(runDirectory);
            var specPath = Path.Combine(runDirectory, "demo-sweep.yml");
            var yaml = SpecYaml(folder, runDirectory, parse.GetValue(samples));
            var resume = File.Exists(Path.Combine(runDirectory, SweepManifest.FileName));
            if (resume && File.Exists(specPath) && File.ReadAllText(specPath) != yaml)
                throw new AlloyInputException($"{runDirectory}: holds a demo run with other settings ({specPath}); expected a new folder (-o) or the same --samples");
            File.WriteAllText(specPath, yaml);
            var spec = SweepSpecParser.ParseFile(specPath);
            stderr.WriteLine($"demo: {spec.Expand().Length} variants of the tiny twin in {folder}, evaluated on its held-out arithmetic set; run folder {runDirectory}{(resume ? " (resuming)" : "")}");

            var evaluator = new EmbeddedVariantEvaluator(new EmbeddedEvaluatorOptions(BenchmarkLoader.DefaultDataDirectory(), Threads: parse.GetValue(threads)));
            var progress = new InlineProgress<SweepProgress>(p =>
            {
                if (p.CurrentVariant is null || p.CurrentBenchmark is null) return;
                var eta = p.Eta is TimeSpan t ? $", ETA {t:mm\\:ss}" : "";
                stderr.WriteLine($"  [{p.VariantsDone + 1}/{p.VariantsTotal}] {p.CurrentVariant}{eta}");
            });
            var result = await new SweepRunner(evaluator).RunAsync(spec, new SweepRunOptions(runDirectory, Resume: resume), progress, cancellation).ConfigureAwait(false);
            PrintSummary(stdout, runDirectory);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Evaluated} evaluated, {result.Reused} reused in {result.Elapsed.TotalSeconds:0.0} s (building merged weights: {100 * result.BuildShare:0.0} % of the time)"));
            stdout.WriteLine($"report: {result.Report.Html}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void PrintSummary(TextWriter stdout, string runDirectory)
    {
        var content = SweepReportWriter.Analyze(runDirectory, ReportOptions.Default);
        var console = Output.Console(stdout);
        // A compact view of the spectrum table (report.md has every column): variant, λ, accuracy, tokens, Think#R, frontier.
        int[] columns = [0, 2, 5, 7, 8, 9, 10, 13];
        var table = new Table().Border(TableBorder.Simple);
        foreach (var i in columns)
        {
            var column = new TableColumn(Markup.Escape(ReportText.TableColumns[i])).NoWrap();
            if (ReportText.NumericColumn(i)) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in content.Pareto.Rows)
        {
            var cells = ReportText.TableRow(row);
            table.AddRow(columns.Select(i => new Text(cells[i])).ToArray());
        }
        console.Write(table);
        foreach (var section in content.Benchmarks)
        {
            stdout.WriteLine($"{section.Name}: stages: {ReportText.Stages(section.Stages)}");
            foreach (var (question, answer) in section.Recommendations)
                stdout.WriteLine($"  {question}: {answer.Choice?.Variant ?? "none"} ({answer.Reason})");
        }
    }
}
