// Tests of the evaluation loop over a scripted generator: metrics and files of a full run, resume after a cancelled run
// (no sample generated twice), settings changes refused, --limit, multiple-choice prompts per sample, presets and the
// thinking/answer token split. The generator here is a test double; the embedded engine is exercised by the Cli tests.
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Grading;
using Alloy.Evaluation.Running;
using Alloy.Inference.Backends;
using Alloy.Tensors;

namespace Alloy.Evaluation.Tests.Running;

public sealed class EvaluatorTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "alloy-evaluator-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
    }

    // Answers "What is a + b?" correctly on even sample indices (thinking first) and wrongly, without thinking, on odd
    // ones; each sample costs one token per character. Records every (prompt, index) it generated.
    private sealed class ScriptedGenerator : IGenerator
    {
        public ConcurrentBag<(string Prompt, int Index)> Generated { get; } = [];
        public int CancelAfterRequests { get; init; } = int.MaxValue;
        public CancellationTokenSource? Cancel { get; init; }
        private int _requests;

        public Task<IReadOnlyList<GeneratedSample>> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Interlocked.Increment(ref _requests) > CancelAfterRequests)
            {
                Cancel!.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }
            var prompt = request.Prompt.Messages![0].Content;
            var numbers = prompt.Split('\n')[0].Replace("What is ", "").TrimEnd('?').Split(" + ").Select(int.Parse).ToArray();
            var list = new List<GeneratedSample>();
            foreach (var index in request.SampleIndices)
            {
                var sum = numbers[0] + numbers[1];
                var text = index % 2 == 0 ? $"<think>\nadd {numbers[0]} and {numbers[1]}\n</think>\n\nThe answer is \\boxed{{{sum}}}." : $"The answer is \\boxed{{{sum + 1}}}.";
                Generated.Add((prompt, index));
                list.Add(new GeneratedSample(index, request.SeedFor(index), text, text.Length, FinishReason.Stop, null, 10));
            }
            return Task.FromResult<IReadOnlyList<GeneratedSample>>(list);
        }
    }

    private Benchmark Arithmetic(int problems = 5)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, "add.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, problems).Select(i =>
            new JsonObject { ["id"] = $"p{i}", ["question"] = $"What is {10 + i} + {i}?", ["answer"] = $"{10 + 2 * i}", ["level"] = 1 + i % 2 }.ToJsonString()));
        return BenchmarkLoader.Load(path, root, GraderKind.Number);
    }

    private static EvaluationJob Job(Benchmark benchmark, int samples, long seed = 0) =>
        new("scripted", benchmark.SourcePath, benchmark, samples, GenerationPresets.Resolve(GenerationPresets.Get("greedy"), new GenerationOverrides(Seed: seed, MaxTokens: 256)), "")
        {
            CountTokens = text => text.Length,
            SamplesPerRequest = 3,
            MaxConcurrentRequests = 2,
        };

    [Fact]
    public async Task A_full_run_grades_every_sample_and_writes_metrics_and_samples()
    {
        var benchmark = Arithmetic();
        var generator = new ScriptedGenerator();
        var run = Path.Combine(root, "run");
        var outcome = await Evaluator.RunAsync(generator, Job(benchmark, samples: 4), run);

        Assert.Equal(20, outcome.Generated);
        Assert.Equal(0, outcome.Reused);
        Assert.Equal(20, generator.Generated.Count);
        var metrics = JsonNode.Parse(File.ReadAllText(outcome.MetricsPath))!;
        Assert.Equal(0.5, metrics["mean_at_k"]!.GetValue<double>(), 12);
        Assert.Equal(1.0, metrics["pass_at"]!["4"]!.GetValue<double>(), 12);
        Assert.Equal(0.5, metrics["think_ratio"]!.GetValue<double>(), 12);
        Assert.Equal(0.0, metrics["truncated_ratio"]!.GetValue<double>(), 12);
        // Thinking samples: the think part is the text through </think>; the others have none.
        var thinking = "<think>\nadd 10 and 0\n</think>".Length;
        Assert.True(metrics["mean_think_tokens"]!.GetValue<double>() > thinking / 2.0 - 1);
        Assert.Equal(metrics["mean_tokens"]!.GetValue<double>(),
            metrics["mean_think_tokens"]!.GetValue<double>() + metrics["mean_answer_tokens"]!.GetValue<double>(), 9);
        Assert.Equal(2, metrics["levels"]!.AsArray().Count);
        Assert.Equal("number", metrics["settings"]!["grader"]!.GetValue<string>());
        Assert.Equal(0.0, metrics["settings"]!["temperature"]!.GetValue<double>());
        var lines = File.ReadAllLines(outcome.SamplesPath);
        Assert.Equal(20, lines.Length);
        Assert.All(lines, l => Assert.NotNull(JsonNode.Parse(l)!["correct"]));
    }

    [Fact]
    public async Task A_cancelled_run_keeps_its_samples_and_the_rerun_generates_only_the_rest()
    {
        var benchmark = Arithmetic(6);
        var run = Path.Combine(root, "run");
        using var cancel = new CancellationTokenSource();
        var first = new ScriptedGenerator { CancelAfterRequests = 3, Cancel = cancel };
        var job = Job(benchmark, samples: 6) with { MaxConcurrentRequests = 1 };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Evaluator.RunAsync(first, job, run, cancellation: cancel.Token));
        Assert.False(File.Exists(Path.Combine(run, MetricsFile.FileName)));
        Assert.Equal(9, first.Generated.Count);

        var second = new ScriptedGenerator();
        var outcome = await Evaluator.RunAsync(second, job, run);
        Assert.Equal(27, outcome.Generated);
        Assert.Equal(9, outcome.Reused);
        var all = first.Generated.Concat(second.Generated).ToList();
        Assert.Equal(36, all.Count);
        Assert.Equal(36, all.Distinct().Count());
        Assert.Equal(0.5, outcome.Report.Metrics.MeanAtK.Mean, 12);

        // A third run finds everything done and generates nothing.
        var third = new ScriptedGenerator();
        var again = await Evaluator.RunAsync(third, job, run);
        Assert.Empty(third.Generated);
        Assert.Equal(36, again.Reused);
    }

    [Fact]
    public async Task A_rerun_with_other_settings_is_refused_and_names_the_setting()
    {
        var benchmark = Arithmetic();
        var run = Path.Combine(root, "run");
        await Evaluator.RunAsync(new ScriptedGenerator(), Job(benchmark, 2, seed: 0), run);
        var error = await Assert.ThrowsAsync<AlloyInputException>(() => Evaluator.RunAsync(new ScriptedGenerator(), Job(benchmark, 2, seed: 7), run));
        Assert.Contains("seed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_samples_on_a_finished_run_generate_only_the_new_indices()
    {
        var benchmark = Arithmetic(3);
        var run = Path.Combine(root, "run");
        await Evaluator.RunAsync(new ScriptedGenerator(), Job(benchmark, 2), run);
        var more = new ScriptedGenerator();
        var outcome = await Evaluator.RunAsync(more, Job(benchmark, 4), run);
        Assert.Equal(6, more.Generated.Count);
        Assert.All(more.Generated, g => Assert.True(g.Index >= 2));
        Assert.Equal(4, outcome.Report.Metrics.Samples);
    }

    [Fact]
    public async Task Limit_evaluates_the_first_problems_only()
    {
        var benchmark = Arithmetic(5);
        var outcome = await Evaluator.RunAsync(new ScriptedGenerator(), Job(benchmark, 1) with { Limit = 2 }, Path.Combine(root, "run"));
        Assert.Equal(2, outcome.Report.Metrics.Problems);
        Assert.Equal(1.0, outcome.Report.Metrics.MeanAtK.Mean, 12);
        // With k = 1 the pass_at object has the single key "1" (no duplicate) and the interval is null.
        var metrics = JsonNode.Parse(File.ReadAllText(outcome.MetricsPath))!;
        Assert.Equal(1.0, metrics["pass_at"]!["1"]!.GetValue<double>());
        Assert.Single(metrics["pass_at"]!.AsObject());
        Assert.Null(metrics["mean_at_k_ci90"]);
    }

    [Fact]
    public async Task Multiple_choice_prompts_are_requested_one_sample_at_a_time()
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, "mc.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 2).Select(i => new JsonObject
        {
            ["id"] = $"q{i}", ["question"] = $"Pick {i}", ["choices"] = new JsonArray("right", "w1", "w2", "w3"), ["answer"] = "A",
        }.ToJsonString()));
        var benchmark = BenchmarkLoader.Load(path, root, GraderKind.Choice);
        var requests = new ConcurrentBag<int>();
        var generator = new ChoiceGenerator(requests);
        var outcome = await Evaluator.RunAsync(generator, Job(benchmark, 3), Path.Combine(root, "run"));
        Assert.Equal(6, requests.Count);
        Assert.All(requests, n => Assert.Equal(1, n));
        // The generator always picks the option printed as "right": graded against each sample's own shuffle.
        Assert.Equal(1.0, outcome.Report.Metrics.MeanAtK.Mean, 12);
    }

    private sealed class ChoiceGenerator(ConcurrentBag<int> requests) : IGenerator
    {
        public Task<IReadOnlyList<GeneratedSample>> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
        {
            requests.Add(request.SampleCount);
            var prompt = request.Prompt.Messages![0].Content;
            var letter = prompt.Split('\n').First(l => l.EndsWith(") right", StringComparison.Ordinal))[0];
            var index = request.SampleIndices[0];
            IReadOnlyList<GeneratedSample> result = [new GeneratedSample(index, request.SeedFor(index), $"Answer: {letter}", 3, FinishReason.Stop, null, null)];
            return Task.FromResult(result);
        }
    }

    [Fact]
    public void Presets_fix_the_sampling_fields_and_overrides_win()
    {
        var thinking = GenerationPresets.Resolve(GenerationPresets.Get("qwen3-thinking"));
        Assert.Equal((0.6, 0.95, 20, 0.0), (thinking.Temperature, thinking.TopP, thinking.TopK, thinking.MinP));
        var instruct = GenerationPresets.Resolve(GenerationPresets.Get("qwen3-instruct"), new GenerationOverrides(MaxTokens: 100, Seed: 3));
        Assert.Equal((0.7, 0.8, 20, 100, 3L), (instruct.Temperature, instruct.TopP, instruct.TopK, instruct.MaxTokens, instruct.Seed));
        var greedy = GenerationPresets.Resolve(GenerationPresets.Get("greedy"), new GenerationOverrides(TopK: 5));
        Assert.Equal((0.0, 1.0, 5), (greedy.Temperature, greedy.TopP, greedy.TopK));
        Assert.Contains("qwen3-thinking", Assert.Throws<AlloyInputException>(() => GenerationPresets.Get("hot")).Message, StringComparison.Ordinal);
        Assert.Throws<AlloyInputException>(() => GenerationPresets.Resolve(GenerationPresets.Get("greedy"), new GenerationOverrides(TopP: 0)));
    }

    [Theory]
    [InlineData("<think>\nabc\n</think>\n\nanswer", 26, 20, 6)]
    [InlineData("plain answer", 12, 0, 12)]
    [InlineData("  <think>\nnever closed", 9, 9, 0)]
    [InlineData("<think>a very long think part</think>x", 5, 5, 0)]
    public void Token_split_at_the_first_think_end(string text, int total, int think, int answer)
    {
        var split = ResponseTokens.Split(text, total, t => t.Length);
        Assert.Equal((think, answer), (split.Think, split.Answer));
    }
}
