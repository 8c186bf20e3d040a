// IFEval "combination:*" checks: two_responses and repeat_prompt.
// Not a similarity measure: "different" and "repeated" are exact string tests, as upstream.
namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// combination:two_responses — splitting on "******" gives exactly two non-blank parts that differ after trimming;
/// a blank part is allowed only before the first or after the last separator.
/// </summary>
internal sealed class TwoResponsesCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];

    public override bool IsFollowedBy(string response)
    {
        var parts = response.Split("******");
        var valid = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            if (PythonText.Strip(parts[i]).Length > 0) valid.Add(parts[i]);
            else if (i != 0 && i != parts.Length - 1) return false;
        }
        return valid.Count == 2 && PythonText.Strip(valid[0]) != PythonText.Strip(valid[1]);
    }
}

/// <summary>
/// combination:repeat_prompt — the trimmed, lower-cased response starts with the trimmed, lower-cased
/// <c>prompt_to_repeat</c>.
/// </summary>
internal sealed class RepeatPromptCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["prompt_to_repeat"];
    private readonly string _prompt;

    public RepeatPromptCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _prompt = PythonText.Lower(PythonText.Strip(arguments.RequiredString("prompt_to_repeat")));

    public override bool IsFollowedBy(string response) =>
        PythonText.Lower(PythonText.Strip(response)).StartsWith(_prompt, StringComparison.Ordinal);
}
