// IFEval "keywords:*" checks: existence, frequency, forbidden_words and letter_frequency.
// Not word-aware except forbidden_words: upstream matches keywords as case-insensitive regular expressions anywhere.
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>Builds case-insensitive patterns from instruction keywords, which upstream treats as regular expressions.</summary>
internal static class KeywordPattern
{
    public static Regex Create(string pattern, IfEvalArguments arguments)
    {
        try
        {
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException e)
        {
            throw new AlloyInputException($"{arguments.Where}: keyword '{pattern}' of instruction '{arguments.InstructionId}' is not a valid pattern: {e.Message}", e);
        }
    }
}

/// <summary>keywords:existence — every keyword occurs somewhere (case-insensitive; "cat" is found in "Category").</summary>
internal sealed class KeywordsExistenceCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["keywords"];
    private readonly Regex[] _keywords;

    public KeywordsExistenceCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _keywords = [.. arguments.RequiredStringList("keywords").Select(k => KeywordPattern.Create(k, arguments))];

    public override bool IsFollowedBy(string response) => _keywords.All(k => k.IsMatch(response));
}

/// <summary>
/// keywords:frequency — the number of non-overlapping case-insensitive occurrences of the (trimmed) keyword,
/// compared with <c>frequency</c> by <c>relation</c>. Occurrences inside longer words count, as upstream.
/// </summary>
internal sealed class KeywordFrequencyCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["keyword", "frequency", "relation"];
    private readonly Regex _keyword;
    private readonly int _frequency;
    private readonly IfEvalRelation _relation;

    public KeywordFrequencyCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        _keyword = KeywordPattern.Create(PythonText.Strip(arguments.RequiredString("keyword")), arguments);
        _frequency = arguments.RequiredInt("frequency");
        _relation = arguments.RequiredRelation("relation");
    }

    public override bool IsFollowedBy(string response) => _relation.Holds(_keyword.Count(response), _frequency);
}

/// <summary>keywords:forbidden_words — no forbidden word occurs as a whole word (<c>\bword\b</c>, case-insensitive).</summary>
internal sealed class ForbiddenWordsCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["forbidden_words"];
    private readonly Regex[] _words;

    public ForbiddenWordsCheck(IfEvalArguments arguments) : base(arguments.InstructionId) =>
        _words = [.. arguments.RequiredStringList("forbidden_words").Select(w => KeywordPattern.Create(@"\b" + w + @"\b", arguments))];

    public override bool IsFollowedBy(string response) => !_words.Any(w => w.IsMatch(response));
}

/// <summary>
/// keywords:letter_frequency — occurrences of <c>letter</c> in the lower-cased response, compared with
/// <c>let_frequency</c> by <c>let_relation</c>. Upper-case letters count as their lower-case form.
/// <para>Difference from upstream: upstream replaces a <c>letter</c> that is not a single ASCII letter (the
/// dataset has '#' and '!') with a random letter, so its verdict for those two instances is random; here the
/// character is counted exactly as written.</para>
/// </summary>
internal sealed class LetterFrequencyCheck : IfEvalInstruction
{
    public static readonly string[] Accepted = ["letter", "let_frequency", "let_relation"];
    private readonly char _letter;
    private readonly int _frequency;
    private readonly IfEvalRelation _relation;

    public LetterFrequencyCheck(IfEvalArguments arguments) : base(arguments.InstructionId)
    {
        var letter = PythonText.Strip(arguments.RequiredString("letter"));
        if (letter.Length != 1)
        {
            throw new AlloyInputException($"{arguments.Where}: argument 'letter' of instruction '{arguments.InstructionId}' must be one character, found '{letter}'.");
        }
        _letter = char.ToLowerInvariant(letter[0]);
        _frequency = arguments.RequiredInt("let_frequency");
        _relation = arguments.RequiredRelation("let_relation");
    }

    public override bool IsFollowedBy(string response)
    {
        var count = 0;
        foreach (var c in response)
        {
            if (char.ToLowerInvariant(c) == _letter) count++;
        }
        return _relation.Holds(count, _frequency);
    }
}
