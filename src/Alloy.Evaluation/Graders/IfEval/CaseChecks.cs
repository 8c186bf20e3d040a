// IFEval "change_case:*" checks: capital_word_frequency, english_capital, english_lowercase.
// Not Unicode case folding: upper/lower follow Python's str.isupper/islower (see PythonText).
namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// change_case:capital_word_frequency — the number of word tokens (<see cref="TreebankWordTokenizer"/>, an
/// approximation of nltk's <c>word_tokenize</c>) that are upper-case in Python's sense (at least one cased
/// letter, none lower-case: "AI", "U.S.", "N'T", "COVID-19" count; "2024" and "." do not), compared with
/// <c>capital_frequency</c> by <c>capital_relation</c>.
/// </summary>
internal sealed class CapitalWordFrequencyCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["capital_frequency", "capital_relation"];
    private readonly int _frequency;
    private readonly IfEvalRelation _relation;

    public CapitalWordFrequencyCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        _frequency = arguments.RequiredInt("capital_frequency");
        _relation = arguments.RequiredRelation("capital_relation");
    }

    public override bool IsFollowedBy(string response) =>
        _relation.Holds(TreebankWordTokenizer.Tokenize(response).Count(PythonText.IsUpper), _frequency);
}

/// <summary>
/// change_case:english_capital — the response is upper-case in Python's sense and its language is English
/// (<see cref="ResponseLanguageIdentifier"/>).
/// </summary>
internal sealed class EnglishCapitalCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];

    public override bool IsFollowedBy(string response) =>
        PythonText.IsUpper(response) && ResponseLanguageIdentifier.IsInLanguage(response, "en");
}

/// <summary>
/// change_case:english_lowercase — the response is lower-case in Python's sense and its language is English
/// (<see cref="ResponseLanguageIdentifier"/>).
/// </summary>
internal sealed class EnglishLowercaseCheck(IfEvalArguments arguments) : IfEvalInstruction(arguments.InstructionId)
{
    public static readonly string[] Accepted = [];

    public override bool IsFollowedBy(string response) =>
        PythonText.IsLower(response) && ResponseLanguageIdentifier.IsInLanguage(response, "en");
}
