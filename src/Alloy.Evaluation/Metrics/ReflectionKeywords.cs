// Counts self-reflection phrases ("wait", "double-check", "hmm", …) in responses, a proxy for re-checking
// behaviour. A fixed, documented keyword list; not a classifier.
using System.Text.RegularExpressions;

namespace Alloy.Evaluation.Metrics;

/// <summary>
/// Reflection keywords, matched case-insensitively as whole words/phrases (word boundaries at both ends), counted
/// without overlap left to right (a longer phrase starting at the same place wins: "let me verify" counts once):
/// <c>wait</c>, <c>hmm</c> (and <c>hmmm…</c>), <c>double-check</c>/<c>double check</c> (+ -ing/-ed/-s),
/// <c>let me check</c>, <c>let me verify</c>, <c>let me reconsider</c>, <c>let me re-examine</c>,
/// <c>let me recheck</c>, <c>verify</c>/<c>verifying</c>, <c>alternatively</c>, <c>recheck</c>/<c>re-check</c>,
/// <c>re-examine</c>/<c>reexamine</c>, <c>on second thought</c>, <c>but actually</c>.
/// The rate is the share of responses with at least one match; <see cref="MeanCount"/> the mean matches per response.
/// </summary>
public static partial class ReflectionKeywords
{
    [GeneratedRegex(@"\b(?:let\s+me\s+(?:check|verify|reconsider|re-?examine|re-?check)|on\s+second\s+thought|but\s+actually|double[-\s]check(?:ing|ed|s)?|re-?check(?:ing|ed|s)?|re-?examine|verify(?:ing)?|alternatively|wait|hmm+)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeywordRegex();

    /// <summary>Number of keyword matches in <paramref name="text"/>.</summary>
    public static int Count(ReadOnlySpan<char> text) => KeywordRegex().Count(text);

    /// <summary>Share of responses with at least one keyword; NaN when there are none.</summary>
    public static double Rate(IReadOnlyList<string> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Count == 0) return double.NaN;
        int hits = 0;
        foreach (string r in responses) if (KeywordRegex().IsMatch(r)) hits++;
        return (double)hits / responses.Count;
    }

    /// <summary>Mean keyword count per response; NaN when there are none.</summary>
    public static double MeanCount(IReadOnlyList<string> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Count == 0) return double.NaN;
        long total = 0;
        foreach (string r in responses) total += Count(r);
        return (double)total / responses.Count;
    }
}
