// Every reference answer of the shared benchmarks (MATH-500, AIME, HMMT; GSM8K through the number grader),
// put in a response the usual way, must grade as correct against itself. Skips a file that is absent.
using System.Text.Json;
using Alloy.Evaluation.Graders;
using Xunit.Abstractions;

namespace Alloy.Evaluation.Tests.Graders;

public class Math500SelfGradingTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_reference_answer_matches_itself_when_boxed()
    {
        string? path = TestPaths.SharedFile("datasets", "math500.jsonl");
        if (path is null)
        {
            output.WriteLine("SKIPPED: ../shared/datasets/math500.jsonl is absent.");
            return;
        }
        var grader = new MathGrader();
        var failures = new List<string>();
        int count = 0;
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            string answer = doc.RootElement.GetProperty("answer").GetString()!;
            string id = doc.RootElement.GetProperty("id").GetString()!;
            count++;
            var verdict = grader.Grade($"<think>scratch \\boxed{{0}}</think>So the answer is $\\boxed{{{answer}}}$.", ResponseFinish.Stopped, answer);
            if (!verdict.Correct) failures.Add($"{id}: {answer} -> {verdict.Reason} '{verdict.Extracted}'");
        }
        output.WriteLine($"{count} answers, {failures.Count} failures");
        Assert.Equal(500, count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("aime24.jsonl", "math")]
    [InlineData("aime25.jsonl", "math")]
    [InlineData("hmmt25.jsonl", "math")]
    [InlineData("gsm8k.jsonl", "number")]
    public void Competition_and_gsm8k_answers_match_themselves(string file, string graderName)
    {
        string? path = TestPaths.SharedFile("datasets", file);
        if (path is null)
        {
            output.WriteLine($"SKIPPED: ../shared/datasets/{file} is absent.");
            return;
        }
        IGrader grader = graderName == "math" ? new MathGrader() : new NumberGrader();
        var failures = new List<string>();
        int count = 0;
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var element = doc.RootElement.GetProperty("answer");
            string answer = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
            count++;
            string response = graderName == "math"
                ? $"<think>maybe 0</think>Therefore the final answer is $\\boxed{{{answer}}}$."
                : $"<think>maybe 0</think>So the total is {answer}.";
            var verdict = grader.Grade(response, ResponseFinish.Stopped, answer);
            if (!verdict.Correct) failures.Add($"{answer} -> {verdict.Reason} '{verdict.Extracted}'");
        }
        output.WriteLine($"{file}: {count} answers, {failures.Count} failures");
        Assert.True(count > 0);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
