// IFEval "startend:*" checks: end_checker and quotation.
// Not tolerant of trailing punctuation: the end phrase must be the literal end (after trimming and outer quotes).
namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// startend:end_checker — the response, trimmed, with surrounding '"' characters removed and lower-cased, ends
/// with the trimmed, lower-cased <c>end_phrase</c>.
/// </summary>
internal sealed class EndPhraseCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["end_phrase"];
    private readonly string _endPhrase;

    public EndPhraseCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _endPhrase = PythonText.Lower(PythonText.Strip(arguments.RequiredString("end_phrase")));

    public override bool IsFollowedBy(string response) =>
        PythonText.Lower(PythonText.Strip(response).Trim('"')).EndsWith(_endPhrase, StringComparison.Ordinal);
}

/// <summary>startend:quotation — the trimmed response is at least two characters long and starts and ends with '"'.</summary>
internal sealed class QuotationCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];

    public override bool IsFollowedBy(string response)
    {
        var text = PythonText.Strip(response);
        return text.Length > 1 && text[0] == '"' && text[^1] == '"';
    }
}
