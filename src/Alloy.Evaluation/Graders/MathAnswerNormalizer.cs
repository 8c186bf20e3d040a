// Rewrites an extracted math answer into a canonical LaTeX string (the Qwen/Minerva "strip_string" idea).
// It does not decide equality: MathEquivalence parses and compares what this produces.
using System.Text;
using System.Text.RegularExpressions;

namespace Alloy.Evaluation.Graders;

/// <summary>
/// Normalises a math answer in this order: trim and flatten whitespace; map Unicode math symbols to LaTeX;
/// strip enclosing <c>$…$</c>, <c>\(…\)</c>, <c>\[…\]</c> and every remaining <c>$</c>/<c>\$</c>; drop spacing
/// commands (<c>\! \, \; \: \quad</c>) and <c>{,}</c> (and the comma itself in <c>10,\!080</c>, <c>10{,}080</c>,
/// <c>10\,080</c>, where they separate thousands); <c>_{5}</c> → <c>_5</c>; <c>\dfrac</c>/<c>\tfrac</c>/<c>\cfrac</c> → <c>\frac</c>;
/// remove <c>\left</c>/<c>\right</c>/<c>\displaystyle</c>; <c>\leq</c>/<c>\geq</c>/<c>\neq</c> → <c>\le</c>/<c>\ge</c>/<c>\ne</c>;
/// remove degrees (<c>^\circ</c>, <c>^{\circ}</c>, <c>°</c>); <c>\%</c> → <c>%</c> (kept: the evaluator reads it);
/// remove a trailing unit (<c>\text{ cm}^2</c>, <c>\mbox{ inches}</c>, or a unit word after a number);
/// unwrap <c>\text</c>, <c>\textbf</c>, <c>\mathbf</c>, <c>\mathrm</c>, <c>\boldsymbol</c>, <c>\mbox</c>, <c>\boxed</c>;
/// <c>\emptyset</c> → <c>\{\}</c>; "infinity"/"inf" → <c>\infty</c>; " and " → ","; drop a one-letter
/// left-hand side ("x = 5" → "5", "x \in [1,2]" → "[1,2]") when there is exactly one '='; drop trailing
/// periods; drop thousands separators when the whole answer is one grouped number ("1,234,567.5").
/// Spaces are collapsed to one (the parser needs the space in <c>\cot x</c>); <see cref="CanonicalKey"/>
/// removes them for string comparison.
/// </summary>
public static partial class MathAnswerNormalizer
{
    /// <summary>Answers longer than this many characters are only trimmed: they are not real answers.</summary>
    public const int MaxAnswerLength = 2000;

    private static readonly string[] UnitWords =
    [
        "square", "sq", "cubic", "units", "unit", "cm", "mm", "km", "meters", "meter", "metres", "metre",
        "inches", "inch", "in", "feet", "foot", "ft", "yards", "yard", "miles", "mile", "mph", "degrees", "degree",
        "dollars", "dollar", "cents", "cent", "hours", "hour", "hrs", "minutes", "minute", "mins", "seconds", "second",
        "days", "day", "weeks", "week", "years", "year", "ways", "integers", "people", "students", "points",
        "pounds", "lbs", "ounces", "oz", "grams", "kg", "liters", "litres", "gallons", "percent", "radians",
    ];

    [GeneratedRegex(@"\\(?:left|right)(?![a-zA-Z])")]
    private static partial Regex LeftRightRegex();

    [GeneratedRegex(@"\^\s*\{?\s*\\circ\s*\}?|\\circ(?![a-zA-Z])|\\degree(?![a-zA-Z])")]
    private static partial Regex DegreesRegex();

    [GeneratedRegex(@"^(?<value>.*\S)\s*\\(?:text|textrm|mbox|mathrm)\s*\{\s*(?<unit>[a-zA-Z][a-zA-Z ]*?)\s*\}\s*(?:\^\s*\{?\s*\d\s*\}?)?$")]
    private static partial Regex TrailingTextUnitRegex();

    [GeneratedRegex(@"\\(?:text|textbf|textrm|textit|mathbf|mathrm|mathit|boldsymbol|mbox|boxed|fbox|operatorname)\s*\{(?<inner>[^{}]*)\}")]
    private static partial Regex WrapperRegex();

    [GeneratedRegex(@"(?<=[\d}%])\s+(?:square\s+|sq\s+|cubic\s+)?(?<unit>[a-zA-Z]+)(?:\s*\^\s*\{?\s*\d\s*\}?)?$")]
    private static partial Regex TrailingUnitWordRegex();

    [GeneratedRegex(@"(?<![\\a-zA-Z])(?:infinity|inf)(?![a-zA-Z])", RegexOptions.IgnoreCase)]
    private static partial Regex InfinityWordRegex();

    [GeneratedRegex(@"\s*(?:,\s*)?(?:\\text\s*\{\s*and\s*\}|(?<![a-zA-Z\\])and(?![a-zA-Z]))\s*")]
    private static partial Regex AndRegex();

    [GeneratedRegex(@"^[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?\s*(?:=|\\in(?![a-zA-Z]))\s*")]
    private static partial Regex SingleLetterLeftSideRegex();

    [GeneratedRegex(@"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")]
    private static partial Regex GroupedNumberRegex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();

    [GeneratedRegex(@"(?<=\d)(?:,\\!\s*|\\,|\{,\})(?=\d{3}(?!\d))")]
    private static partial Regex LatexThousandsRegex();

    [GeneratedRegex(@"(?<!\\)\\ ")]
    private static partial Regex EscapedSpaceRegex();

    [GeneratedRegex(@"_\{([a-zA-Z0-9]+)\}")]
    private static partial Regex BracedSubscriptRegex();

    [GeneratedRegex(@"(\\[a-zA-Z]+) (?=[a-zA-Z])|\s+")]
    private static partial Regex KeySpaceRegex();

    /// <summary>The normalised form of <paramref name="answer"/> (see the type's remarks for the rules).</summary>
    public static string Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        string s = answer.Trim();
        if (s.Length > MaxAnswerLength) return s;
        if (IsPlainNumber(s)) return TrimTrailingPeriods(s);

        s = ReplaceUnicode(s);
        s = StripMathDelimiters(s);
        s = s.Replace("\\$", "", StringComparison.Ordinal).Replace("$", "", StringComparison.Ordinal);
        s = LatexThousandsRegex().Replace(s, "");
        s = s.Replace("\\!", "", StringComparison.Ordinal)
             .Replace("{,}", "", StringComparison.Ordinal)
             .Replace("\\,", " ", StringComparison.Ordinal)
             .Replace("\\;", " ", StringComparison.Ordinal)
             .Replace("\\:", " ", StringComparison.Ordinal)
             .Replace("\\qquad", " ", StringComparison.Ordinal)
             .Replace("\\quad", " ", StringComparison.Ordinal)
             .Replace('~', ' ');
        s = EscapedSpaceRegex().Replace(s, " ");
        s = s.Replace("\\dfrac", "\\frac", StringComparison.Ordinal)
             .Replace("\\tfrac", "\\frac", StringComparison.Ordinal)
             .Replace("\\cfrac", "\\frac", StringComparison.Ordinal)
             .Replace("\\displaystyle", "", StringComparison.Ordinal)
             .Replace("\\textstyle", "", StringComparison.Ordinal);
        s = LeftRightRegex().Replace(s, "");
        s = s.Replace("\\leq", "\\le", StringComparison.Ordinal)
             .Replace("\\geq", "\\ge", StringComparison.Ordinal)
             .Replace("\\neq", "\\ne", StringComparison.Ordinal);
        s = DegreesRegex().Replace(s, "");
        s = BracedSubscriptRegex().Replace(s, "_$1");
        s = s.Replace("\\%", "%", StringComparison.Ordinal);
        s = s.Replace("\\emptyset", "\\{\\}", StringComparison.Ordinal)
             .Replace("\\varnothing", "\\{\\}", StringComparison.Ordinal);
        s = WhitespaceRegex().Replace(s, " ").Trim();

        s = TrimTrailingPeriods(s);
        s = RemoveTrailingUnits(s);
        for (int round = 0; round < 8; round++)
        {
            string unwrapped = WrapperRegex().Replace(s, m => m.Groups["inner"].Value);
            if (ReferenceEquals(unwrapped, s) || unwrapped == s) break;
            s = unwrapped;
        }
        s = RemoveTrailingUnits(s);
        s = InfinityWordRegex().Replace(s, "\\infty");
        s = AndRegex().Replace(s, ",");
        if (CountChar(s, '=') <= 1) s = SingleLetterLeftSideRegex().Replace(s, "", 1);
        s = WhitespaceRegex().Replace(s, " ").Trim();
        s = TrimTrailingPeriods(s);
        if (GroupedNumberRegex().IsMatch(s)) s = s.Replace(",", "", StringComparison.Ordinal);
        return s;
    }

    /// <summary>
    /// The string used for exact-text comparison and for grouping answers in Vote@k: the normalised answer
    /// without spaces (one space is kept between a command and a following letter, as in <c>\cot x</c>).
    /// Compare keys case-insensitively (ordinal ignore-case).
    /// </summary>
    public static string CanonicalKey(string normalizedAnswer)
    {
        ArgumentNullException.ThrowIfNull(normalizedAnswer);
        if (!normalizedAnswer.Contains(' ', StringComparison.Ordinal)) return normalizedAnswer;
        return KeySpaceRegex().Replace(normalizedAnswer, m => m.Groups[1].Success ? m.Groups[1].Value + " " : "");
    }

    /// <summary>Digits with at most a leading minus and dots: nothing to normalise but a trailing period.</summary>
    private static bool IsPlainNumber(string s)
    {
        if (s.Length == 0) return false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (!(char.IsAsciiDigit(c) || c == '.' || (c == '-' && i == 0))) return false;
        }
        return true;
    }

    private static string RemoveTrailingUnits(string s)
    {
        var text = TrailingTextUnitRegex().Match(s);
        if (text.Success && IsUnitPhrase(text.Groups["unit"].ValueSpan)) s = text.Groups["value"].Value.TrimEnd();
        var word = TrailingUnitWordRegex().Match(s);
        if (word.Success && IsUnitWord(word.Groups["unit"].ValueSpan)) s = s[..word.Index].TrimEnd();
        return s;
    }

    private static bool IsUnitPhrase(ReadOnlySpan<char> phrase)
    {
        foreach (var range in phrase.Split(' '))
        {
            var part = phrase[range];
            if (part.Length > 0 && !IsUnitWord(part)) return false;
        }
        return true;
    }

    private static bool IsUnitWord(ReadOnlySpan<char> word)
    {
        foreach (string unit in UnitWords)
            if (word.Equals(unit, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static string TrimTrailingPeriods(string s)
    {
        int end = s.Length;
        while (end > 0 && (s[end - 1] == '.' || s[end - 1] == ' '))
        {
            // "\right." and "5." both lose the dot; a lone "." stays (nothing else to keep).
            if (end == 1) break;
            end--;
        }
        return end == s.Length ? s : s[..end];
    }

    private static string StripMathDelimiters(string s)
    {
        for (int round = 0; round < 4; round++)
        {
            if (s.Length >= 4 && s.StartsWith("$$", StringComparison.Ordinal) && s.EndsWith("$$", StringComparison.Ordinal)) s = s[2..^2].Trim();
            else if (s.Length >= 2 && s[0] == '$' && s[^1] == '$') s = s[1..^1].Trim();
            else if (s.StartsWith("\\(", StringComparison.Ordinal) && s.EndsWith("\\)", StringComparison.Ordinal)) s = s[2..^2].Trim();
            else if (s.StartsWith("\\[", StringComparison.Ordinal) && s.EndsWith("\\]", StringComparison.Ordinal)) s = s[2..^2].Trim();
            else break;
        }
        return s;
    }

    private static string ReplaceUnicode(string s)
    {
        bool any = false;
        foreach (char c in s)
            if (c > 127) { any = true; break; }
        if (!any) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            switch (c)
            {
                case '\u2212': case '\u2013': case '\u2014': sb.Append('-'); break;
                case '\u00d7': sb.Append("\\times "); break;
                case '\u00b7': case '\u22c5': sb.Append("\\cdot "); break;
                case '\u00f7': sb.Append("\\div "); break;
                case '\u03c0': sb.Append("\\pi "); break;
                case '\u221e': sb.Append("\\infty "); break;
                case '\u221a': sb.Append("\\sqrt"); break;
                case '\u00b0': break;
                case '\u2264': sb.Append("\\le "); break;
                case '\u2265': sb.Append("\\ge "); break;
                case '\u2260': sb.Append("\\ne "); break;
                case '\u222a': sb.Append("\\cup "); break;
                case '\u00b1': sb.Append("\\pm "); break;
                case '\u00a0': case '\u2009': case '\u202f': sb.Append(' '); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    private static int CountChar(string s, char c)
    {
        int count = 0;
        foreach (char x in s) if (x == c) count++;
        return count;
    }
}
