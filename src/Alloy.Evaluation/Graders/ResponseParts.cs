// Splits a model response into its thinking part and its answer part at the first "</think>".
// It does not grade anything; every grader calls it first.
namespace Alloy.Evaluation.Graders;

/// <summary>How generation of a response ended, as the backend reported it (OpenAI <c>finish_reason</c>).</summary>
public enum ResponseFinish
{
    /// <summary>The model stopped by itself (end-of-sequence or a stop string): <c>finish_reason = "stop"</c>.</summary>
    Stopped,

    /// <summary>The token limit cut the response: <c>finish_reason = "length"</c>. Such a response is graded wrong.</summary>
    Truncated,
}

/// <summary>
/// A response split at the first <c>&lt;/think&gt;</c>: <see cref="Answer"/> is the text after it, or the whole
/// text when the tag is absent; <see cref="Thought"/> says whether the tag was present (the Think#R convention).
/// </summary>
public readonly record struct ResponseParts(string Answer, bool Thought)
{
    /// <summary>The closing tag of a thinking block.</summary>
    public const string ThinkEndTag = "</think>";

    /// <summary>Splits <paramref name="response"/> at the first <see cref="ThinkEndTag"/> (ordinal match).</summary>
    public static ResponseParts Split(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        int index = response.IndexOf(ThinkEndTag, StringComparison.Ordinal);
        return index < 0 ? new ResponseParts(response, false) : new ResponseParts(response[(index + ThinkEndTag.Length)..], true);
    }

    /// <summary>True when <paramref name="response"/> contains <see cref="ThinkEndTag"/>.</summary>
    public static bool ContainsThinkEnd(ReadOnlySpan<char> response) => response.Contains(ThinkEndTag, StringComparison.Ordinal);
}
