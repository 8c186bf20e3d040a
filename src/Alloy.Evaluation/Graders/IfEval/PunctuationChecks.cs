// IFEval "punctuation:no_comma": the response contains no ASCII comma.
// Not a general punctuation check: full-width or Arabic commas (， ، ) are allowed, as upstream.
namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>punctuation:no_comma — no ',' (U+002C) anywhere in the response.</summary>
internal sealed class NoCommaCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];

    public override bool IsFollowedBy(string response) => !response.Contains(',', StringComparison.Ordinal);
}
