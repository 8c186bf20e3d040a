// `alloy sweep SWEEP.yml [-o RUNDIR] [--resume] [--dry-run]`: parses and expands the sweep spec; --dry-run plans every
// variant (headers only) and prints the variant × benchmark plan; otherwise runs the sweep. Parsing and printing only.
using System.CommandLine;
using System.Globalization;
using Alloy.Analysis.Sweep;
using Alloy.Evaluation.Benchmarks;
using Alloy.Tensors;

namespace Alloy.Cli.Commands;

internal static class SweepCommand
{
    /// <summary>The verb. <paramref name="evaluator"/> makes the evaluator for a spec; null for the embedded engine (<see cref="EmbeddedVariantEvaluator"/>).</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<SweepSpec, IVariantEvaluator>? evaluator = null)
    {
        var spec = new Argument<string>("SWEEP") { Description = "A sweep spec (YAML: models, methods with lambda lists, benchmarks, generation, backend, output)" };
        var output = new Option<string?>("-o", "--output") { Description = "The run folder (default: the spec's output:)" };
        var resume = new Option<bool>("--resume") { Description = "Continue a run folder that already holds a sweep; finished variant × benchmark pairs are kept" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Plan every variant (reads headers only) and print what would run; evaluate nothing" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder of the benchmark data files (default ~/.cache/alloy/datasets)" };
        var threads = new Option<int?>("--threads") { Description = "Compute threads of the embedded engine (default: all cores)" };
        var maxBatch = new Option<int>("--max-batch") { Description = "Sequences the embedded engine decodes as one batch", DefaultValueFactory = _ => 16 };
        var command = new Command("sweep", "Merge, evaluate and chart a spectrum of thinking/instruct merges") { spec, output, resume, dryRun, dataDir, threads, maxBatch };
        command.SetAction(parse =>
        {
            SweepSpec parsed = SweepSpecParser.ParseFile(parse.GetValue(spec)!);
            parsed = parsed with { Models = new SweepModels(ModelArgument.Resolve(parsed.Models.Thinking, stderr), ModelArgument.Resolve(parsed.Models.Instruct, stderr), parsed.Models.Base is { } b ? ModelArgument.Resolve(b, stderr) : null) };
            string? runDirectory = parse.GetValue(output) is { } o ? Path.GetFullPath(o) : parsed.Output;
            if (runDirectory is null)
                throw new AlloyInputException($"{parsed.SourceFile}: no run folder; expected -o RUNDIR or output: in the spec");
            var variants = parsed.Expand();
            if (parse.GetValue(dryRun))
            {
                PrintPlan(stdout, parsed, variants, runDirectory);
                return ExitCodes.Success;
            }
            if (parse.GetValue(maxBatch) < 1)
                throw new AlloyInputException($"--max-batch {parse.GetValue(maxBatch)} is invalid: use at least 1");
            var data = parse.GetValue(dataDir) ?? BenchmarkLoader.DefaultDataDirectory();
            var chosen = evaluator?.Invoke(parsed) ?? (parsed.Backend.Type == "embedded"
                ? new EmbeddedVariantEvaluator(new EmbeddedEvaluatorOptions(data, MaxBatchSize: parse.GetValue(maxBatch), Threads: parse.GetValue(threads), Progress: SampleProgress.Lines(stderr, "    ")))
                : new OpenAiVariantEvaluator(parsed, new OpenAiEvaluatorOptions(data, Progress: SampleProgress.Lines(stderr, "    "))));
            var progress = new InlineProgress<SweepProgress>(p =>
            {
                if (p.CurrentVariant is null) return;
                string eta = p.Eta is TimeSpan t ? $", ETA {t:hh\\:mm\\:ss}" : "";
                stderr.WriteLine($"[{p.VariantsDone}/{p.VariantsTotal}] {p.CurrentVariant}{(p.CurrentBenchmark is null ? "" : " on " + p.CurrentBenchmark)}{eta}");
            });
            SweepResult result = new SweepRunner(chosen)
                .RunAsync(parsed, new SweepRunOptions(runDirectory, parse.GetValue(resume)), progress).GetAwaiter().GetResult();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sweep: {result.Evaluated} evaluated, {result.Reused} reused in {result.Elapsed.TotalSeconds:0.0} s (building weights {100 * result.BuildShare:0.0} % of build + evaluation)"));
            stdout.WriteLine($"report: {result.Report.Html}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void PrintPlan(TextWriter stdout, SweepSpec spec, IReadOnlyList<SweepVariant> variants, string runDirectory)
    {
        var builder = new VariantBuilder(spec);
        stdout.WriteLine($"sweep: {variants.Count} variants × {spec.Benchmarks.Length} benchmarks = {variants.Count * spec.Benchmarks.Length} evaluations, backend {spec.Backend.Type}, run folder {runDirectory}");
        foreach (SweepVariant v in variants)
        {
            VariantPlanSummary plan = builder.Describe(v);
            string lambda = v.Lambda is double l ? "λ=" + l.ToString("0.####", CultureInfo.InvariantCulture) : "λ=–";
            string what = v.IsParent
                ? $"parent, served from its checkpoint ({plan.Tensors} tensors, {InspectCommand.Bytes(plan.Bytes)})"
                : $"merge in memory: {plan.Merged} of {plan.Tensors} tensors merged, {InspectCommand.Bytes(plan.Bytes)}";
            int done = spec.Benchmarks.Count(b => File.Exists(Path.Combine(SweepRunner.PairDirectory(runDirectory, v.Name, b.DirectoryName), "metrics.json")));
            string status = done == 0 ? "" : $"; {done}/{spec.Benchmarks.Length} benchmarks done";
            string parameters = v.Params.Count == 0 ? "" : " [" + string.Join(", ", v.Params.Select(p => p.Key + "=" + p.Value)) + "]";
            stdout.WriteLine($"  {v.Name,-36} {v.Method,-16} {lambda,-9}{parameters}  {what}{status}");
        }
        foreach (SweepBenchmark b in spec.Benchmarks)
            stdout.WriteLine($"  benchmark {b.DirectoryName}: {b.Name}, samples {(b.Samples?.ToString(CultureInfo.InvariantCulture) ?? "default")}, grader {b.Grader ?? "default"}");
        if (spec.Generation.Describe() is { Count: > 0 } settings)
            stdout.WriteLine("  generation: " + string.Join(", ", settings.Select(s => s.Key + "=" + s.Value)));
    }
}
