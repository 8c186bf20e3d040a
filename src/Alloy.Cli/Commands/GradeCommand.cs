// `alloy grade RESPONSES.jsonl --bench NAME|FILE [--grader G] [--seed S] [--data-dir D] [-o RUNDIR]`:
// grades existing responses and writes metrics.json and verdicts.jsonl. Parsing and printing only.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Grading;
using Alloy.Tensors;
using Alloy.Tensors.IO;

namespace Alloy.Cli.Commands;

internal static class GradeCommand
{
    public static Command Create(TextWriter stdout)
    {
        var responses = new Argument<string>("RESPONSES") { Description = "JSONL: id, response[, sample, finish_reason, completion_tokens]" };
        var bench = new Option<string>("--bench") { Description = "A benchmark name (aime24, aime25, hmmt25, math500, gsm8k, gpqa-diamond, ifeval) or a JSONL file", Required = true };
        var grader = new Option<string?>("--grader") { Description = "math | number | choice | ifeval (default: the benchmark's)" };
        var seed = new Option<ulong>("--seed") { Description = "The seed the prompts were made with (fixes GPQA's option order)", DefaultValueFactory = _ => 0 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder of the benchmark data files (default ~/.cache/alloy/datasets)" };
        var output = new Option<string?>("-o", "--output") { Description = "Run folder for metrics.json and verdicts.jsonl (default: print metrics only)" };
        var command = new Command("grade", "Grade existing responses without generating anything") { responses, bench, grader, seed, dataDir, output };
        command.SetAction(parse =>
        {
            var kind = BenchmarkLoader.ParseGrader(parse.GetValue(grader), "--grader");
            var benchmark = BenchmarkLoader.Load(parse.GetValue(bench)!, parse.GetValue(dataDir) ?? BenchmarkLoader.DefaultDataDirectory(), kind);
            var given = ResponseGrading.ReadResponses(parse.GetValue(responses)!);
            var report = ResponseGrading.Grade(benchmark, given, parse.GetValue(seed));
            var metrics = MetricsJson(report, parse.GetValue(responses)!, parse.GetValue(seed));
            if (parse.GetValue(output) is { } folder)
            {
                Directory.CreateDirectory(folder);
                AtomicFile.WriteAllText(Path.Combine(folder, MetricsFile.FileName), metrics + "\n");
                AtomicFile.WriteAllText(Path.Combine(folder, "verdicts.jsonl"), string.Concat(report.Responses.Select(r => VerdictLine(r) + "\n")));
            }
            var m = report.Metrics;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{benchmark.Name}: {m.Problems} problems × {m.Samples} samples; Mean@{m.Samples} {100 * m.MeanAtK.Mean:0.00} [{100 * m.MeanAtK.IntervalLow:0.00}, {100 * m.MeanAtK.IntervalHigh:0.00}], Pass@{m.Samples} {100 * m.PassAtK:0.00}, Think#R {100 * m.ThinkRatio:0.0}%, truncated {100 * m.TruncatedRatio:0.0}%"));
            if (parse.GetValue(output) == null)
                stdout.WriteLine(metrics);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string VerdictLine(GradedResponse r)
    {
        return Output.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", r.Given.Id);
            w.WriteNumber("sample", r.Given.Sample);
            w.WriteBoolean("verdict", r.Correct);
            w.WriteString("extracted", r.Extracted);
            w.WriteString("reason", r.Reason);
            w.WriteEndObject();
        }, indented: false);
    }

    private static string MetricsJson(GradingReport report, string source, ulong seed)
    {
        var settings = Output.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("graded_from", source);
            w.WriteString("grader", report.Benchmark.Grader.ToString().ToLowerInvariant());
            w.WriteNumber("seed", seed);
            w.WriteEndObject();
        }, indented: false);
        return MetricsFile.ToJson(report.Metrics, source, report.Benchmark.Name, settings);
    }
}
