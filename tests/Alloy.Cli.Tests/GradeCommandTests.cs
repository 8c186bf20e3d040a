// `alloy grade` on hand-made responses to the shared AIME'25 problems, with metrics computed by hand.
using System.Text.Json;

namespace Alloy.Cli.Tests;

public class GradeCommandTests
{
    [Fact]
    public void Metrics_and_verdicts_match_the_hand_computed_values()
    {
        var data = TestPaths.SharedFile("datasets", "aime25.jsonl");
        if (data == null)
        {
            Console.WriteLine("SKIPPED: ../shared/datasets/aime25.jsonl is absent");
            return;
        }
        using var temp = new TempFolder();
        var lines = new List<string>();
        var index = 0;
        foreach (var line in File.ReadLines(data))
        {
            var record = JsonDocument.Parse(line).RootElement;
            var id = record.GetProperty("id").GetString()!;
            var answer = record.GetProperty("answer").GetRawText();
            lines.Add(JsonSerializer.Serialize(new { id, sample = 0, response = $"<think>work</think>The answer is \\boxed{{{answer}}}.", completion_tokens = 100 }));
            var even = index % 2 == 0;
            lines.Add(JsonSerializer.Serialize(new
            {
                id,
                sample = 1,
                response = even ? $"<think>again</think>\\boxed{{{answer}}}" : "\\boxed{-1}",
                finish_reason = index == 0 ? "length" : "stop",
                completion_tokens = 300,
            }));
            index++;
        }
        var responses = Path.Combine(temp.Path, "responses.jsonl");
        File.WriteAllLines(responses, lines);
        var run = Path.Combine(temp.Path, "run");
        var result = CliRunner.Run("grade", responses, "--bench", "aime25", "--data-dir", Path.GetDirectoryName(data)!, "-o", run);
        Assert.Equal(0, result.ExitCode);
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement;
        // 30 problems × 2 samples: sample 0 all right; sample 1 right on the 15 even problems except problem 0 (truncated).
        Assert.Equal(30, metrics.GetProperty("problems").GetInt32());
        Assert.Equal(2, metrics.GetProperty("samples").GetInt32());
        Assert.Equal(44.0 / 60, metrics.GetProperty("mean_at_k").GetDouble(), 12);
        Assert.Equal(44.0 / 60, metrics.GetProperty("pass_at").GetProperty("1").GetDouble(), 12);
        Assert.Equal(1.0, metrics.GetProperty("pass_at").GetProperty("2").GetDouble(), 12);
        Assert.Equal(1.0, metrics.GetProperty("vote_at_k").GetDouble(), 12); // ties go to sample 0, which is right
        Assert.Equal(200.0, metrics.GetProperty("mean_tokens").GetDouble(), 12);
        Assert.Equal(45.0 / 60, metrics.GetProperty("think_ratio").GetDouble(), 12);
        Assert.Equal(1.0 / 60, metrics.GetProperty("truncated_ratio").GetDouble(), 12);
        var verdicts = File.ReadAllLines(Path.Combine(run, "verdicts.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(60, verdicts.Length);
        Assert.Equal(44, verdicts.Count(v => v.GetProperty("verdict").GetBoolean()));
        Assert.Equal("-1", verdicts[3].GetProperty("extracted").GetString());
    }

    [Fact]
    public void A_response_for_an_unknown_problem_is_named()
    {
        using var temp = new TempFolder();
        var bench = Path.Combine(temp.Path, "mine.jsonl");
        File.WriteAllText(bench, "{\"id\": \"p1\", \"question\": \"1+1?\", \"answer\": 2}\n");
        var responses = Path.Combine(temp.Path, "responses.jsonl");
        File.WriteAllText(responses, "{\"id\": \"p9\", \"response\": \"\\\\boxed{2}\"}\n");
        var result = CliRunner.Run("grade", responses, "--bench", bench);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'p9'", result.Stderr, StringComparison.Ordinal);
    }
}
