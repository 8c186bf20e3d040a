// The contract every grader implements: one response, its finish reason and the reference in, a verdict out.
// Graders are pure (no I/O, no engine) and thread-safe.
namespace Alloy.Evaluation.Graders;

/// <summary>
/// Grades one response. Implementations split off the thinking part with <see cref="ResponseParts.Split"/>, grade
/// only the answer part, and return <see cref="Verdict.Truncated"/> whenever the finish reason is
/// <see cref="ResponseFinish.Truncated"/>. They are stateless and safe to call from many threads.
/// </summary>
public interface IGrader
{
    /// <summary>Grades <paramref name="response"/> against <paramref name="reference"/>.</summary>
    /// <param name="response">The whole generated text, thinking included.</param>
    /// <param name="finish">How generation ended; a truncated response is wrong.</param>
    /// <param name="reference">The reference answer (a LaTeX answer, a number, or a choice letter).</param>
    /// <param name="choices">The option texts in the order shown to the model, for multiple choice; else null.</param>
    Verdict Grade(string response, ResponseFinish finish, string reference, IReadOnlyList<string>? choices = null);
}
