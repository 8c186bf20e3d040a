// Builds the config layer's user-facing errors: "FILE:LINE:COL: what is wrong; what is expected".
// Also the "did you mean" suggestion by edit distance. It decides nothing about the schema itself.
using Alloy.Tensors;

namespace Alloy.Merging.Config;

/// <summary>Helpers that format <see cref="AlloyInputException"/>s for config problems.</summary>
internal static class ConfigErrors
{
    /// <summary>
    /// Creates an exception whose message is <c>FILE:LINE:COL: {problem}; {expected}</c>.
    /// </summary>
    public static AlloyInputException At(SourcePosition position, string problem, string expected) =>
        new($"{position}: {problem}; {expected}");

    /// <summary>
    /// "expected one of a, b, c" with a "did you mean 'x'?" prefix when one candidate is close to
    /// <paramref name="given"/> (Levenshtein distance at most max(1, length / 3), case-insensitive).
    /// </summary>
    public static string ExpectedOneOf(string given, IEnumerable<string> candidates)
    {
        var list = candidates.ToList();
        var suggestion = Suggest(given, list);
        var known = "expected one of: " + string.Join(", ", list);
        return suggestion is null ? known : $"did you mean '{suggestion}'? ({known})";
    }

    /// <summary>The candidate closest to <paramref name="given"/> if it is close enough to be a likely typo, else null.</summary>
    public static string? Suggest(string given, IReadOnlyList<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(given.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        var limit = Math.Max(1, given.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions each cost 1), O(|a|·|b|) time, O(|b|) memory.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>Quotes a user value for a message, shortened to 60 characters so hostile input cannot flood the terminal.</summary>
    public static string Quote(string value)
    {
        var shown = value.Length > 60 ? value[..57] + "..." : value;
        return "'" + shown.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "'";
    }
}
