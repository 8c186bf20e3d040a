// Grader behaviour beyond the golden table: the thinking split, choice options, vote keys, and hostile input.
using Alloy.Evaluation.Graders;

namespace Alloy.Evaluation.Tests.Graders;

public class GraderBehaviourTests
{
    [Fact]
    public void Split_takes_the_text_after_the_first_closing_tag()
    {
        Assert.Equal(new ResponseParts(" b </think> c", true), ResponseParts.Split("<think>a</think> b </think> c"));
        Assert.Equal(new ResponseParts("plain", false), ResponseParts.Split("plain"));
        Assert.Equal(new ResponseParts("", true), ResponseParts.Split("</think>"));
    }

    [Fact]
    public void Choice_letters_follow_the_number_of_options()
    {
        var grader = new ChoiceGrader();
        string[] six = ["1", "2", "3", "4", "5", "6"];
        Assert.True(grader.Grade("Answer: F", ResponseFinish.Stopped, "F", six).Correct);
        Assert.Equal(VerdictReason.NoAnswer, grader.Grade("Answer: F", ResponseFinish.Stopped, "A").Reason);
        Assert.Equal(VerdictReason.NoAnswer, grader.Grade("Answer: D", ResponseFinish.Stopped, "A", ["x", "y", "z"]).Reason);
        Assert.True(new ChoiceGrader("ABCDE").Grade("Answer: E", ResponseFinish.Stopped, "E").Correct);
        Assert.Throws<ArgumentException>(() => new ChoiceGrader("abc"));
    }

    [Fact]
    public void A_box_holding_an_option_text_reads_as_that_option()
    {
        var grader = new ChoiceGrader();
        string[] options = ["\\frac{1}{2}", "3", "10 m/s", "none"];
        Assert.True(grader.Grade("so \\boxed{10 m/s}", ResponseFinish.Stopped, "C", options).Correct);
        Assert.Equal("A", grader.Grade("\\boxed{\\dfrac{1}{2}}", ResponseFinish.Stopped, "C", options).Extracted);
    }

    [Fact]
    public void Vote_keys_group_equivalent_spellings()
    {
        Assert.Equal(MathGrader.VoteKey("\\dfrac{1}{2}"), MathGrader.VoteKey("\\frac{1}{2}."));
        Assert.Equal(MathGrader.VoteKey("x = 10,080"), MathGrader.VoteKey("10080"));
        Assert.NotEqual(MathGrader.VoteKey("3"), MathGrader.VoteKey("4"));
    }

    [Fact]
    public void Extraction_source_is_reported()
    {
        Assert.Equal("5", MathAnswerExtractor.Extract("x \\boxed{5}", out var s1));
        Assert.Equal(MathAnswerSource.Boxed, s1);
        Assert.Equal("7", MathAnswerExtractor.Extract("we get 7 things", out var s2));
        Assert.Equal(MathAnswerSource.LastNumber, s2);
        Assert.Null(MathAnswerExtractor.Extract("nothing here", out var s3));
        Assert.Equal(MathAnswerSource.None, s3);
    }

    public static TheoryData<string> HostileResponses() => new()
    {
        "\\boxed{" + new string('{', 100_000) + "}",
        "\\boxed{" + new string('(', 1_500) + "1" + new string(')', 1_500) + "}",
        string.Concat(Enumerable.Repeat("\\boxed{", 20_000)),
        "\\boxed{" + new string('9', 50_000) + "}",
        "\\boxed{" + string.Concat(Enumerable.Repeat("2^", 1_000)) + "2}",
        "\\boxed{" + string.Concat(Enumerable.Repeat("\\sqrt{", 500)) + "2" + new string('}', 500) + "}",
        "\\boxed{" + string.Concat(Enumerable.Repeat("1+", 900)) + "1}",
        "\\boxed{" + string.Concat(Enumerable.Repeat("-", 1_900)) + "1}",
        "\\boxed{99!}",
        "\\boxed{1e9999}",
        "\\boxed{\\frac{1}{3}^{4096}}",
        "\\boxed{(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70)}",
        string.Concat(Enumerable.Repeat("Answer: ", 10_000)) + "$" + new string('x', 10_000),
        new string('$', 30_001),
    };

    [Theory]
    [MemberData(nameof(HostileResponses))]
    public void Hostile_responses_return_a_verdict(string response)
    {
        foreach (var (grader, reference) in new (IGrader, string)[] { (new MathGrader(), "2"), (new NumberGrader(), "2"), (new ChoiceGrader(), "B") })
        {
            var verdict = grader.Grade(response, ResponseFinish.Stopped, reference);
            Assert.True(Enum.IsDefined(verdict.Reason));
        }
    }

    [Fact]
    public void Unusable_references_are_reported_as_input_errors()
    {
        var number = Assert.Throws<Alloy.Tensors.AlloyInputException>(() => new NumberGrader().Grade("7", ResponseFinish.Stopped, "seven"));
        Assert.Contains("seven", number.Message, StringComparison.Ordinal);
        var choice = Assert.Throws<Alloy.Tensors.AlloyInputException>(() => new ChoiceGrader().Grade("Answer: A", ResponseFinish.Stopped, "E"));
        Assert.Contains("ABCD", choice.Message, StringComparison.Ordinal);
        Assert.Throws<Alloy.Tensors.AlloyInputException>(() => new MathGrader().Grade("\\boxed{1}", ResponseFinish.Stopped, " "));
    }

    [Fact]
    public void Rational_evaluation_stays_exact_where_it_can()
    {
        Assert.True(MathGrader.AnswersEqual("\\frac{1}{3}", "\\frac{2}{6}"));
        Assert.False(MathGrader.AnswersEqual("\\frac{1}{3}", "0.3333333333"[..5]));
        // 1/3 + 1e-12 differs from 1/3 only past double precision; both exact, so they must differ.
        Assert.False(MathGrader.AnswersEqual("\\frac{1}{3}", "\\frac{1}{3}+\\frac{1}{10^{12}}"));
        Assert.True(MathGrader.AnswersEqual("2^{100}", "1267650600228229401496703205376"));
        Assert.False(MathGrader.AnswersEqual("2^{100}", "1267650600228229401496703205377"));
    }
}
