// The table of the 25 IFEval instruction ids: which kwargs each accepts and how its check is built.
// Not the checks themselves (one file per group of related checks) and not the strict/loose driver.
using System.Collections.Frozen;
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// Builds validated <see cref="IfEvalInstruction"/> checks from an instruction id and its kwargs, as upstream's
/// <c>INSTRUCTION_DICT</c> + <c>build_description</c> do, except that a missing or malformed argument is an
/// error instead of being replaced by a random value.
/// </summary>
public static class IfEvalRegistry
{
    private sealed record Entry(string[] Accepted, Func<IfEvalArguments, IfEvalInstruction> Create);

    private static readonly FrozenDictionary<string, Entry> Entries = new Dictionary<string, Entry>(StringComparer.Ordinal)
    {
        ["keywords:existence"] = new(KeywordsExistenceCheck.Accepted, a => new KeywordsExistenceCheck(a)),
        ["keywords:frequency"] = new(KeywordFrequencyCheck.Accepted, a => new KeywordFrequencyCheck(a)),
        ["keywords:forbidden_words"] = new(ForbiddenWordsCheck.Accepted, a => new ForbiddenWordsCheck(a)),
        ["keywords:letter_frequency"] = new(LetterFrequencyCheck.Accepted, a => new LetterFrequencyCheck(a)),
        ["language:response_language"] = new(ResponseLanguageCheck.Accepted, a => new ResponseLanguageCheck(a)),
        ["length_constraints:number_sentences"] = new(NumberOfSentencesCheck.Accepted, a => new NumberOfSentencesCheck(a)),
        ["length_constraints:number_paragraphs"] = new(NumberOfParagraphsCheck.Accepted, a => new NumberOfParagraphsCheck(a)),
        ["length_constraints:number_words"] = new(NumberOfWordsCheck.Accepted, a => new NumberOfWordsCheck(a)),
        ["length_constraints:nth_paragraph_first_word"] = new(NthParagraphFirstWordCheck.Accepted, a => new NthParagraphFirstWordCheck(a)),
        ["detectable_content:number_placeholders"] = new(PlaceholderCheck.Accepted, a => new PlaceholderCheck(a)),
        ["detectable_content:postscript"] = new(PostscriptCheck.Accepted, a => new PostscriptCheck(a)),
        ["detectable_format:number_bullet_lists"] = new(BulletListCheck.Accepted, a => new BulletListCheck(a)),
        ["detectable_format:constrained_response"] = new(ConstrainedResponseCheck.Accepted, a => new ConstrainedResponseCheck(a)),
        ["detectable_format:number_highlighted_sections"] = new(HighlightedSectionsCheck.Accepted, a => new HighlightedSectionsCheck(a)),
        ["detectable_format:multiple_sections"] = new(MultipleSectionsCheck.Accepted, a => new MultipleSectionsCheck(a)),
        ["detectable_format:json_format"] = new(JsonFormatCheck.Accepted, a => new JsonFormatCheck(a)),
        ["detectable_format:title"] = new(TitleCheck.Accepted, a => new TitleCheck(a)),
        ["combination:two_responses"] = new(TwoResponsesCheck.Accepted, a => new TwoResponsesCheck(a)),
        ["combination:repeat_prompt"] = new(RepeatPromptCheck.Accepted, a => new RepeatPromptCheck(a)),
        ["startend:end_checker"] = new(EndPhraseCheck.Accepted, a => new EndPhraseCheck(a)),
        ["startend:quotation"] = new(QuotationCheck.Accepted, a => new QuotationCheck(a)),
        ["change_case:capital_word_frequency"] = new(CapitalWordFrequencyCheck.Accepted, a => new CapitalWordFrequencyCheck(a)),
        ["change_case:english_capital"] = new(EnglishCapitalCheck.Accepted, a => new EnglishCapitalCheck(a)),
        ["change_case:english_lowercase"] = new(EnglishLowercaseCheck.Accepted, a => new EnglishLowercaseCheck(a)),
        ["punctuation:no_comma"] = new(NoCommaCheck.Accepted, a => new NoCommaCheck(a)),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The 25 supported instruction ids, sorted.</summary>
    public static IReadOnlyList<string> InstructionIds { get; } = [.. Entries.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The argument names <paramref name="instructionId"/> accepts (empty for argument-free checks).</summary>
    public static IReadOnlyList<string> AcceptedArguments(string instructionId) => Lookup(instructionId, "IFEval").Accepted;

    /// <summary>
    /// Builds the check for <paramref name="instructionId"/> from its kwargs object. Null members are ignored;
    /// an unknown id, an unknown argument, or a missing or ill-typed argument throws
    /// <see cref="AlloyInputException"/> naming <paramref name="where"/>, the instruction id and the argument.
    /// </summary>
    public static IfEvalInstruction Create(string instructionId, JsonElement kwargs, string where)
    {
        var entry = Lookup(instructionId, where);
        var arguments = new IfEvalArguments(instructionId, kwargs, where);
        arguments.RejectUnknown(entry.Accepted);
        return entry.Create(arguments);
    }

    /// <summary>Convenience overload: <paramref name="kwargsJson"/> is the kwargs object as JSON text, e.g. <c>{"num_bullets": 3}</c>.</summary>
    public static IfEvalInstruction Create(string instructionId, string kwargsJson, string where = "IFEval instruction")
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(kwargsJson);
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{where}: kwargs of instruction '{instructionId}' are not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            return Create(instructionId, document.RootElement, where);
        }
    }

    private static Entry Lookup(string instructionId, string where) =>
        Entries.TryGetValue(instructionId, out var entry)
            ? entry
            : throw new AlloyInputException($"{where}: unknown IFEval instruction id '{instructionId}'; known ids are: {string.Join(", ", Entries.Keys.Order(StringComparer.Ordinal))}.");
}
