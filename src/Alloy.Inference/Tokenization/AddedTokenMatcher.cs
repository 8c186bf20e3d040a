// Finds added tokens in text (leftmost, then longest) and applies their single_word/lstrip/rstrip flags as
// Hugging Face tokenizers does. It does not normalize or tokenize the text between matches.
using System.Buffers;
using System.Runtime.CompilerServices;

namespace Alloy.Inference.Tokenization;

/// <summary>
/// Splits text into added-token matches and the text between them, with the semantics of Hugging Face
/// <c>AddedVocabulary::find_matches</c> (an Aho–Corasick scan with leftmost-longest match kind):
/// scanning left to right, the earliest position where some token occurs wins, and there the longest token.
/// A match is then dropped (its text stays ordinary text and the scan resumes after it) when it is a special
/// token and special tokens are not allowed, or when it is <c>single_word</c> and a neighbour character is a
/// letter or digit. <c>lstrip</c>/<c>rstrip</c> widen a kept match over adjacent whitespace
/// (<see cref="char.IsWhiteSpace(char)"/>, the Unicode White_Space property), never over an earlier match.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, AddedToken[]> tokensByFirstChar;
    private readonly SearchValues<char> firstChars;

    /// <summary>Builds a matcher over <paramref name="tokens"/> (non-empty, distinct contents).</summary>
    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        tokensByFirstChar = tokens
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        firstChars = SearchValues.Create(tokensByFirstChar.Keys.ToArray());
        IsEmpty = tokensByFirstChar.Count == 0;
    }

    /// <summary>True when there is no token to match.</summary>
    public bool IsEmpty { get; }

    /// <summary>
    /// Appends to <paramref name="segments"/> the consecutive segments of <c>text[start..start+length]</c>: kept
    /// matches (with their token) and the non-empty text between them (token null).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Split(string text, int start, int length, bool allowSpecial, List<Segment> segments)
    {
        int end = start + length;
        int consumed = start;
        int scan = start;
        while (scan < end)
        {
            int found = text.AsSpan(scan, end - scan).IndexOfAny(firstChars);
            if (found < 0)
            {
                break;
            }
            int position = scan + found;
            AddedToken? token = LongestAt(text, position, end);
            if (token is null)
            {
                scan = position + 1;
                continue;
            }
            int matchStart = position;
            int matchEnd = position + token.Content.Length;
            scan = matchEnd;
            if ((token.Special && !allowSpecial) || matchStart < consumed)
            {
                continue;
            }
            if (token.SingleWord && !StandsAlone(text, start, end, matchStart, matchEnd))
            {
                continue;
            }
            if (token.LeftStrip)
            {
                while (matchStart > consumed && char.IsWhiteSpace(text[matchStart - 1]))
                {
                    matchStart--;
                }
            }
            if (token.RightStrip)
            {
                while (matchEnd < end && char.IsWhiteSpace(text[matchEnd]))
                {
                    matchEnd++;
                }
            }
            if (matchStart > consumed)
            {
                segments.Add(new Segment(null, consumed, matchStart - consumed));
            }
            segments.Add(new Segment(token, matchStart, matchEnd - matchStart));
            consumed = matchEnd;
            scan = Math.Max(scan, matchEnd);
        }
        if (consumed < end)
        {
            segments.Add(new Segment(null, consumed, end - consumed));
        }
    }

    private AddedToken? LongestAt(string text, int position, int end)
    {
        if (!tokensByFirstChar.TryGetValue(text[position], out AddedToken[]? candidates))
        {
            return null;
        }
        ReadOnlySpan<char> rest = text.AsSpan(position, end - position);
        foreach (AddedToken candidate in candidates)
        {
            if (rest.StartsWith(candidate.Content, StringComparison.Ordinal))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// Hugging Face single_word rule: the character before the match (if any) and the character after it (if any)
    /// must not be alphanumeric (letters, marks of letters and numbers, approximated by letter or number category).
    /// </summary>
    private static bool StandsAlone(string text, int start, int end, int matchStart, int matchEnd)
    {
        bool leftOk = matchStart == start || !IsAlphanumericBefore(text, matchStart);
        bool rightOk = matchEnd == end || !IsAlphanumericAt(text, matchEnd);
        return leftOk && rightOk;
    }

    private static bool IsAlphanumericBefore(string text, int index)
    {
        int i = index - 1;
        if (char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1]))
        {
            i--;
        }
        return IsAlphanumericAt(text, i);
    }

    private static bool IsAlphanumericAt(string text, int index)
    {
        System.Text.Rune.DecodeFromUtf16(text.AsSpan(index), out System.Text.Rune rune, out _);
        return System.Text.Rune.IsLetter(rune) || System.Text.Rune.IsNumber(rune);
    }

    /// <summary>A piece of the text: an added-token match (<see cref="Token"/> set) or ordinary text.</summary>
    public readonly record struct Segment(AddedToken? Token, int Start, int Length);
}
