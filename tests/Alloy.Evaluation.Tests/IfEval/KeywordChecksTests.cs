// Hand-written pass/fail cases for the keywords:* checks, including relation boundaries and case rules.
using static Alloy.Evaluation.Tests.IfEval.IfEvalTestSupport;

namespace Alloy.Evaluation.Tests.IfEval;

public class KeywordChecksTests
{
    private const string Existence = "keywords:existence";
    private const string Frequency = "keywords:frequency";
    private const string Forbidden = "keywords:forbidden_words";
    private const string Letter = "keywords:letter_frequency";

    [Fact]
    public void Existence_passes_when_every_keyword_occurs_ignoring_case() =>
        Assert.True(Follows(Existence, """{"keywords": ["cat", "dog"]}""", "The Cat sat with a DOG."));

    [Fact]
    public void Existence_fails_when_one_keyword_is_missing() =>
        Assert.False(Follows(Existence, """{"keywords": ["cat", "dog"]}""", "Only a cat here."));

    [Fact]
    public void Existence_edge_matches_inside_longer_words_as_upstream() =>
        Assert.True(Follows(Existence, """{"keywords": ["cat", "dog"]}""", "Category of dogma."));

    [Theory]
    [InlineData("apple Apple APPLE", true)]   // boundary: exactly 3 is "at least 3"
    [InlineData("apple and apple", false)]
    public void Frequency_at_least_includes_the_threshold(string response, bool expected) =>
        Assert.Equal(expected, Follows(Frequency, """{"keyword": " apple ", "frequency": 3, "relation": "at least"}""", response));

    [Theory]
    [InlineData("apple and apple", true)]
    [InlineData("apple, Apple and aPPle", false)] // boundary: exactly 3 is not "less than 3"
    public void Frequency_less_than_excludes_the_threshold(string response, bool expected) =>
        Assert.Equal(expected, Follows(Frequency, """{"keyword": "apple", "frequency": 3, "relation": "less than"}""", response));

    [Fact]
    public void Forbidden_words_fail_on_a_whole_word_in_any_case() =>
        Assert.False(Follows(Forbidden, """{"forbidden_words": ["bad", "ugly"]}""", "This is BAD news."));

    [Fact]
    public void Forbidden_words_edge_pass_when_only_part_of_a_longer_word() =>
        Assert.True(Follows(Forbidden, """{"forbidden_words": ["bad", "ugly"]}""", "Badly done, but not uglyish."));

    [Theory]
    [InlineData("Quick quiz", true)]   // 'Q' counts as 'q'; exactly 2 is "at least 2"
    [InlineData("quick", false)]
    public void Letter_frequency_at_least_counts_both_cases(string response, bool expected) =>
        Assert.Equal(expected, Follows(Letter, """{"letter": "q", "let_frequency": 2, "let_relation": "at least"}""", response));

    [Theory]
    [InlineData("quick", true)]
    [InlineData("Quick quiz", false)]  // boundary: 2 is not "less than 2"
    public void Letter_frequency_less_than_excludes_the_threshold(string response, bool expected) =>
        Assert.Equal(expected, Follows(Letter, """{"letter": "Q", "let_frequency": 2, "let_relation": "less than"}""", response));

    [Fact]
    public void Letter_frequency_counts_a_non_letter_exactly_as_written() =>
        Assert.True(Follows(Letter, """{"letter": "#", "let_frequency": 2, "let_relation": "at least"}""", "#one #two"));
}
