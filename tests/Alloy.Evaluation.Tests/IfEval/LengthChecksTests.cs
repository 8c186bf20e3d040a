// Hand-written pass/fail cases for the length_constraints:* checks (sentences, *** paragraphs, words, nth paragraph).
using static Alloy.Evaluation.Tests.IfEval.IfEvalTestSupport;

namespace Alloy.Evaluation.Tests.IfEval;

public class LengthChecksTests
{
    private const string Sentences = "length_constraints:number_sentences";
    private const string Paragraphs = "length_constraints:number_paragraphs";
    private const string Words = "length_constraints:number_words";
    private const string NthParagraph = "length_constraints:nth_paragraph_first_word";

    [Theory]
    [InlineData("One. Two.", true)]
    [InlineData("One. Two. Three.", false)] // boundary: 3 is not "less than 3"
    public void Sentences_less_than(string response, bool expected) =>
        Assert.Equal(expected, Follows(Sentences, """{"num_sentences": 3, "relation": "less than"}""", response));

    [Theory]
    [InlineData("Dr. Smith arrived. He sat down. It rained!", true)] // "Dr." is an abbreviation, not a break
    [InlineData("Dr. Smith arrived. He sat down and it rained", false)]
    public void Sentences_at_least_skips_abbreviations(string response, bool expected) =>
        Assert.Equal(expected, Follows(Sentences, """{"num_sentences": 3, "relation": "at least"}""", response));

    [Theory]
    [InlineData("A\n***\nB\n***\nC", true)]
    [InlineData("***\nA\n***\nB\n***\nC\n***", true)] // edge: empty first/last parts are not paragraphs
    [InlineData("A\n***\nB", false)]
    [InlineData("A\n***\n***\nC\n***\nD", false)]    // edge: an empty paragraph between dividers fails
    public void Paragraphs_counts_parts_between_dividers(string response, bool expected) =>
        Assert.Equal(expected, Follows(Paragraphs, """{"num_paragraphs": 3}""", response));

    [Theory]
    [InlineData("one two three four five", true)] // boundary: 5 is "at least 5"
    [InlineData("don't stop now", false)]         // "don't" is two \w+ runs: 4 words
    public void Words_at_least(string response, bool expected) =>
        Assert.Equal(expected, Follows(Words, """{"num_words": 5, "relation": "at least"}""", response));

    [Theory]
    [InlineData("one two three four", true)]
    [InlineData("one two three four five", false)] // boundary: 5 is not "less than 5"
    public void Words_less_than(string response, bool expected) =>
        Assert.Equal(expected, Follows(Words, """{"num_words": 5, "relation": "less than"}""", response));

    private const string NthKwargs = """{"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "Summary"}""";

    [Fact]
    public void Nth_paragraph_passes_ignoring_quotes_punctuation_and_case() =>
        Assert.True(Follows(NthParagraph, NthKwargs, "Intro text.\n\n\"SUMMARY, here it is.\n\nThe end."));

    [Fact]
    public void Nth_paragraph_fails_on_another_first_word() =>
        Assert.False(Follows(NthParagraph, NthKwargs, "Intro text.\n\nOverview here.\n\nThe end."));

    [Fact]
    public void Nth_paragraph_fails_on_the_wrong_paragraph_count() =>
        Assert.False(Follows(NthParagraph, NthKwargs, "Intro text.\n\nSummary here."));

    [Fact]
    public void Nth_paragraph_edge_leading_blank_piece_shifts_the_position_as_upstream() =>
        Assert.False(Follows(NthParagraph, NthKwargs, "\n\nIntro text.\n\nSummary here.\n\nThe end."));

    [Fact]
    public void Nth_paragraph_edge_single_newlines_do_not_separate_paragraphs() =>
        Assert.False(Follows(NthParagraph, NthKwargs, "Intro text.\nSummary here.\nThe end."));
}
