// The sweep's evaluator for the embedded backend: runs the evaluation harness on a variant's in-memory weights with
// Alloy's engine. It builds no weights (VariantBuilder does) and computes no analysis (the report does).
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Running;
using Alloy.Inference.Backends;

namespace Alloy.Analysis.Sweep;

/// <summary>Options of <see cref="EmbeddedVariantEvaluator"/>.</summary>
/// <param name="DataDirectory">Where named benchmarks are read from (a JSONL path in the spec is read as is).</param>
/// <param name="DefaultSamples">Samples per problem when a benchmark entry gives none.</param>
/// <param name="MaxBatchSize">Sequences the engine decodes as one batch.</param>
/// <param name="Threads">Compute threads, or null for all cores.</param>
/// <param name="Progress">Receives the harness's per-pair progress, or null.</param>
public sealed record EmbeddedEvaluatorOptions(
    string DataDirectory,
    int DefaultSamples = 1,
    int MaxBatchSize = 16,
    int? Threads = null,
    IProgress<EvaluationProgress>? Progress = null);

/// <summary>
/// Evaluates each variant × benchmark with <see cref="EmbeddedGenerator.FromWeights"/> over the variant's weights and
/// <see cref="Evaluator.RunAsync"/> in the pair's folder, so pairs resume at the sample level. Generation settings: the
/// spec's preset (or, without one, the tokenizer folder's generation_config.json), then the spec's explicit fields.
/// </summary>
public sealed class EmbeddedVariantEvaluator(EmbeddedEvaluatorOptions options) : IVariantEvaluator
{
    /// <inheritdoc />
    public async Task<VariantMetrics> EvaluateAsync(VariantEvaluation request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        var b = request.Benchmark;
        var benchmark = BenchmarkLoader.Load(b.Name, options.DataDirectory, BenchmarkLoader.ParseGrader(b.Grader));
        using var generator = EmbeddedGenerator.FromWeights(request.Weights, request.TokenizerFolder,
            new EmbeddedGeneratorOptions { MaxBatchSize = options.MaxBatchSize, Threads = options.Threads });
        var job = SweepEvaluationJob.Create(request, benchmark, generator.Defaults,
            ServedModelFiles.HashTemplate(generator.ChatTemplateSource),
            generator.CountTokens, options.DefaultSamples, "embedded") with { MaxConcurrentRequests = options.MaxBatchSize };
        var outcome = await Evaluator.RunAsync(generator, job, request.RunDirectory, options.Progress, cancellation).ConfigureAwait(false);
        return VariantMetrics.ReadFile(outcome.MetricsPath);
    }
}
