// The linear scanners that replace three upstream regular expressions, against counts from Python's re module.
// Expected values were produced with Debian python3: len(re.findall(PATTERN, text, flags=re.MULTILINE)) etc.
using Alloy.Evaluation.Graders.IfEval;
using static Alloy.Evaluation.Tests.IfEval.IfEvalTestSupport;

namespace Alloy.Evaluation.Tests.IfEval;

public class IfEvalScannerTests
{
    [Theory]
    [InlineData("*\n* b", 1, 0)]                                   // a lone '*' swallows the next line
    [InlineData("\n\n\n  * a\n\n-b\n--- \n**x**\n* ", 2, 2)]
    [InlineData("* a\n*", 1, 0)]
    [InlineData("  -\n -x", 0, 2)]
    [InlineData("", 0, 0)]
    [InlineData("\n", 0, 0)]
    [InlineData("*a*b\n*\n", 2, 0)]
    [InlineData("\u001f* a", 1, 0)]                                // Python's \s includes U+001F
    public void Bullet_line_counts_match_python_findall(string text, int stars, int dashes)
    {
        Assert.Equal(stars, BulletListCheck.CountLineMatches(text, starBullet: true));
        Assert.Equal(dashes, BulletListCheck.CountLineMatches(text, starBullet: false));
    }

    [Theory]
    [InlineData("[[a] [b]", 2)]
    [InlineData("[a\n] [b] []", 2)]
    [InlineData("[[[[", 0)]
    [InlineData("x]y[z]", 1)]
    public void Placeholder_counts_match_python_findall(string text, int expected) =>
        Assert.Equal(expected, PlaceholderCheck.CountPlaceholders(text));

    [Theory]
    [InlineData("<<a>> x <<b>>", true)]
    [InlineData("<<<>>>", false)]
    [InlineData("<< >> <<x>>", true)]
    [InlineData("<<>>>", false)]
    [InlineData("<<<<a", false)]
    [InlineData("a>> <<b>>", true)]
    public void Title_verdicts_match_python_findall(string text, bool expected) =>
        Assert.Equal(expected, Follows("detectable_format:title", "{}", text));
}
