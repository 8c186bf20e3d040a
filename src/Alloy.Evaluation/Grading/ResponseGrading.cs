// Grades given responses (from any tool) against a benchmark and summarises them with the paper
// metrics. No generation happens here; `alloy grade` and, later, the evaluator use it.
using System.Collections.Immutable;
using System.Text.Json;
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Graders;
using Alloy.Evaluation.Graders.IfEval;
using Alloy.Evaluation.Metrics;
using Alloy.Tensors;

namespace Alloy.Evaluation.Grading;

/// <summary>One response to grade: problem id, sample index, text, how it ended, and its token count when known.</summary>
/// <param name="Id">The problem id.</param>
/// <param name="Sample">The sample index (0-based).</param>
/// <param name="Response">The whole response, thinking included.</param>
/// <param name="Finish">Whether it stopped or was truncated.</param>
/// <param name="CompletionTokens">Tokens of the whole response, or null when unknown.</param>
/// <param name="ThinkTokens">Tokens of the thinking part (see <see cref="ResponseTokens"/>), or null when not counted.</param>
/// <param name="AnswerTokens">Tokens of the answer part, or null when not counted.</param>
public sealed record GivenResponse(string Id, int Sample, string Response, ResponseFinish Finish, int? CompletionTokens, int? ThinkTokens = null, int? AnswerTokens = null);

/// <summary>A graded response.</summary>
/// <param name="Given">The response.</param>
/// <param name="Correct">The verdict (IFEval: every instruction followed, strict).</param>
/// <param name="Extracted">The extracted answer (null for IFEval or when none was found).</param>
/// <param name="Thought">Whether the response contains &lt;/think&gt;.</param>
/// <param name="Reason">Why, in the grader's words.</param>
public sealed record GradedResponse(GivenResponse Given, bool Correct, string? Extracted, bool Thought, string Reason);

/// <summary>The summary written to metrics.json (DESIGN.md's schema); token fields are null when a response lacks a count.</summary>
public sealed record MetricsSummary(
    int Problems, int Samples, MeanAtKResult MeanAtK, double PassAt1, double PassAtK, double? VoteAtK,
    TokenSummary? Tokens, double ThinkRatio, double TruncatedRatio, double ReflectionRate)
{
    /// <summary>Mean thinking-part tokens over all responses (0 for a response that does not think), or null when not counted.</summary>
    public double? MeanThinkTokens { get; init; }

    /// <summary>Mean answer-part tokens over all responses, or null when not counted.</summary>
    public double? MeanAnswerTokens { get; init; }

    /// <summary>Mean@k per difficulty level, ascending, when every problem has a level; empty otherwise.</summary>
    public IReadOnlyList<LevelScore<int>> Levels { get; init; } = [];
}

/// <summary>Graded responses in (problem, sample) order and their summary.</summary>
public sealed record GradingReport(Benchmark Benchmark, ImmutableArray<GradedResponse> Responses, MetricsSummary Metrics);

/// <summary>Reads response files and grades them.</summary>
public static class ResponseGrading
{
    /// <summary>
    /// Reads RESPONSES.jsonl: per line <c>id</c> (string or number), <c>response</c> (string), optional
    /// <c>sample</c> (default 0), <c>finish_reason</c> ("stop" or "length", default "stop") and
    /// <c>completion_tokens</c>.
    /// </summary>
    public static ImmutableArray<GivenResponse> ReadResponses(string path)
    {
        if (!File.Exists(path))
            throw new AlloyInputException($"{path}: file not found");
        var list = ImmutableArray.CreateBuilder<GivenResponse>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            try
            {
                using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 16 });
                var r = document.RootElement;
                var where = $"{path}:{lineNumber}";
                if (r.ValueKind != JsonValueKind.Object)
                    throw new AlloyInputException($"{where}: each line must be a JSON object");
                var id = r.TryGetProperty("id", out var idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    ? (idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : idElement.GetRawText())
                    : throw new AlloyInputException($"{where}: field 'id' (string or number) is missing");
                var text = r.TryGetProperty("response", out var t) && t.ValueKind == JsonValueKind.String
                    ? t.GetString()! : throw new AlloyInputException($"{where}: field 'response' (string) is missing");
                var sample = 0;
                if (r.TryGetProperty("sample", out var s) && (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out sample) || sample < 0))
                    throw new AlloyInputException($"{where}: field 'sample' must be a non-negative integer");
                var finish = ResponseFinish.Stopped;
                if (r.TryGetProperty("finish_reason", out var f) && f.ValueKind != JsonValueKind.Null)
                    finish = f.GetString() switch
                    {
                        "stop" => ResponseFinish.Stopped,
                        "length" => ResponseFinish.Truncated,
                        _ => throw new AlloyInputException($"{where}: field 'finish_reason' must be \"stop\" or \"length\""),
                    };
                int? tokens = null;
                if (r.TryGetProperty("completion_tokens", out var c) && c.ValueKind != JsonValueKind.Null)
                    tokens = c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) && n >= 0 ? n
                        : throw new AlloyInputException($"{where}: field 'completion_tokens' must be a non-negative integer");
                list.Add(new GivenResponse(id, sample, text, finish, tokens));
            }
            catch (JsonException e)
            {
                throw new AlloyInputException($"{path}:{lineNumber}: not valid JSON: {e.Message.Split('\n')[0]}", e);
            }
        }
        if (list.Count == 0)
            throw new AlloyInputException($"{path}: no responses");
        return list.ToImmutable();
    }

    /// <summary>
    /// Grades <paramref name="responses"/> against <paramref name="benchmark"/>. Every problem that has
    /// responses must have samples 0..k−1 for the same k (Mean@k needs the full grid). Multiple-choice
    /// references are re-derived from the option order of (seed, id, sample) that the prompt used.
    /// </summary>
    public static GradingReport Grade(Benchmark benchmark, IReadOnlyList<GivenResponse> responses, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(responses);
        var problems = benchmark.Problems.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var byProblem = new SortedDictionary<int, SortedDictionary<int, GivenResponse>>();
        var order = benchmark.Problems.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        foreach (var r in responses)
        {
            if (!order.TryGetValue(r.Id, out var index))
                throw new AlloyInputException($"response id '{r.Id}' is not a problem of {benchmark.Name} ({benchmark.SourcePath})");
            if (!byProblem.TryGetValue(index, out var samples))
                byProblem[index] = samples = new SortedDictionary<int, GivenResponse>();
            if (!samples.TryAdd(r.Sample, r))
                throw new AlloyInputException($"problem '{r.Id}' has sample {r.Sample} twice");
        }
        var k = byProblem.Values.Max(s => s.Count);
        foreach (var (index, samples) in byProblem)
            if (samples.Count != k || samples.Keys.Last() != k - 1)
                throw new AlloyInputException($"problem '{benchmark.Problems[index].Id}' has samples {string.Join(",", samples.Keys)}; every problem needs samples 0..{k - 1}");

        var grader = new BenchmarkGrader(benchmark, seed);
        var graded = ImmutableArray.CreateBuilder<GradedResponse>(byProblem.Count * k);
        var levels = new List<int?>(byProblem.Count);
        foreach (var (index, samples) in byProblem)
        {
            var problem = benchmark.Problems[index];
            levels.Add(problem.Level);
            foreach (var given in samples.Values)
                graded.Add(grader.Grade(problem, given));
        }
        var all = graded.ToImmutable();
        return new GradingReport(benchmark, all, Summarize(all, byProblem.Count, k, benchmark.Grader, levels));
    }

    private static MetricsSummary Summarize(ImmutableArray<GradedResponse> graded, int problems, int k, GraderKind grader, IReadOnlyList<int?> levels)
    {
        var correct = graded.Select(g => g.Correct).ToArray();
        var counts = Enumerable.Range(0, problems).Select(p => correct.Skip(p * k).Take(k).Count(c => c)).ToArray();
        var passes = PassAtK.ForAllK(counts, k);
        double? vote = grader == GraderKind.IfEval ? null
            : VoteAtK.Compute([.. graded.Select(g => g.Extracted is { } e && grader == GraderKind.Math ? MathGrader.VoteKey(e) : g.Extracted)], correct, problems, k, k);
        TokenSummary? tokens = graded.All(g => g.Given.CompletionTokens.HasValue)
            ? TokenStatistics.Summarize([.. graded.Select(g => g.Given.CompletionTokens!.Value)])
            : null;
        double? think = graded.All(g => g.Given.ThinkTokens.HasValue) ? graded.Average(g => (double)g.Given.ThinkTokens!.Value) : null;
        double? answer = graded.All(g => g.Given.AnswerTokens.HasValue) ? graded.Average(g => (double)g.Given.AnswerTokens!.Value) : null;
        IReadOnlyList<LevelScore<int>> byLevel = [];
        if (levels.Count == problems && levels.All(l => l.HasValue))
            byLevel = LevelBreakdown.Compute<int>([.. levels.Select(l => l!.Value)], [.. counts.Select(c => (double)c / k)]);
        return new MetricsSummary(problems, k, MeanAtK.Compute(correct, problems, k), passes[0], passes[^1], vote, tokens,
            ThinkRatio.Compute([.. graded.Select(g => g.Thought)]),
            TruncationRate.Compute([.. graded.Select(g => g.Given.Finish)]),
            ReflectionKeywords.Rate([.. graded.Select(g => g.Given.Response)]))
        {
            MeanThinkTokens = think,
            MeanAnswerTokens = answer,
            Levels = byLevel,
        };
    }
}
