// The common shape of one IFEval instruction check: an id and a pure verdict on one response text.
// Not the strict/loose driver (IfEvalGrader) and not the registry that builds checks from kwargs (IfEvalRegistry).
namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// One instruction of an IFEval prompt with its arguments already validated. <see cref="IsFollowedBy"/> is the
/// upstream <c>check_following</c>: it looks only at the given text (the driver decides which variants of the
/// response to pass and rejects empty responses). Instances are immutable and thread-safe.
/// </summary>
public abstract class IfEvalInstruction
{
    /// <summary>Creates the check for <paramref name="instructionId"/>.</summary>
    protected IfEvalInstruction(string instructionId) => InstructionId = instructionId;

    /// <summary>The upstream instruction id, e.g. "detectable_format:title".</summary>
    public string InstructionId { get; }

    /// <summary>True when <paramref name="response"/> follows the instruction.</summary>
    public abstract bool IsFollowedBy(string response);
}
