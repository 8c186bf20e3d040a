// The evaluator over the OpenAI-compatible backend against the loopback fake vLLM server: a run with 500s, 429s,
// dropped connections and slow replies finishes complete (malformed JSON fails fast by the generator's design); a run whose only endpoint dies stops cleanly with
// every finished sample saved, and the rerun against a live server asks only for the rest.
using System.Text.Json.Nodes;
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Grading;
using Alloy.Evaluation.Running;
using Alloy.Inference.Backends;
using Alloy.Inference.Tests.Backends;

namespace Alloy.Evaluation.Tests.Running;

public sealed class EvaluatorOverHttpTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "alloy-evaluator-http-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
    }

    // The fake answers "… is 42." with a think block, so every sample is correct and thinks.
    private Benchmark FortyTwo(int problems)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, "q.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, problems).Select(i =>
            new JsonObject { ["id"] = $"q{i}", ["question"] = $"Question {i}", ["answer"] = "42" }.ToJsonString()));
        return BenchmarkLoader.Load(path, root, GraderKind.Number);
    }

    private static OpenAiGenerator Generator(Uri url, int attempts = 6, int failures = 3) => new(new OpenAiGeneratorOptions
    {
        Endpoints = [new OpenAiEndpoint(url, 2)],
        Model = "merged",
        RequestTimeout = TimeSpan.FromSeconds(2),
        MaxAttemptsPerSample = attempts,
        MaxConsecutiveFailuresPerEndpoint = failures,
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(10),
    });

    private static EvaluationJob Job(Benchmark benchmark, int samples) =>
        new("merged", benchmark.SourcePath, benchmark, samples, GenerationPresets.Resolve(GenerationPresets.Get("qwen3-thinking"), new GenerationOverrides(MaxTokens: 64)), "served")
        {
            SamplesPerRequest = 1,
            MaxConcurrentRequests = 2,
            Backend = "openai",
        };

    [Fact]
    public async Task Server_faults_are_retried_and_the_run_completes()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.Http500, Fault.DropMidResponse, Fault.Slow, Fault.Http429, Fault.Http500);
        using var generator = Generator(server.BaseUrl, failures: 8);
        var outcome = await Evaluator.RunAsync(generator, Job(FortyTwo(4), 3), Path.Combine(root, "run"));

        Assert.Equal(12, outcome.Generated);
        Assert.Equal(1.0, outcome.Report.Metrics.MeanAtK.Mean, 12);
        Assert.Equal(1.0, outcome.Report.Metrics.ThinkRatio, 12);
        Assert.Equal(12, File.ReadAllLines(outcome.SamplesPath).Length);
        // Every request carried the full sampling settings and one seed per sample.
        var seeds = server.Requests.Where(r => r.Body["seed"] is not null).Select(r => r.Body["seed"]!.GetValue<long>()).Distinct().Order().ToArray();
        Assert.Equal([0L, 1L, 2L], seeds);
        Assert.All(server.Requests, r => Assert.Equal(20, r.Body["top_k"]!.GetValue<int>()));
    }

    [Fact]
    public async Task An_endpoint_that_dies_mid_run_stops_it_cleanly_and_the_rerun_generates_only_the_rest()
    {
        var benchmark = FortyTwo(5);
        var run = Path.Combine(root, "run");
        await using (var dying = await FakeOpenAiServer.StartAsync())
        {
            dying.DieAfter = 6;
            using var generator = Generator(dying.BaseUrl, attempts: 2);
            await Assert.ThrowsAsync<GeneratorException>(() => Evaluator.RunAsync(generator, Job(benchmark, 4), run));
        }
        Assert.False(File.Exists(Path.Combine(run, MetricsFile.FileName)));
        int saved;
        using (var store = RunStore.Open(run, new RunSettings("merged", benchmark.SourcePath, Job(benchmark, 4).Settings, "served")))
            saved = store.ReadSamples().Count;
        Assert.InRange(saved, 1, 6);

        await using var live = await FakeOpenAiServer.StartAsync();
        using var second = Generator(live.BaseUrl);
        var outcome = await Evaluator.RunAsync(second, Job(benchmark, 4), run);
        Assert.Equal(saved, outcome.Reused);
        Assert.Equal(20 - saved, outcome.Generated);
        Assert.Equal(20 - saved, live.Requests.Count);
        Assert.Equal(1.0, outcome.Report.Metrics.MeanAtK.Mean, 12);
    }
}
