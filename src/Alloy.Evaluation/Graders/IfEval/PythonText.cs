// Python str semantics the IFEval checks depend on: strip, isupper/islower, the `\w+` word count.
// Not a general Python emulation: only what the upstream checkers call, written for .NET strings.
using System.Globalization;
using System.Text;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// Re-implements the few Python <c>str</c> behaviours the IFEval checkers rely on, so that verdicts do not
/// drift with .NET's slightly different definitions (e.g. <c>\w</c> in .NET also matches combining marks).
/// </summary>
internal static class PythonText
{
    /// <summary>Python <c>str.isspace</c> for one character: Unicode white space plus the four separators U+001C–U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\u001C' && c <= '\u001F');

    /// <summary>Python <c>str.strip()</c> with no argument.</summary>
    public static string Strip(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsSpace(text[start])) start++;
        while (end > start && IsSpace(text[end - 1])) end--;
        return text[start..end];
    }

    /// <summary>Python <c>str.lower()</c>, approximated by invariant lower-casing (identical for all but a few special letters).</summary>
    public static string Lower(string text) => text.ToLowerInvariant();

    /// <summary>
    /// Python <c>str.isupper()</c>: true when the text has at least one cased letter and none of its cased letters is
    /// lower- or title-case. Digits and punctuation are ignored, so "HELLO, 2024!" is upper and "2024" is not.
    /// </summary>
    public static bool IsUpper(string text) => HasOnlyCase(text, upper: true);

    /// <summary>Python <c>str.islower()</c>: at least one cased letter and no upper- or title-case letter.</summary>
    public static bool IsLower(string text) => HasOnlyCase(text, upper: false);

    private static bool HasOnlyCase(string text, bool upper)
    {
        var sawCased = false;
        foreach (var rune in text.EnumerateRunes())
        {
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.UppercaseLetter:
                    if (!upper) return false;
                    sawCased = true;
                    break;
                case UnicodeCategory.LowercaseLetter:
                    if (upper) return false;
                    sawCased = true;
                    break;
                case UnicodeCategory.TitlecaseLetter:
                    return false;
                default:
                    break;
            }
        }
        return sawCased;
    }

    /// <summary>
    /// Python's <c>\w</c> for <c>str</c> patterns: letters (any L category), numbers (Nd, Nl, No) and '_'.
    /// Unlike .NET's <c>\w</c> it excludes combining marks (Mn, Mc) and connector punctuation other than '_'.
    /// </summary>
    public static bool IsWordRune(Rune rune)
    {
        if (rune.Value == '_') return true;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            _ => false,
        };
    }

    /// <summary>
    /// Number of maximal runs of word characters (<see cref="IsWordRune"/>): the length of
    /// <c>re.findall(r"\w+", text)</c>, which is what nltk's <c>RegexpTokenizer(r"\w+")</c> returns in upstream
    /// <c>count_words</c>. "don't" counts 2, "e-mail" counts 2, "2,000" counts 2.
    /// </summary>
    public static int CountWordRuns(string text)
    {
        var count = 0;
        var inWord = false;
        foreach (var rune in text.EnumerateRunes())
        {
            var isWord = IsWordRune(rune);
            if (isWord && !inWord) count++;
            inWord = isWord;
        }
        return count;
    }

    /// <summary>Python <c>str.split()</c> with no argument: runs of white space separate, empty pieces are dropped.</summary>
    public static string[] SplitOnWhiteSpace(string text)
    {
        var parts = new List<string>();
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (IsSpace(text[i]))
            {
                if (start >= 0) parts.Add(text[start..i]);
                start = -1;
            }
            else if (start < 0)
            {
                start = i;
            }
        }
        if (start >= 0) parts.Add(text[start..]);
        return [.. parts];
    }
}
