// The result of grading one response: correct or not, what answer was read, and why.
// It carries no scores or aggregates; Metrics/ does that.
namespace Alloy.Evaluation.Graders;

/// <summary>Why a response got its verdict.</summary>
public enum VerdictReason
{
    /// <summary>The extracted answer equals the reference.</summary>
    Matched,

    /// <summary>An answer was extracted and differs from the reference.</summary>
    Mismatch,

    /// <summary>No answer could be extracted from the answer part.</summary>
    NoAnswer,

    /// <summary>The response was cut by the token limit; it is wrong whatever it contains.</summary>
    Truncated,
}

/// <summary>
/// One graded response. <see cref="Extracted"/> is the answer as read from the response (before normalisation),
/// null when none was found or the response was truncated.
/// </summary>
public readonly record struct Verdict(bool Correct, string? Extracted, VerdictReason Reason)
{
    /// <summary>The verdict for a truncated response.</summary>
    public static Verdict Truncated => new(false, null, VerdictReason.Truncated);

    /// <summary>The verdict when nothing could be extracted.</summary>
    public static Verdict NoAnswer => new(false, null, VerdictReason.NoAnswer);

    /// <summary>A verdict for an extracted answer.</summary>
    public static Verdict For(string extracted, bool correct) =>
        new(correct, extracted, correct ? VerdictReason.Matched : VerdictReason.Mismatch);
}
