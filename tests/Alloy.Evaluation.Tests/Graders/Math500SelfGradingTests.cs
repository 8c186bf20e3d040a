// Every MATH-500 reference answer, wrapped in \boxed{}, must grade as correct against itself.
// Reads ../shared/datasets/math500.jsonl; skips (passes with a message) when the file is absent.
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
}
