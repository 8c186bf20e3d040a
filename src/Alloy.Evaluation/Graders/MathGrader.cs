// Grades free-form math answers (MATH-500, AIME, HMMT): extract, normalise, compare.
// It is not a symbolic algebra system; see MathEquivalence for exactly what counts as equal.
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders;

/// <summary>
/// Math grader: a truncated response is wrong; otherwise the answer part (text after the first
/// <c>&lt;/think&gt;</c>) goes through <see cref="MathAnswerExtractor.Extract"/>, both the extracted answer and
/// the reference through <see cref="MathAnswerNormalizer.Normalize"/>, and the pair through
/// <see cref="MathEquivalence.AreEquivalent"/>. A <c>\boxed{}</c> inside the thinking part never counts.
/// An empty reference throws <see cref="AlloyInputException"/>.
/// </summary>
public sealed class MathGrader : IGrader
{
    /// <inheritdoc />
    public Verdict Grade(string response, ResponseFinish finish, string reference, IReadOnlyList<string>? choices = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(reference);
        if (string.IsNullOrWhiteSpace(reference))
            throw new AlloyInputException("The reference answer is empty; the math grader needs the benchmark's final answer (e.g. \"\\frac{1}{2}\").");
        if (finish == ResponseFinish.Truncated) return Verdict.Truncated;
        var parts = ResponseParts.Split(response);
        var extracted = MathAnswerExtractor.Extract(parts.Answer, out _);
        if (extracted is null) return Verdict.NoAnswer;
        return Verdict.For(extracted, AnswersEqual(reference, extracted));
    }

    /// <summary>True when the two raw answers are equal after normalisation (reference first: the rules are symmetric
    /// except that a bare-list response may match a tuple reference).</summary>
    public static bool AnswersEqual(string reference, string answer)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(answer);
        return MathEquivalence.AreEquivalent(MathAnswerNormalizer.Normalize(reference), MathAnswerNormalizer.Normalize(answer));
    }

    /// <summary>The key under which Vote@k groups this extracted answer: the canonical normalised text.</summary>
    public static string VoteKey(string extracted)
    {
        ArgumentNullException.ThrowIfNull(extracted);
        return MathAnswerNormalizer.CanonicalKey(MathAnswerNormalizer.Normalize(extracted));
    }
}
