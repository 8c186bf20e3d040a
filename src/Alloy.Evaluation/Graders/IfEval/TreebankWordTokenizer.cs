// A Penn-Treebank-style word tokenizer standing in for nltk's `word_tokenize` in IFEval's capital-word count.
// Not a full port: it keeps the splitting rules that change how many cased tokens a text has.
using System.Text.RegularExpressions;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// Splits text into words roughly as nltk's <c>word_tokenize</c> does: sentences first
/// (<see cref="PunktSentenceSplitter"/>), then per sentence the Treebank rules: quotes become separate tokens,
/// commas and colons not followed by a digit, ';', '@', '#', '$', '%', '&amp;', '?', '!', brackets, "--" and
/// "..." are split off, the sentence-final period is split off, and clitics are separated ("DON'T" → "DO" "N'T",
/// "I'M" → "I" "'M", "CANNOT" → "CAN" "NOT", "GONNA" → "GON" "NA"). Hyphenated words stay one token.
/// <para>Where it can differ from nltk: nltk's handling of Unicode quotes and dashes, URLs and some rare
/// contractions ("'tis", "d'ye") is not reproduced, and the sentence boundaries come from the approximate
/// Punkt splitter. The IFEval check only counts all-capital tokens, so these differences change a count
/// only where they split or join cased text.</para>
/// </summary>
internal static partial class TreebankWordTokenizer
{
    [GeneratedRegex("^\"")]
    private static partial Regex LeadingDoubleQuote();

    [GeneratedRegex("""(``)""")]
    private static partial Regex OpeningBackticks();

    [GeneratedRegex("""([ (\[{<])("|'{2})""")]
    private static partial Regex OpeningQuoteAfterBracket();

    [GeneratedRegex("""([:,])([^\d])""")]
    private static partial Regex CommaOrColonBeforeNonDigit();

    [GeneratedRegex("""([:,])$""")]
    private static partial Regex CommaOrColonAtEnd();

    [GeneratedRegex("""\.{2,}""")]
    private static partial Regex Ellipsis();

    [GeneratedRegex("""[;@#$%&]""")]
    private static partial Regex SymbolPunctuation();

    [GeneratedRegex("""([^.])(\.)([\])}>"']*)\s*$""")]
    private static partial Regex FinalPeriod();

    [GeneratedRegex("""[?!]""")]
    private static partial Regex QuestionOrExclamation();

    [GeneratedRegex("""([^'])' """)]
    private static partial Regex ClosingSingleQuote();

    [GeneratedRegex("""[\]\[(){}<>]""")]
    private static partial Regex Brackets();

    [GeneratedRegex("""--""")]
    private static partial Regex DoubleDash();

    [GeneratedRegex("\"")]
    private static partial Regex ClosingDoubleQuote();

    [GeneratedRegex("""(\S)('')""")]
    private static partial Regex DoubledSingleQuote();

    [GeneratedRegex("""([^' ])('[sSmMdD]|') """)]
    private static partial Regex ShortClitic();

    [GeneratedRegex("""([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) """)]
    private static partial Regex LongClitic();

    [GeneratedRegex("""(?i)\b(can)(not)\b|\b(gim|lem)(me)\b|\b(gon|wan)(na)\b|\b(got)(ta)\b|\b(more)('n)\b""")]
    private static partial Regex FusedWords();

    [GeneratedRegex("""\s+""")]
    private static partial Regex WhiteSpace();

    /// <summary>The tokens of <paramref name="text"/> in order; empty text gives no tokens.</summary>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        foreach (var (start, length) in PunktSentenceSplitter.Split(text))
        {
            TokenizeSentence(text.Substring(start, length), tokens);
        }
        return tokens;
    }

    private static void TokenizeSentence(string sentence, List<string> tokens)
    {
        var s = LeadingDoubleQuote().Replace(sentence, "``");
        s = OpeningBackticks().Replace(s, " $1 ");
        s = OpeningQuoteAfterBracket().Replace(s, "$1 `` ");
        s = FinalPeriod().Replace(s, "$1 $2 $3 ");
        s = CommaOrColonBeforeNonDigit().Replace(s, " $1 $2");
        s = CommaOrColonAtEnd().Replace(s, " $1 ");
        s = Ellipsis().Replace(s, " ... ");
        s = SymbolPunctuation().Replace(s, " $0 ");
        s = QuestionOrExclamation().Replace(s, " $0 ");
        s = ClosingSingleQuote().Replace(s, "$1 ' ");
        s = Brackets().Replace(s, " $0 ");
        s = DoubleDash().Replace(s, " -- ");
        s = " " + s + " ";
        s = ClosingDoubleQuote().Replace(s, " '' ");
        s = DoubledSingleQuote().Replace(s, "$1 $2 ");
        s = ShortClitic().Replace(s, "$1 $2 ");
        s = LongClitic().Replace(s, "$1 $2 ");
        s = FusedWords().Replace(s, m =>
        {
            for (var g = 1; g < m.Groups.Count; g += 2)
            {
                if (m.Groups[g].Success) return m.Groups[g].Value + " " + m.Groups[g + 1].Value;
            }
            return m.Value;
        });
        foreach (var token in WhiteSpace().Split(s))
        {
            if (token.Length > 0) tokens.Add(token);
        }
    }
}
