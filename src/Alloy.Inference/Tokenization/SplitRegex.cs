// A tokenizer.json split regex (written for Oniguruma, which matches whole code points) run with .NET Regex
// so that it splits exactly as Oniguruma would. It is not a general Oniguruma emulator: unsupported syntax is refused.
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Inference.Tokenization;

/// <summary>
/// A pre-tokenizer split pattern with Hugging Face "Isolated" behaviour: the text is cut into the regex matches
/// and the (non-empty) gaps between them, in order, so that the pieces always concatenate back to the text.
/// </summary>
/// <remarks>
/// <para>Hugging Face runs these patterns with Oniguruma over code points; .NET <see cref="Regex"/> runs over UTF-16
/// code units, so a supplementary-plane character (an emoji, a CJK Extension B ideograph, a mathematical digit)
/// would be seen as two surrogates that are neither letters nor digits, changing the splits (for example
/// <c>\p{N}</c> must match <c>𝟏</c> alone). To be exact, a piece that holds surrogate pairs is matched on a stand-in
/// string in which each pair is replaced by one BMP character of the same Unicode general category, and the
/// match positions are mapped back. This is exact for patterns that classify characters only through general
/// categories (<c>\p{L}</c>, <c>\p{N}</c>, <c>\s</c>, <c>\d</c>) and ASCII literals, which is what the pattern
/// translator admits; the stand-ins are chosen so that they occur nowhere in the pattern.</para>
/// <para>Translation from Oniguruma (Ruby syntax) to .NET: possessive quantifiers <c>X*+</c>, <c>X++</c>,
/// <c>X?+</c>, <c>X{n,m}+</c> become atomic groups <c>(?&gt;X*)</c>; <c>^</c>/<c>$</c> become line anchors as in
/// Ruby; <c>\x{HHHH}</c> becomes <c>\uHHHH</c>. Refused (with <see cref="AlloyInputException"/>): <c>\w</c>,
/// <c>\b</c>, <c>\h</c>, <c>\R</c>, <c>\X</c>, <c>\K</c> and similar escapes whose meaning differs, nested character
/// classes and <c>&amp;&amp;</c>, property names other than general categories, inline flags other than <c>i</c>.</para>
/// </remarks>
internal sealed class SplitRegex
{
    private static readonly string[] GeneralCategoryNames =
    [
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
        "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn",
    ];

    private readonly Regex regex;

    /// <summary>Stand-in BMP character for each <see cref="UnicodeCategory"/> (indexed by its value).</summary>
    private readonly char[] standInByCategory;

    private SplitRegex(Regex regex, char[] standInByCategory)
    {
        this.regex = regex;
        this.standInByCategory = standInByCategory;
    }

    /// <summary>The translated .NET pattern (for diagnostics and tests).</summary>
    public string DotNetPattern => regex.ToString();

    /// <summary>
    /// Translates an Oniguruma pattern from a tokenizer file. <paramref name="where"/> names the file and field
    /// for error messages.
    /// </summary>
    /// <exception cref="AlloyInputException">The pattern uses syntax that cannot be run exactly.</exception>
    public static SplitRegex FromOniguruma(string pattern, string where)
    {
        string translated = Translate(pattern, where);
        Regex compiled;
        try
        {
            compiled = new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException e)
        {
            throw new AlloyInputException($"{where}: the split regex \"{pattern}\" is not valid ({e.Message}).", e);
        }
        return new SplitRegex(compiled, ChooseStandIns(pattern));
    }

    /// <summary>A literal split string (tokenizer.json <c>{"String": ...}</c>), matched exactly.</summary>
    public static SplitRegex FromLiteral(string literal) =>
        new(new Regex(Regex.Escape(literal), RegexOptions.CultureInvariant), ChooseStandIns(literal));

    /// <summary>
    /// Appends to <paramref name="pieces"/> the (start, length) of every match and every non-empty gap of
    /// <paramref name="text"/>, in order. The text must hold no lone surrogates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SplitIsolated(ReadOnlySpan<char> text, List<(int Start, int Length)> pieces)
    {
        if (text.IsEmpty)
        {
            return;
        }
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            AddMatches(text, pieces);
            return;
        }
        // Replace each surrogate pair by one stand-in of the same category; remember where each came from.
        char[] standIn = new char[text.Length];
        int[] originalIndex = new int[text.Length + 1];
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            originalIndex[n] = i;
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int codePoint = char.ConvertToUtf32(c, text[i + 1]);
                standIn[n++] = standInByCategory[(int)CharUnicodeInfo.GetUnicodeCategory(codePoint)];
                i++;
            }
            else
            {
                standIn[n++] = c;
            }
        }
        originalIndex[n] = text.Length;
        int before = pieces.Count;
        AddMatches(standIn.AsSpan(0, n), pieces);
        for (int p = before; p < pieces.Count; p++)
        {
            (int start, int length) = pieces[p];
            int originalStart = originalIndex[start];
            pieces[p] = (originalStart, originalIndex[start + length] - originalStart);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddMatches(ReadOnlySpan<char> text, List<(int Start, int Length)> pieces)
    {
        int last = 0;
        foreach (ValueMatch match in regex.EnumerateMatches(text))
        {
            if (match.Length == 0)
            {
                continue;
            }
            if (match.Index > last)
            {
                pieces.Add((last, match.Index - last));
            }
            pieces.Add((match.Index, match.Length));
            last = match.Index + match.Length;
        }
        if (last < text.Length)
        {
            pieces.Add((last, text.Length - last));
        }
    }

    /// <summary>
    /// Picks, for each general category, a BMP character of that category that is not whitespace (no
    /// supplementary character is), does not occur in the pattern (in either case), and lies outside ASCII.
    /// Search starts at U+A000 (Yi, Vai, Cyrillic Extended-B, …), blocks that split patterns never name.
    /// </summary>
    private static char[] ChooseStandIns(string pattern)
    {
        var standIns = new char[32];
        var found = new bool[32];
        foreach ((int from, int to) in new[] { (0xA000, 0xFFFD), (0x0080, 0x9FFF) })
        {
            for (int c = from; c <= to; c++)
            {
                char ch = (char)c;
                if (char.IsSurrogate(ch) || char.IsWhiteSpace(ch))
                {
                    continue;
                }
                int category = (int)CharUnicodeInfo.GetUnicodeCategory(ch);
                if (found[category]
                    || pattern.Contains(ch, StringComparison.Ordinal)
                    || pattern.Contains(char.ToUpperInvariant(ch), StringComparison.Ordinal)
                    || pattern.Contains(char.ToLowerInvariant(ch), StringComparison.Ordinal))
                {
                    continue;
                }
                standIns[category] = ch;
                found[category] = true;
            }
        }
        // Every category that a supplementary code point can have has a BMP member; a surrogate pair never
        // yields Surrogate, and the fallback below is never used for a real category.
        for (int i = 0; i < standIns.Length; i++)
        {
            if (!found[i])
            {
                standIns[i] = '\uFFFD';
            }
        }
        return standIns;
    }

    /// <summary>Rewrites an Oniguruma (Ruby syntax) pattern as a .NET pattern with the same matches.</summary>
    internal static string Translate(string pattern, string where)
    {
        var output = new StringBuilder(pattern.Length + 16);
        // Output index where each open group starts, and where the most recent complete atom starts.
        var groupStarts = new Stack<int>();
        int lastAtomStart = -1;
        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            switch (c)
            {
                case '\\':
                    lastAtomStart = output.Length;
                    i = CopyEscape(pattern, i, output, where);
                    break;
                case '[':
                    lastAtomStart = output.Length;
                    i = CopyClass(pattern, i, output, where);
                    break;
                case '(':
                {
                    int groupStart = output.Length;
                    (i, bool isFlagSetting) = CopyGroupOpening(pattern, i, output, where);
                    if (!isFlagSetting)
                    {
                        groupStarts.Push(groupStart);
                    }
                    lastAtomStart = -1;
                    break;
                }
                case ')':
                    if (groupStarts.Count == 0)
                    {
                        throw Refuse(where, pattern, "it has an unmatched ')'");
                    }
                    output.Append(')');
                    lastAtomStart = groupStarts.Pop();
                    i++;
                    break;
                case '*' or '+' or '?' or '{':
                    i = CopyQuantifier(pattern, i, output, lastAtomStart, where);
                    lastAtomStart = -1;
                    break;
                case '^':
                    output.Append("(?m:^)");
                    lastAtomStart = -1;
                    i++;
                    break;
                case '$':
                    output.Append("(?m:$)");
                    lastAtomStart = -1;
                    i++;
                    break;
                case '|':
                    output.Append('|');
                    lastAtomStart = -1;
                    i++;
                    break;
                default:
                    lastAtomStart = output.Length;
                    if (char.IsHighSurrogate(c) && i + 1 < pattern.Length)
                    {
                        throw Refuse(where, pattern, "it contains a supplementary-plane literal character");
                    }
                    output.Append(c);
                    i++;
                    break;
            }
        }
        if (groupStarts.Count != 0)
        {
            throw Refuse(where, pattern, "it has an unclosed '('");
        }
        return output.ToString();
    }

    private static int CopyQuantifier(string pattern, int i, StringBuilder output, int atomStart, string where)
    {
        int end = i + 1;
        if (pattern[i] == '{')
        {
            int close = pattern.IndexOf('}', i);
            if (close < 0 || !IsCountedRepetition(pattern.AsSpan(i + 1, close - i - 1)))
            {
                // Oniguruma treats a '{' that does not start {n}, {n,}, {,m} or {n,m} as a literal.
                output.Append("\\{");
                return i + 1;
            }
            end = close + 1;
        }
        if (atomStart < 0)
        {
            throw Refuse(where, pattern, $"the quantifier at position {i} has nothing to repeat");
        }
        string quantifier = pattern[i..end];
        if (end < pattern.Length && pattern[end] == '+')
        {
            // Possessive: X*+ ≡ (?>X*).
            output.Insert(atomStart, "(?>");
            output.Append(quantifier).Append(')');
            return end + 1;
        }
        output.Append(quantifier);
        if (end < pattern.Length && pattern[end] == '?')
        {
            output.Append('?');
            return end + 1;
        }
        return end;
    }

    private static bool IsCountedRepetition(ReadOnlySpan<char> inside)
    {
        if (inside.IsEmpty)
        {
            return false;
        }
        int comma = inside.IndexOf(',');
        if (comma < 0)
        {
            return IsDigits(inside);
        }
        ReadOnlySpan<char> low = inside[..comma];
        ReadOnlySpan<char> high = inside[(comma + 1)..];
        return (low.IsEmpty || IsDigits(low)) && (high.IsEmpty || IsDigits(high)) && !(low.IsEmpty && high.IsEmpty);
    }

    private static bool IsDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');

    /// <summary>Copies a group opening; IsFlagSetting is true for a complete "(?i)" that opens no group.</summary>
    private static (int Next, bool IsFlagSetting) CopyGroupOpening(string pattern, int i, StringBuilder output, string where)
    {
        if (i + 1 >= pattern.Length || pattern[i + 1] != '?')
        {
            output.Append('(');
            return (i + 1, false);
        }
        ReadOnlySpan<char> rest = pattern.AsSpan(i + 2);
        foreach (string allowed in new[] { ":", "=", "!", "<=", "<!", ">" })
        {
            if (rest.StartsWith(allowed, StringComparison.Ordinal))
            {
                output.Append("(?").Append(allowed);
                return (i + 2 + allowed.Length, false);
            }
        }
        if (rest.StartsWith("<", StringComparison.Ordinal))
        {
            int close = pattern.IndexOf('>', i);
            if (close > i + 3 && !pattern.AsSpan(i + 3, close - i - 3).ContainsAnyExcept(GroupNameCharacters))
            {
                output.Append(pattern, i, close - i + 1);
                return (close + 1, false);
            }
        }
        // Inline flags: only i (case-insensitive) means the same in Oniguruma and .NET.
        int j = i + 2;
        while (j < pattern.Length && (pattern[j] == 'i' || pattern[j] == '-'))
        {
            j++;
        }
        if (j > i + 2 && j < pattern.Length && (pattern[j] == ':' || pattern[j] == ')'))
        {
            output.Append(pattern, i, j - i + 1);
            return (j + 1, pattern[j] == ')');
        }
        throw Refuse(where, pattern, $"the group at position {i} uses a construct or inline flag other than (?:, (?=, (?!, (?<=, (?<!, (?>, (?<name> and (?i)");
    }

    private static readonly System.Buffers.SearchValues<char> GroupNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    private static int CopyClass(string pattern, int i, StringBuilder output, string where)
    {
        output.Append('[');
        int j = i + 1;
        if (j < pattern.Length && pattern[j] == '^')
        {
            output.Append('^');
            j++;
        }
        if (j < pattern.Length && pattern[j] == ']')
        {
            // A ']' first in a class is a literal in both dialects.
            output.Append("\\]");
            j++;
        }
        while (j < pattern.Length)
        {
            char c = pattern[j];
            if (c == ']')
            {
                output.Append(']');
                return j + 1;
            }
            if (c == '\\')
            {
                j = CopyEscape(pattern, j, output, where);
                continue;
            }
            if (c == '[')
            {
                throw Refuse(where, pattern, $"it nests a character class at position {j} (Oniguruma set operations have no .NET equivalent here)");
            }
            if (c == '&' && j + 1 < pattern.Length && pattern[j + 1] == '&')
            {
                throw Refuse(where, pattern, $"it intersects character classes with && at position {j}");
            }
            if (char.IsHighSurrogate(c))
            {
                throw Refuse(where, pattern, "it contains a supplementary-plane literal character");
            }
            output.Append(c);
            j++;
        }
        throw Refuse(where, pattern, $"the character class opened at position {i} is never closed");
    }

    private static int CopyEscape(string pattern, int i, StringBuilder output, string where)
    {
        if (i + 1 >= pattern.Length)
        {
            throw Refuse(where, pattern, "it ends with a lone backslash");
        }
        char e = pattern[i + 1];
        switch (e)
        {
            case 'p' or 'P':
            {
                if (i + 2 >= pattern.Length || pattern[i + 2] != '{')
                {
                    throw Refuse(where, pattern, $"\\{e} at position {i} must be followed by {{Category}}");
                }
                int close = pattern.IndexOf('}', i + 3);
                if (close < 0)
                {
                    throw Refuse(where, pattern, $"\\{e}{{ at position {i} is never closed");
                }
                string name = pattern[(i + 3)..close];
                bool negated = name.StartsWith('^');
                string bare = negated ? name[1..] : name;
                string? category = Array.Find(GeneralCategoryNames, n => string.Equals(n, bare, StringComparison.OrdinalIgnoreCase));
                if (category is null)
                {
                    throw Refuse(where, pattern, $"\\{e}{{{name}}} is not a Unicode general category (scripts and blocks are not supported)");
                }
                char letter = (e == 'P') ^ negated ? 'P' : 'p';
                output.Append('\\').Append(letter).Append('{').Append(category).Append('}');
                return close + 1;
            }
            case 'x' when i + 2 < pattern.Length && pattern[i + 2] == '{':
            {
                int close = pattern.IndexOf('}', i + 3);
                if (close < 0 || !int.TryParse(pattern.AsSpan(i + 3, close - i - 3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code) || code > 0xFFFF)
                {
                    throw Refuse(where, pattern, $"\\x{{…}} at position {i} is not a BMP code point");
                }
                output.Append("\\u").Append(code.ToString("X4", CultureInfo.InvariantCulture));
                return close + 1;
            }
            case 's' or 'S' or 'd' or 'D' or 'r' or 'n' or 't' or 'f' or 'v' or 'e' or 'a' or 'x' or 'u' or 'A' or 'z' or '0':
                output.Append('\\').Append(e);
                return i + 2;
            default:
                if (!char.IsAsciiLetterOrDigit(e))
                {
                    // An escaped punctuation character is a literal in both dialects.
                    output.Append('\\').Append(e);
                    return i + 2;
                }
                throw Refuse(where, pattern, $"the escape \\{e} at position {i} means something different in Oniguruma and .NET (or is not supported)");
        }
    }

    private static AlloyInputException Refuse(string where, string pattern, string why) =>
        new($"{where}: the split regex \"{pattern}\" cannot be run exactly: {why}.");
}
