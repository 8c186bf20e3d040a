// Finds the final answer inside the answer part of a math response (last \boxed{}, then a fallback chain).
// It neither normalises nor compares; see MathAnswerNormalizer and MathEquivalence.
using System.Text.RegularExpressions;

namespace Alloy.Evaluation.Graders;

/// <summary>Where an extracted math answer came from.</summary>
public enum MathAnswerSource
{
    /// <summary>No answer was found.</summary>
    None,
    /// <summary>The content of the last <c>\boxed{…}</c> or <c>\fbox{…}</c>.</summary>
    Boxed,
    /// <summary>The Minerva sentence "final answer is X. I hope it is correct" or "final answer is X".</summary>
    FinalAnswerSentence,
    /// <summary>"the answer is X".</summary>
    AnswerIsSentence,
    /// <summary>"Answer: X" (markdown bold allowed).</summary>
    AnswerColon,
    /// <summary>The last inline math environment <c>$…$</c>, <c>$$…$$</c>, <c>\(…\)</c> or <c>\[…\]</c>.</summary>
    LastMathEnvironment,
    /// <summary>The last number in the text.</summary>
    LastNumber,
}

/// <summary>
/// The extraction chain, first hit wins (Qwen2.5-Math <c>extract_answer</c> order, with Math-Verify's
/// "answer:" and bare-LaTeX rules placed before Qwen's last-number fallback):
/// <list type="number">
/// <item>the last <c>\boxed</c>/<c>\fbox</c> by position, content taken by brace matching (an unclosed box is skipped
/// and the previous one tried); <c>\boxed 5</c> without braces takes the text up to a space or <c>$</c>;</item>
/// <item>the last "final answer is …", then the last "the answer is …", then the last "answer: …" (case-insensitive;
/// the rest of that line, cut at "I hope it is correct", at the first <c>$…$</c> if any, and at a sentence end);</item>
/// <item>the last math environment;</item>
/// <item>the last number (commas inside digit groups dropped).</item>
/// </list>
/// </summary>
public static partial class MathAnswerExtractor
{
    private const int MaxBoxScan = 64;

    [GeneratedRegex(@"final\s+answer\s+is\s*:?", RegexOptions.IgnoreCase | RegexOptions.RightToLeft)]
    private static partial Regex FinalAnswerIsRegex();

    [GeneratedRegex(@"the\s+answer\s+is\s*:?", RegexOptions.IgnoreCase | RegexOptions.RightToLeft)]
    private static partial Regex AnswerIsRegex();

    [GeneratedRegex(@"answer\s*\**\s*:\s*\**", RegexOptions.IgnoreCase | RegexOptions.RightToLeft)]
    private static partial Regex AnswerColonRegex();

    [GeneratedRegex(@"\$\$(?<m>[^$]+)\$\$|\$(?<m>[^$]+)\$|\\\((?<m>.+?)\\\)|\\\[(?<m>.+?)\\\]", RegexOptions.Singleline | RegexOptions.RightToLeft)]
    private static partial Regex MathEnvironmentRegex();

    [GeneratedRegex(@"\$(?<m>[^$]+)\$|\\\((?<m>.+?)\\\)")]
    private static partial Regex FirstInlineMathRegex();

    [GeneratedRegex(@"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+")]
    private static partial Regex NumberRegex();

    [GeneratedRegex(@"\s*I hope it is correct.*$", RegexOptions.IgnoreCase)]
    private static partial Regex HopeRegex();

    /// <summary>The answer text found in <paramref name="answerPart"/>, or null; <paramref name="source"/> says which rule.</summary>
    public static string? Extract(string answerPart, out MathAnswerSource source)
    {
        ArgumentNullException.ThrowIfNull(answerPart);
        var boxed = LastBoxed(answerPart);
        if (boxed is not null) { source = MathAnswerSource.Boxed; return boxed; }

        if (FromSentence(answerPart, FinalAnswerIsRegex()) is { } final) { source = MathAnswerSource.FinalAnswerSentence; return final; }
        if (FromSentence(answerPart, AnswerIsRegex()) is { } answerIs) { source = MathAnswerSource.AnswerIsSentence; return answerIs; }
        if (FromSentence(answerPart, AnswerColonRegex()) is { } colon) { source = MathAnswerSource.AnswerColon; return colon; }

        var math = MathEnvironmentRegex().Match(answerPart);
        if (math.Success && math.Groups["m"].ValueSpan.Trim().Length > 0)
        {
            source = MathAnswerSource.LastMathEnvironment;
            return math.Groups["m"].Value.Trim();
        }

        if (LastNumber(answerPart) is { } number) { source = MathAnswerSource.LastNumber; return number; }
        source = MathAnswerSource.None;
        return null;
    }

    /// <summary>
    /// The content of the last <c>\boxed{…}</c> / <c>\fbox{…}</c> in <paramref name="text"/> by brace matching, or null.
    /// </summary>
    public static string? LastBoxed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int searchEnd = text.Length;
        for (int attempt = 0; attempt < MaxBoxScan && searchEnd > 0; attempt++)
        {
            int boxed = text.LastIndexOf("\\boxed", searchEnd - 1, searchEnd, StringComparison.Ordinal);
            int fbox = text.LastIndexOf("\\fbox", searchEnd - 1, searchEnd, StringComparison.Ordinal);
            int start = Math.Max(boxed, fbox);
            if (start < 0) return null;
            int contentStart = start + (start == boxed ? 6 : 5);
            var content = BoxContent(text, contentStart);
            if (content is not null) return content;
            searchEnd = start;
        }
        return null;
    }

    private static string? BoxContent(string text, int position)
    {
        if (position < text.Length && char.IsAsciiLetter(text[position])) return null; // \boxedsomething is another command
        int p = position;
        while (p < text.Length && text[p] == ' ') p++;
        if (p < text.Length && text[p] == '{')
        {
            int depth = 0;
            for (int i = p; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\\' && i + 1 < text.Length && (text[i + 1] == '{' || text[i + 1] == '}')) { i++; continue; }
                if (c == '{') depth++;
                else if (c == '}' && --depth == 0) return text[(p + 1)..i].Trim();
            }
            return null;
        }
        if (p == position) return null;
        int end = p;
        while (end < text.Length && text[end] != '$' && !char.IsWhiteSpace(text[end])) end++;
        return end > p ? text[p..end].TrimEnd('.') : null;
    }

    private static string? FromSentence(string text, Regex phrase)
    {
        var match = phrase.Match(text);
        if (!match.Success) return null;
        int start = match.Index + match.Length;
        int lineEnd = text.IndexOf('\n', start);
        string rest = (lineEnd < 0 ? text[start..] : text[start..lineEnd]).Trim();
        rest = HopeRegex().Replace(rest, "");
        var inline = FirstInlineMathRegex().Match(rest);
        if (inline.Success) rest = inline.Groups["m"].Value;
        else
        {
            int sentenceEnd = rest.IndexOf(". ", StringComparison.Ordinal);
            if (sentenceEnd > 0) rest = rest[..sentenceEnd];
        }
        rest = rest.Trim().TrimStart(':').Trim().TrimEnd('.').Trim().Trim('*').Trim();
        return rest.Length == 0 ? null : rest;
    }

    /// <summary>The last number in <paramref name="text"/> with digit-group commas removed, or null.</summary>
    public static string? LastNumber(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int index = -1, length = 0;
        foreach (var match in NumberRegex().EnumerateMatches(text))
        {
            index = match.Index;
            length = match.Length;
        }
        if (index < 0) return null;
        var span = text.AsSpan(index, length);
        return span.Contains(',') ? span.ToString().Replace(",", "", StringComparison.Ordinal) : span.ToString();
    }
}
