// Runs one model on one benchmark: schedules the samples the run store still lacks over an IGenerator with bounded
// concurrency, grades and saves each as soon as it returns, then writes samples.jsonl and metrics.json. It does not
// know which backend it drives, nor how weights are built.
using System.Diagnostics;
using System.Text.Json;
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Graders;
using Alloy.Evaluation.Grading;
using Alloy.Inference.Backends;
using Alloy.Tensors;
using Alloy.Tensors.IO;

namespace Alloy.Evaluation.Running;

/// <summary>
/// The evaluation loop. A run folder holds one <see cref="RunStore"/> (run.sqlite); every sample is committed there
/// the moment its request returns, so an interrupted run (crash, kill, Ctrl-C) loses at most the requests in flight,
/// and a rerun of the same job generates only what is missing. metrics.json is written last, atomically: its presence
/// means the run is complete.
/// </summary>
public static class Evaluator
{
    /// <summary>The samples file inside a run folder.</summary>
    public const string SamplesFileName = "samples.jsonl";

    /// <summary>
    /// Runs <paramref name="job"/> with <paramref name="generator"/> in <paramref name="runDirectory"/>.
    /// Problem p, sample i is prompted with the benchmark's prompt for (seed, p, i) as a single user turn and drawn with
    /// seed <c>Settings.Seed + i</c>. Samples of one prompt are requested together, up to
    /// <see cref="EvaluationJob.SamplesPerRequest"/> at a time (multiple-choice prompts differ per sample: one each).
    /// </summary>
    /// <exception cref="AlloyInputException">The run folder holds a run with other settings, or the benchmark changed.</exception>
    /// <exception cref="GeneratorException">The backend failed beyond its retries; finished samples stay saved.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; finished samples stay saved.</exception>
    public static async Task<EvaluationOutcome> RunAsync(IGenerator generator, EvaluationJob job, string runDirectory,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        var clock = Stopwatch.StartNew();
        var seed = unchecked((ulong)job.Settings.Seed);
        var problems = job.SelectedProblems();
        if (problems.Count == 0)
            throw new AlloyInputException($"{job.Benchmark.SourcePath}: no problems to evaluate (limit {job.Limit})");
        var byId = problems.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var grader = new BenchmarkGrader(job.Benchmark, seed);

        using var store = RunStore.Open(runDirectory, new RunSettings(job.Model, job.BenchmarkName, job.Settings, job.TemplateHash));
        foreach (var problem in problems)
            store.RegisterProblem(problem.Id, RunSettings.Sha256Hex(BenchmarkPrompts.Render(problem, job.Benchmark.Grader, seed, 0).Text));
        var pending = store.PendingSamples(job.Samples, problems.Select(p => p.Id));
        var total = problems.Count * job.Samples;
        var reused = total - pending.Count;
        var work = Batches(pending, job.Benchmark.Grader == GraderKind.Choice ? 1 : Math.Max(1, job.SamplesPerRequest));

        int done = reused, generated = 0;
        long tokens = 0;
        var generationClock = Stopwatch.StartNew();
        progress?.Report(new EvaluationProgress(done, total, reused, 0, TimeSpan.Zero));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, job.MaxConcurrentRequests), CancellationToken = cancellation };
        await Parallel.ForEachAsync(work, parallel, async (batch, ct) =>
        {
            var problem = byId[batch.ProblemId];
            var text = BenchmarkPrompts.Render(problem, job.Benchmark.Grader, seed, batch.Indices[0]).Text;
            var request = new GenerationRequest(GenerationPrompt.User(text), job.Settings, batch.Indices, job.Settings.Seed);
            var samples = await generator.GenerateAsync(request, ct).ConfigureAwait(false);
            foreach (var sample in samples)
            {
                var finish = sample.FinishReason == FinishReason.Length ? ResponseFinish.Truncated : ResponseFinish.Stopped;
                ResponseTokenSplit? split = job.CountTokens is { } count ? ResponseTokens.Split(sample.Text, sample.CompletionTokens, count) : null;
                var given = new GivenResponse(problem.Id, sample.SampleIndex, sample.Text, finish, sample.CompletionTokens, split?.Think, split?.Answer);
                var graded = grader.Grade(problem, given);
                var details = JsonSerializer.Serialize(new Dictionary<string, string> { ["reason"] = graded.Reason });
                store.AddSample(new NewSample(problem.Id, sample.SampleIndex, sample.Seed, sample.Text, sample.CompletionTokens,
                    split?.Think, split?.Answer, sample.FinishReason, new SampleGrade(graded.Correct, graded.Extracted, details)));
                Interlocked.Add(ref tokens, sample.CompletionTokens);
                Interlocked.Increment(ref generated);
            }
            var now = Interlocked.Add(ref done, samples.Count);
            progress?.Report(new EvaluationProgress(now, total, reused, Interlocked.Read(ref tokens), generationClock.Elapsed));
        }).ConfigureAwait(false);

        var responses = new List<GivenResponse>(total);
        foreach (var s in store.ReadSamples())
        {
            if (s.SampleIndex >= job.Samples || !byId.ContainsKey(s.ProblemId))
                continue;
            responses.Add(new GivenResponse(s.ProblemId, s.SampleIndex, s.Text,
                s.FinishReason == FinishReason.Length ? ResponseFinish.Truncated : ResponseFinish.Stopped,
                s.CompletionTokens, s.ThinkTokens, s.AnswerTokens));
        }
        if (responses.Count != total)
            throw new InvalidOperationException($"the run store holds {responses.Count} of {total} samples after generation");
        var report = ResponseGrading.Grade(job.Benchmark, responses, seed);

        var samplesPath = Path.Combine(runDirectory, SamplesFileName);
        store.ExportSamplesJsonl(samplesPath);
        var metricsPath = Path.Combine(runDirectory, MetricsFile.FileName);
        AtomicFile.WriteAllText(metricsPath, MetricsFile.ToJson(report.Metrics, job.Model, job.Benchmark.Name, SettingsJson(job)) + "\n");
        return new EvaluationOutcome(report, generated, reused, tokens, clock.Elapsed, metricsPath, samplesPath);
    }

    /// <summary>metrics.json's <c>settings</c>: the generation settings' canonical fields, then grader, samples, limit, template hash and backend.</summary>
    public static string SettingsJson(EvaluationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            using (var generation = JsonDocument.Parse(job.Settings.ToCanonicalJson()))
                foreach (var field in generation.RootElement.EnumerateObject())
                    field.WriteTo(w);
            w.WriteString("grader", job.Benchmark.Grader.ToString().ToLowerInvariant());
            w.WriteNumber("samples", job.Samples);
            if (job.Limit is int limit)
                w.WriteNumber("limit", limit);
            else
                w.WriteNull("limit");
            w.WriteString("template_hash", job.TemplateHash);
            w.WriteString("backend", job.Backend);
            w.WriteString("benchmark_source", job.Benchmark.SourcePath);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private sealed record Batch(string ProblemId, int[] Indices);

    // Consecutive pending indices of one problem, in chunks of at most `size`, in the store's order (problem, index).
    private static List<Batch> Batches(IReadOnlyList<PendingSample> pending, int size)
    {
        var batches = new List<Batch>();
        foreach (var group in pending.GroupBy(p => p.ProblemId, StringComparer.Ordinal))
            foreach (var chunk in group.Select(p => p.SampleIndex).Chunk(size))
                batches.Add(new Batch(group.Key, chunk));
        return batches;
    }
}
