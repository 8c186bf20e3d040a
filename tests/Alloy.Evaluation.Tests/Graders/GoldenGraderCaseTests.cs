// Runs every hand-written case in tests/fixtures/graders/math_cases.tsv through its grader.
// The verdicts in that file were written by hand from the documented rules, not produced by this code.
using Alloy.Evaluation.Graders;

namespace Alloy.Evaluation.Tests.Graders;

public class GoldenGraderCaseTests
{
    private static readonly MathGrader Math = new();
    private static readonly NumberGrader Number = new();
    private static readonly ChoiceGrader Choice = new();

    public static TheoryData<int, string, string, string, string, string, string> Cases()
    {
        var data = new TheoryData<int, string, string, string, string, string, string>();
        var lines = File.ReadAllLines(TestPaths.Fixtures("graders", "math_cases.tsv"));
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#') || lines[i].Length == 0) continue;
            var f = lines[i].Split('\t');
            Assert.Equal(6, f.Length);
            data.Add(i + 1, f[0], f[1], f[2], f[3], f[4].Replace('⏎', '\n'), f[5]);
        }
        return data;
    }

    [Fact]
    public void The_table_has_at_least_200_cases_of_each_kind_in_total()
    {
        var cases = Cases();
        Assert.True(cases.Count() >= 200, $"only {cases.Count()} cases");
        Assert.Contains(cases, row => (string)row[1] == "number");
        Assert.Contains(cases, row => (string)row[1] == "choice");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_gets_the_hand_written_verdict(int line, string grader, string finish, string expected, string reference, string response, string note)
    {
        IGrader g = grader switch { "math" => Math, "number" => Number, "choice" => Choice, _ => throw new InvalidDataException($"line {line}: grader {grader}") };
        var end = finish switch { "stop" => ResponseFinish.Stopped, "length" => ResponseFinish.Truncated, _ => throw new InvalidDataException($"line {line}: finish {finish}") };
        var verdict = g.Grade(response, end, reference);
        var want = expected switch
        {
            "correct" => VerdictReason.Matched,
            "wrong" => VerdictReason.Mismatch,
            "noanswer" => VerdictReason.NoAnswer,
            "truncated" => VerdictReason.Truncated,
            _ => throw new InvalidDataException($"line {line}: expected {expected}"),
        };
        Assert.True(want == verdict.Reason,
            $"line {line} ({note}): expected {want}, got {verdict.Reason}; extracted '{verdict.Extracted}' vs reference '{reference}'");
        Assert.Equal(want == VerdictReason.Matched, verdict.Correct);
    }
}
