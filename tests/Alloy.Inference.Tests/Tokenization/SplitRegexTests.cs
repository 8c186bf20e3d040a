// Checks the Oniguruma → .NET split-regex translation and the code-point-exact matching of supplementary
// characters. Whole-pattern agreement with the reference on real text is in Qwen3TokenizerTests.
using Alloy.Inference.Tokenization;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Tokenization;

public sealed class SplitRegexTests
{
    private const string QwenPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static string[] Split(string pattern, string text)
    {
        var pieces = new List<(int Start, int Length)>();
        SplitRegex.FromOniguruma(pattern, "test").SplitIsolated(text, pieces);
        return pieces.Select(p => text.Substring(p.Start, p.Length)).ToArray();
    }

    [Theory]
    [InlineData(@"\p{L}++", @"(?>\p{L}+)")]
    [InlineData(@"a*+b", @"(?>a*)b")]
    [InlineData(@"(ab)?+", @"(?>(ab)?)")]
    [InlineData(@"[^\s]{1,3}+x", @"(?>[^\s]{1,3})x")]
    [InlineData(@"^a$", @"(?m:^)a(?m:$)")]
    [InlineData(@"\x{4E00}", @"\u4E00")]
    [InlineData(@"a{,}", @"a\{,}")]
    [InlineData(@"(?i:'s)|\p{N}", @"(?i:'s)|\p{N}")]
    [InlineData(@"a(?i)b", @"a(?i)b")]
    [InlineData(@"(?<word>\p{L}+)", @"(?<word>\p{L}+)")]
    public void Oniguruma_syntax_is_translated(string oniguruma, string expected)
    {
        Assert.Equal(expected, SplitRegex.Translate(oniguruma, "test"));
    }

    [Theory]
    [InlineData(@"\w+")]
    [InlineData(@"\bx")]
    [InlineData(@"[a[b]]")]
    [InlineData(@"[a&&b]")]
    [InlineData(@"\p{Han}")]
    [InlineData(@"(?m:a)")]
    [InlineData(@"(a")]
    [InlineData(@"*a")]
    public void Untranslatable_syntax_is_refused(string oniguruma)
    {
        Assert.Throws<AlloyInputException>(() => SplitRegex.Translate(oniguruma, "test"));
    }

    [Fact]
    public void Supplementary_digits_are_single_code_points()
    {
        Assert.Equal(["𝟏", "𝟐", "𝟑"], Split(QwenPattern, "𝟏𝟐𝟑"));
    }

    [Fact]
    public void Supplementary_letters_join_letter_runs_and_emoji_prefix_a_word()
    {
        Assert.Equal(["𠀀a𝐀"], Split(QwenPattern, "𠀀a𝐀"));
        Assert.Equal(["😀abc", " x"], Split(QwenPattern, "😀abc x"));
    }

    [Fact]
    public void Gaps_between_matches_are_kept_as_pieces()
    {
        Assert.Equal(["a", "--", "b"], Split(@"\p{L}", "a--b"));
        Assert.Equal(["12", "x"], Split(@"x", "12x"));
    }

    [Fact]
    public void Trailing_whitespace_lookahead_leaves_the_last_space_for_the_word()
    {
        Assert.Equal(["a", "  ", " b", "   "], Split(QwenPattern, "a   b   "));
    }

    [Fact]
    public void Contractions_are_case_insensitive()
    {
        Assert.Equal(["I", "'M", " HERE"], Split(QwenPattern, "I'M HERE"));
    }

    [Fact]
    public void Llama3_pattern_groups_digits_in_threes()
    {
        Assert.Equal(["123", "45", " apples", ",", " ", "𝟏𝟐𝟑", "𝟒"], Split(Llama3Pattern, "12345 apples, 𝟏𝟐𝟑𝟒"));
    }

    [Fact]
    public void Gpt2_pattern_keeps_a_leading_space_with_words_and_numbers()
    {
        Assert.Equal(["Hello", " world", " 123", "!!", "  ", " x"], Split(TokenizerFileReader.Gpt2Pattern, "Hello world 123!!   x"));
    }
}
