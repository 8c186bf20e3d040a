// Splits a response's token count into its thinking and answer parts. Counting only; the tokenizer is the caller's.
using Alloy.Evaluation.Graders;

namespace Alloy.Evaluation.Grading;

/// <summary>The thinking and answer token counts of one response.</summary>
/// <param name="Think">Tokens of the thinking part.</param>
/// <param name="Answer">Tokens of the answer part.</param>
public readonly record struct ResponseTokenSplit(int Think, int Answer);

/// <summary>Splits response token counts at the first <c>&lt;/think&gt;</c>.</summary>
public static class ResponseTokens
{
    /// <summary>
    /// With T = <paramref name="completionTokens"/> (the generator's count of the whole response):
    /// when the response contains <c>&lt;/think&gt;</c>, Think = count(text up to and including the first
    /// <c>&lt;/think&gt;</c>) clamped to [0, T] and Answer = T − Think; when it does not, the whole response is thinking
    /// if it opens a thinking block (starts with <c>&lt;think&gt;</c> after whitespace: it was cut before closing it)
    /// and answer otherwise. Re-tokenising a prefix can differ from the generated ids by a token at the boundary; the
    /// two parts always sum to T.
    /// </summary>
    public static ResponseTokenSplit Split(string text, int completionTokens, Func<string, int> countTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(countTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(completionTokens);
        int end = text.IndexOf(ResponseParts.ThinkEndTag, StringComparison.Ordinal);
        if (end < 0)
            return text.AsSpan().TrimStart().StartsWith("<think>", StringComparison.Ordinal)
                ? new ResponseTokenSplit(completionTokens, 0)
                : new ResponseTokenSplit(0, completionTokens);
        int think = Math.Clamp(countTokens(text[..(end + ResponseParts.ThinkEndTag.Length)]), 0, completionTokens);
        return new ResponseTokenSplit(think, completionTokens - think);
    }
}
