// Turns one sweep pair (variant × benchmark entry + the spec's generation block) into an evaluation job, the same way
// for every backend. It runs nothing.
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Running;
using Alloy.Inference.Sampling;

namespace Alloy.Analysis.Sweep;

internal static class SweepEvaluationJob
{
    /// <summary>
    /// The job for <paramref name="request"/>: the spec's preset (or, without one, the model's generation_config.json
    /// sampling fields) with the spec's explicit fields on top; samples from the benchmark entry or
    /// <paramref name="defaultSamples"/>; the entry's limit.
    /// </summary>
    public static EvaluationJob Create(VariantEvaluation request, Benchmark benchmark, GenerationDefaults defaults, string templateHash,
        Func<string, int>? countTokens, int defaultSamples, string backend)
    {
        var g = request.Generation;
        var preset = g.Preset is { } name ? GenerationPresets.Get(name) : GenerationPresets.FromModel(defaults);
        var settings = GenerationPresets.Resolve(preset, new GenerationOverrides(g.Temperature, g.TopP, g.TopK, g.MinP, MaxTokens: g.MaxTokens, Seed: g.Seed));
        return new EvaluationJob(request.VariantName, request.Benchmark.Name, benchmark, request.Benchmark.Samples ?? defaultSamples, settings, templateHash)
        {
            Limit = request.Benchmark.Limit,
            CountTokens = countTokens,
            Backend = backend,
        };
    }
}
