// False-positive check: distinct MATH-500 answers that sort near each other (similar spellings) must not grade
// equal unless a person confirmed they are the same value. Reads ../shared/datasets/math500.jsonl; skips if absent.
using System.Text.Json;
using Alloy.Evaluation.Graders;
using Xunit.Abstractions;

namespace Alloy.Evaluation.Tests.Graders;

public class Math500DistinctAnswersTests(ITestOutputHelper output)
{
    private const int Neighbours = 12;

    // Pairs "reference <= response" confirmed equal by hand: the same number with a thousands separator, a degree
    // sign or a unit.
    private static readonly HashSet<string> ConfirmedEqual =
    [
        @"10,\!080 <= 10080",
        @"10080 <= 10,\!080",
        @"120 <= 120^\circ",
        @"120^\circ <= 120",
        @"15 <= 15\mbox{ cm}^2",
        @"15\mbox{ cm}^2 <= 15",
        @"30 <= 30^\circ",
        @"30^\circ <= 30",
        @"36 <= 36^\circ",
        @"36^\circ <= 36",
        @"90 <= 90^\circ",
        @"90^\circ <= 90",
    ];

    [Fact]
    public void Similar_distinct_answers_do_not_grade_equal()
    {
        string? path = TestPaths.SharedFile("datasets", "math500.jsonl");
        if (path is null)
        {
            output.WriteLine("SKIPPED: ../shared/datasets/math500.jsonl is absent.");
            return;
        }
        var answers = File.ReadLines(path).Where(l => l.Length > 0)
            .Select(l => { using var d = JsonDocument.Parse(l); return d.RootElement.GetProperty("answer").GetString()!; })
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var equal = new List<string>();
        int pairs = 0;
        for (int i = 0; i < answers.Count; i++)
            for (int j = Math.Max(0, i - Neighbours); j < Math.Min(answers.Count, i + Neighbours + 1); j++)
            {
                if (i == j) continue;
                pairs++;
                if (MathGrader.AnswersEqual(answers[i], answers[j])) equal.Add($"{answers[i]} <= {answers[j]}");
            }
        output.WriteLine($"{pairs} pairs, {equal.Count} equal:\n" + string.Join("\n", equal));
        var unexpected = equal.Where(e => !ConfirmedEqual.Contains(e)).ToList();
        Assert.True(unexpected.Count == 0, "unconfirmed equal pairs:\n" + string.Join("\n", unexpected));
    }
}
