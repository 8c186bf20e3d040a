// Strict vs loose grading, the answer/reasoning split, and the four aggregate accuracies on a hand-made set.
using Alloy.Evaluation.Graders.IfEval;
using static Alloy.Evaluation.Tests.IfEval.IfEvalTestSupport;

namespace Alloy.Evaluation.Tests.IfEval;

public class IfEvalGraderTests
{
    [Fact]
    public void Loose_passes_when_only_a_preamble_line_breaks_the_rule()
    {
        var prompt = Prompt(1, ("startend:quotation", "{}"));
        var verdict = IfEvalGrader.Grade(prompt, "Sure, here it is:\n\"Hello world\"").Instructions.Single();
        Assert.False(verdict.Strict);
        Assert.True(verdict.Loose);
    }

    [Fact]
    public void Loose_passes_when_removing_asterisks_fixes_the_ending()
    {
        var prompt = Prompt(2, ("startend:end_checker", """{"end_phrase": "Goodbye."}"""));
        var verdict = IfEvalGrader.Grade(prompt, "Some text.\n**Goodbye.**").Instructions.Single();
        Assert.False(verdict.Strict);
        Assert.True(verdict.Loose);
    }

    [Fact]
    public void Loose_still_fails_when_no_variant_passes()
    {
        var prompt = Prompt(3, ("punctuation:no_comma", "{}"));
        var verdict = IfEvalGrader.Grade(prompt, "First, line\nSecond, line\nThird, line").Instructions.Single();
        Assert.False(verdict.Strict);
        Assert.False(verdict.Loose);
    }

    [Fact]
    public void Blank_answer_fails_even_checks_that_an_empty_text_would_satisfy()
    {
        var prompt = Prompt(4, ("punctuation:no_comma", "{}"), ("keywords:forbidden_words", """{"forbidden_words": ["x"]}"""));
        var result = IfEvalGrader.Grade(prompt, "  \n ");
        Assert.All(result.Instructions, v => Assert.False(v.Strict || v.Loose));
    }

    [Fact]
    public void Loose_variants_are_the_eight_upstream_texts_in_order()
    {
        var variants = IfEvalGrader.LooseVariants("*a*\nb\n*c*");
        Assert.Equal(["*a*\nb\n*c*", "a\nb\nc", "b\n*c*", "*a*\nb", "b", "b\nc", "a\nb", "b"], variants);
    }

    [Fact]
    public void Loose_variants_of_a_single_line_drop_to_empty()
    {
        var variants = IfEvalGrader.LooseVariants("only");
        Assert.Equal(["only", "only", "", "", "", "", "", ""], variants);
    }

    [Fact]
    public void Verdicts_keep_instruction_order_and_ids()
    {
        var prompt = Prompt(5, ("punctuation:no_comma", "{}"), ("detectable_format:title", "{}"));
        var result = IfEvalGrader.Grade(prompt, "<<Title>>\nNo commas.");
        Assert.Equal(5, result.Key);
        Assert.Equal(["punctuation:no_comma", "detectable_format:title"], result.Instructions.Select(v => v.InstructionId));
        Assert.True(result.FollowedAllStrict);
    }

    [Theory]
    [InlineData("<think>reasoning, with a comma</think>\n\nThe answer", "The answer")]
    [InlineData("<think>a</think>b</think>c", "b</think>c")] // only the first marker ends the reasoning
    [InlineData("\n  No thinking block", "No thinking block")]
    public void Answer_after_thinking(string output, string answer) =>
        Assert.Equal(answer, IfEvalGrader.AnswerAfterThinking(output));

    [Fact]
    public void Grade_model_output_ignores_the_reasoning()
    {
        var prompt = Prompt(6, ("punctuation:no_comma", "{}"));
        Assert.True(IfEvalGrader.GradeModelOutput(prompt, "<think>hmm, commas, here</think>\nNo commas").FollowedAllStrict);
        Assert.False(IfEvalGrader.Grade(prompt, "<think>hmm, commas, here</think>\nNo commas").FollowedAllStrict);
    }

    [Fact]
    public void Four_accuracies_on_a_small_hand_made_set()
    {
        // P1: both pass strictly. P2: the comma is only on the first line, so no_comma passes loosely only.
        // P3: no title at all. Strict verdicts T,T | F,T | F; loose T,T | T,T | F.
        var results = new[]
        {
            IfEvalGrader.Grade(Prompt(1, ("punctuation:no_comma", "{}"), ("startend:quotation", "{}")), "\"Hello world\""),
            IfEvalGrader.Grade(Prompt(2, ("punctuation:no_comma", "{}"), ("startend:end_checker", """{"end_phrase": "Bye."}""")), "Hi, there\nBye."),
            IfEvalGrader.Grade(Prompt(3, ("detectable_format:title", "{}")), "No title here"),
        };
        var scores = IfEvalScores.Aggregate(results);
        Assert.Equal(3, scores.Prompts);
        Assert.Equal(5, scores.Instructions);
        Assert.Equal(1.0 / 3, scores.PromptLevelStrict, 12);
        Assert.Equal(3.0 / 5, scores.InstructionLevelStrict, 12);
        Assert.Equal(2.0 / 3, scores.PromptLevelLoose, 12);
        Assert.Equal(4.0 / 5, scores.InstructionLevelLoose, 12);
    }

    [Fact]
    public void Aggregate_of_nothing_is_nan_not_zero()
    {
        var scores = IfEvalScores.Aggregate([]);
        Assert.True(double.IsNaN(scores.PromptLevelStrict));
        Assert.True(double.IsNaN(scores.InstructionLevelLoose));
        Assert.Equal(0, scores.Prompts);
    }
}
