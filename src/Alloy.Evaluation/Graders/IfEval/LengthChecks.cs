// IFEval "length_constraints:*" checks: number_sentences, number_paragraphs, number_words, nth_paragraph_first_word.
// Not a text-structure parser: each check splits text exactly the way its upstream checker does, quirks included.
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// length_constraints:number_sentences — Punkt sentence count (<see cref="PunktSentenceSplitter"/>, an
/// approximation of nltk's trained English model) compared with <c>num_sentences</c> by <c>relation</c>.
/// </summary>
internal sealed class NumberOfSentencesCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_sentences", "relation"];
    private readonly int _threshold;
    private readonly IfEvalRelation _relation;

    public NumberOfSentencesCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        _threshold = arguments.RequiredInt("num_sentences");
        _relation = arguments.RequiredRelation("relation");
    }

    public override bool IsFollowedBy(string response) => _relation.Holds(PunktSentenceSplitter.Count(response), _threshold);
}

/// <summary>
/// length_constraints:number_paragraphs — the response split on <c>\s?\*\*\*\s?</c> ("***" dividers) has exactly
/// <c>num_paragraphs</c> non-empty parts; an empty part before the first or after the last divider is ignored,
/// an empty part between two dividers fails the check.
/// </summary>
internal sealed partial class NumberOfParagraphsCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_paragraphs"];
    private readonly int _paragraphs;

    public NumberOfParagraphsCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _paragraphs = arguments.RequiredInt("num_paragraphs");

    [GeneratedRegex("""\s?\*\*\*\s?""")]
    private static partial Regex Divider();

    public override bool IsFollowedBy(string response)
    {
        var parts = Divider().Split(response);
        var count = parts.Length;
        for (var i = 0; i < parts.Length; i++)
        {
            if (PythonText.Strip(parts[i]).Length > 0) continue;
            if (i == 0 || i == parts.Length - 1) count--;
            else return false;
        }
        return count == _paragraphs;
    }
}

/// <summary>
/// length_constraints:number_words — the number of <c>\w+</c> runs (Python's <c>\w</c>, see
/// <see cref="PythonText.CountWordRuns"/>) compared with <c>num_words</c> by <c>relation</c>.
/// </summary>
internal sealed class NumberOfWordsCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_words", "relation"];
    private readonly int _threshold;
    private readonly IfEvalRelation _relation;

    public NumberOfWordsCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        _threshold = arguments.RequiredInt("num_words");
        _relation = arguments.RequiredRelation("relation");
    }

    public override bool IsFollowedBy(string response) => _relation.Holds(PythonText.CountWordRuns(response), _threshold);
}

/// <summary>
/// length_constraints:nth_paragraph_first_word — paragraphs are the pieces between "\n\n" (exactly two newlines;
/// "\n\n\n" leaves a piece starting with "\n"). Blank pieces are not counted, but the n-th piece is taken by
/// position among all pieces, as upstream does, so a leading blank piece shifts it. Passes when the non-blank count
/// equals <c>num_paragraphs</c>, piece n exists among the first (count) pieces and is not blank, and its first word —
/// the first white-space-separated token, with leading ' then " removed, cut at the first of . , ? ! ' " and
/// lower-cased — equals <c>first_word</c> (lower-cased).
/// </summary>
internal sealed class NthParagraphFirstWordCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["num_paragraphs", "nth_paragraph", "first_word"];
    private readonly int _paragraphs;
    private readonly int _nth;
    private readonly string _firstWord;

    public NthParagraphFirstWordCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        _paragraphs = arguments.RequiredInt("num_paragraphs");
        _nth = arguments.RequiredInt("nth_paragraph");
        if (_nth < 1 || _nth > _paragraphs)
        {
            throw new AlloyInputException($"{arguments.Where}: argument 'nth_paragraph' of instruction '{arguments.InstructionId}' must be between 1 and num_paragraphs ({_paragraphs}), found {_nth}.");
        }
        _firstWord = PythonText.Lower(arguments.RequiredString("first_word"));
    }

    public override bool IsFollowedBy(string response)
    {
        var pieces = response.Split("\n\n");
        var count = pieces.Count(p => PythonText.Strip(p).Length > 0);
        if (_nth > count) return false;
        var paragraph = PythonText.Strip(pieces[_nth - 1]);
        if (paragraph.Length == 0) return false;

        var word = PythonText.SplitOnWhiteSpace(paragraph)[0].TrimStart('\'').TrimStart('"');
        var length = word.IndexOfAny(['.', ',', '?', '!', '\'', '"']);
        var firstWord = PythonText.Lower(length < 0 ? word : word[..length]);
        return count == _paragraphs && firstWord == _firstWord;
    }
}
