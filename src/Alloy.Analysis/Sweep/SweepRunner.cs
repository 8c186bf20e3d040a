// Runs a sweep: for each variant, build it (or open a parent), evaluate it on every benchmark through IVariantEvaluator,
// then write spectrum.csv, plots and the report. Resumable per variant × benchmark. It grades nothing itself.
using System.Diagnostics;
using Alloy.Analysis.Reports;
using Alloy.Inference.Transformer;
using Alloy.Merging.Execution;
using Alloy.Tensors;

namespace Alloy.Analysis.Sweep;

/// <summary>What an evaluator is asked to do: one variant on one benchmark.</summary>
/// <param name="VariantName">The variant's name (use it as the <c>model</c> of metrics.json).</param>
/// <param name="Weights">The variant's weights (valid until the call returns).</param>
/// <param name="TokenizerFolder">The model folder whose tokenizer files and chat template to use.</param>
/// <param name="Benchmark">The benchmark, with samples, grader and limit.</param>
/// <param name="Generation">The sweep's generation settings.</param>
/// <param name="RunDirectory">RUNDIR/variants/VARIANT/BENCH: the evaluator's own folder (samples, run store).</param>
/// <param name="ModelFolder">The variant as a model folder on disk (openai backend: what a server loads), or null for an in-memory merge.</param>
public sealed record VariantEvaluation(
    string VariantName,
    IWeightSource Weights,
    string TokenizerFolder,
    SweepBenchmark Benchmark,
    SweepGeneration Generation,
    string RunDirectory,
    string? ModelFolder = null);

/// <summary>
/// The seam between the sweep and the evaluation harness: evaluates one in-memory (or mapped) model on one benchmark.
/// </summary>
/// <remarks>
/// Contract: the evaluator may keep anything it needs in <see cref="VariantEvaluation.RunDirectory"/> (a sample-level run
/// store, samples.jsonl) and resume from it. It returns the metrics; when it has not written
/// <c>RunDirectory/metrics.json</c> itself the runner writes it from the result. metrics.json marks the pair as done, so
/// an evaluator that writes it must do so atomically and only when complete.
/// </remarks>
public interface IVariantEvaluator
{
    /// <summary>Evaluates <paramref name="request"/> and returns its metrics (DESIGN.md's metrics.json fields).</summary>
    Task<VariantMetrics> EvaluateAsync(VariantEvaluation request, CancellationToken cancellation);

    /// <summary>Called once a variant's benchmarks are all evaluated (or its evaluation failed), e.g. to stop its server.</summary>
    Task ReleaseAsync(string variantName) => Task.CompletedTask;
}

/// <summary>Progress of a sweep, reported before each evaluation and once at the end.</summary>
/// <param name="VariantsDone">Variants finished (all benchmarks), reused ones included.</param>
/// <param name="VariantsTotal">Variants in the sweep.</param>
/// <param name="CurrentVariant">The variant being worked on, or null at the end.</param>
/// <param name="CurrentBenchmark">The benchmark being evaluated, or null.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Eta">Estimated time left: mean time per variant built in this run × variants left; null before the first one.</param>
public sealed record SweepProgress(int VariantsDone, int VariantsTotal, string? CurrentVariant, string? CurrentBenchmark, TimeSpan Elapsed, TimeSpan? Eta);

/// <summary>Options of one sweep run.</summary>
/// <param name="RunDirectory">RUNDIR (created when missing).</param>
/// <param name="Resume">Allow a RUNDIR that already holds a sweep.json (finished pairs are kept); without it such a RUNDIR is an error.</param>
/// <param name="Execution">Merge executor limits; null for the default.</param>
/// <param name="Report">Report options; null for the default.</param>
public sealed record SweepRunOptions(string RunDirectory, bool Resume = false, ExecutionOptions? Execution = null, ReportOptions? Report = null);

/// <summary>The outcome of a sweep.</summary>
/// <param name="RunDirectory">RUNDIR.</param>
/// <param name="Evaluated">Variant × benchmark pairs evaluated in this run.</param>
/// <param name="Reused">Pairs whose metrics.json was already there.</param>
/// <param name="BuildTime">Time spent building variants (merging, or opening parents).</param>
/// <param name="EvaluationTime">Time spent in the evaluator.</param>
/// <param name="Elapsed">Wall-clock time of the whole run, report included.</param>
/// <param name="Report">The files the report step wrote.</param>
public sealed record SweepResult(string RunDirectory, int Evaluated, int Reused, TimeSpan BuildTime, TimeSpan EvaluationTime, TimeSpan Elapsed, ReportFiles Report)
{
    /// <summary>BuildTime ÷ (BuildTime + EvaluationTime), or 0 when nothing ran.</summary>
    public double BuildShare => BuildTime + EvaluationTime == TimeSpan.Zero ? 0 : BuildTime / (BuildTime + EvaluationTime);
}

/// <summary>
/// Runs sweeps: with the embedded backend each merged variant is built in memory; with the openai backend it is written
/// to RUNDIR/models/VARIANT for a server to load, and deleted once its benchmarks are done. See <see cref="RunAsync"/>.
/// </summary>
/// <param name="evaluator">Evaluates one variant on one benchmark.</param>
public sealed class SweepRunner(IVariantEvaluator evaluator)
{
    /// <summary>The folder of one variant × benchmark: RUNDIR/variants/VARIANT/BENCH.</summary>
    public static string PairDirectory(string runDirectory, string variant, string benchmarkDirectory) =>
        Path.Combine(runDirectory, "variants", variant, benchmarkDirectory);

    /// <summary>
    /// Expands <paramref name="spec"/>, writes RUNDIR/sweep.json and (once) RUNDIR/parents-diff.json, then for each variant whose benchmarks are not all done
    /// (RUNDIR/variants/VARIANT/BENCH/metrics.json missing) builds it once and evaluates the missing benchmarks in spec
    /// order, and finally rebuilds spectrum.csv, plots, report.html and report.md from the files
    /// (<see cref="SweepReportWriter.Write"/>).
    /// </summary>
    /// <exception cref="AlloyInputException">RUNDIR holds a sweep without <see cref="SweepRunOptions.Resume"/>, or a model or config is bad.</exception>
    public async Task<SweepResult> RunAsync(SweepSpec spec, SweepRunOptions options, IProgress<SweepProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        string runDirectory = Path.GetFullPath(options.RunDirectory);
        if (File.Exists(Path.Combine(runDirectory, SweepManifest.FileName)) && !options.Resume)
            throw new AlloyInputException($"{runDirectory}: already holds a sweep (sweep.json); expected --resume to continue it, or a new run directory");
        var total = Stopwatch.StartNew();
        var variants = spec.Expand();
        Directory.CreateDirectory(runDirectory);
        SweepManifest.For(spec, variants, DateTimeOffset.UtcNow).Write(runDirectory);
        // One streamed pass over both parents: where they differ, per layer and module, for the report.
        if (!File.Exists(Path.Combine(runDirectory, ParentDifference.FileName)))
            ParentDifference.Compute(spec.Models.Instruct, spec.Models.Thinking, options.Execution?.Threads ?? Environment.ProcessorCount).Write(runDirectory);

        var builder = new VariantBuilder(spec, options.Execution);
        TimeSpan evaluationTime = TimeSpan.Zero;
        int evaluated = 0, reused = 0, done = 0, builtThisRun = 0;
        TimeSpan workThisRun = TimeSpan.Zero;
        foreach (SweepVariant variant in variants)
        {
            cancellation.ThrowIfCancellationRequested();
            var pending = spec.Benchmarks
                .Where(b => !File.Exists(Path.Combine(PairDirectory(runDirectory, variant.Name, b.DirectoryName), "metrics.json")))
                .ToList();
            reused += spec.Benchmarks.Length - pending.Count;
            if (pending.Count == 0)
            {
                done++;
                continue;
            }
            var variantClock = Stopwatch.StartNew();
            progress?.Report(new SweepProgress(done, variants.Length, variant.Name, null, total.Elapsed, Eta(workThisRun, builtThisRun, variants.Length - done)));
            bool onDisk = spec.Backend.Type != "embedded";
            string modelFolder = Path.Combine(runDirectory, "models", variant.Name);
            using (BuiltVariant built = onDisk ? builder.BuildToFolder(variant, modelFolder, cancellation) : builder.Build(variant, cancellation))
            {
                try
                {
                    foreach (SweepBenchmark benchmark in pending)
                    {
                        progress?.Report(new SweepProgress(done, variants.Length, variant.Name, benchmark.Name, total.Elapsed, Eta(workThisRun, builtThisRun, variants.Length - done)));
                        string pairDirectory = PairDirectory(runDirectory, variant.Name, benchmark.DirectoryName);
                        Directory.CreateDirectory(pairDirectory);
                        var evalClock = Stopwatch.StartNew();
                        VariantMetrics metrics = await evaluator.EvaluateAsync(
                            new VariantEvaluation(variant.Name, built.Weights, built.TokenizerFolder, benchmark, spec.Generation, pairDirectory, built.ModelFolder), cancellation).ConfigureAwait(false);
                        evaluationTime += evalClock.Elapsed;
                        ArgumentNullException.ThrowIfNull(metrics, "the evaluator's result");
                        string metricsPath = Path.Combine(pairDirectory, "metrics.json");
                        if (!File.Exists(metricsPath)) metrics.WriteFile(metricsPath);
                        evaluated++;
                    }
                }
                finally
                {
                    await evaluator.ReleaseAsync(variant.Name).ConfigureAwait(false);
                }
            }
            if (onDisk && !variant.IsParent && Directory.Exists(modelFolder))
                Directory.Delete(modelFolder, recursive: true);
            done++;
            builtThisRun++;
            workThisRun += variantClock.Elapsed;
        }
        ReportFiles report = SweepReportWriter.Write(runDirectory, null, options.Report);
        progress?.Report(new SweepProgress(done, variants.Length, null, null, total.Elapsed, TimeSpan.Zero));
        return new SweepResult(runDirectory, evaluated, reused, builder.TotalBuildTime, evaluationTime, total.Elapsed, report);
    }

    private static TimeSpan? Eta(TimeSpan work, int built, int left) => built == 0 ? null : work / built * left;
}
