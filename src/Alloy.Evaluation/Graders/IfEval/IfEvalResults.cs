// Result types of the IFEval grader: one verdict per instruction (strict and loose) and one result per prompt.
// Not the aggregate accuracies (IfEvalScores) and not storage: the run store serialises these records as it likes.
namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>The verdicts for one instruction of a prompt.</summary>
/// <param name="InstructionId">The upstream id, e.g. "punctuation:no_comma".</param>
/// <param name="Strict">Passed on the answer as written.</param>
/// <param name="Loose">Passed on at least one loose variant (always true when <paramref name="Strict"/> is).</param>
public sealed record IfEvalInstructionVerdict(string InstructionId, bool Strict, bool Loose);

/// <summary>The verdicts for every instruction of one prompt, in the prompt's instruction order.</summary>
/// <param name="Key">The prompt's record key.</param>
/// <param name="Instructions">One verdict per instruction.</param>
public sealed record IfEvalPromptResult(long Key, IReadOnlyList<IfEvalInstructionVerdict> Instructions)
{
    /// <summary>Prompt-level strict: every instruction passed strictly.</summary>
    public bool FollowedAllStrict => Instructions.All(v => v.Strict);

    /// <summary>Prompt-level loose: every instruction passed loosely.</summary>
    public bool FollowedAllLoose => Instructions.All(v => v.Loose);
}
