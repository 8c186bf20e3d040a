// IFEval "language:response_language": the whole response is in the requested ISO 639-1 language.
// Not a language identifier itself: detection and its approximations live in ResponseLanguageIdentifier.
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// language:response_language — the detected language of the whole response equals <c>language</c> (an ISO 639-1
/// code such as "de" or "hi"); a response without letters passes (upstream's detector-exception rule).
/// </summary>
internal sealed class ResponseLanguageCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["language"];
    private readonly string _language;

    public ResponseLanguageCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        _language = arguments.RequiredString("language");
        if (_language.Length != 2 || !_language.All(char.IsAsciiLetterLower))
        {
            throw new AlloyInputException($"{arguments.Where}: argument 'language' of instruction '{arguments.InstructionId}' must be a two-letter lower-case ISO 639-1 code such as \"de\", found '{_language}'.");
        }
    }

    public override bool IsFollowedBy(string response) => ResponseLanguageIdentifier.IsInLanguage(response, _language);
}
