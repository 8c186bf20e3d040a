// A Penn-Treebank-style word tokenizer standing in for nltk's `word_tokenize` in IFEval's capital-word count.
// Not a full port: it keeps the splitting rules that change how many cased tokens a text has.
using System.Text.RegularExpressions;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// Splits text into words as nltk's <c>word_tokenize</c> does: sentences first (<see cref="PunktSentenceSplitter"/>),
/// then per sentence the rules of nltk's <c>NLTKWordTokenizer</c> (improved Penn Treebank), applied in nltk's order:
/// quotes become separate tokens (`` and ''), commas and colons not followed by a digit, ';', '@', '#', '$', '%',
/// '&amp;', '?', '!', '*', brackets, "--" and "..." are split off, the sentence-final period is split off, and clitics
/// are separated ("DON'T" → "DO" "N'T", "I'M" → "I" "'M", "CANNOT" → "CAN" "NOT", "GONNA" → "GON" "NA").
/// Hyphenated words, "U.S." and "3.14" stay one token.
/// <para>Where it can differ from nltk: only through the sentence boundaries, which come from the approximate
/// Punkt splitter (a period is split off only at a sentence end). The golden cases under tests/fixtures/ifeval
/// compare both stages with nltk 3.8.</para>
/// </summary>
internal static partial class TreebankWordTokenizer
{
    private static readonly (Regex Pattern, string Replacement)[] StartingQuotes =
    [
        (new Regex("([«“‘„]|[`]+)"), " $1 "),
        (new Regex("^\""), "``"),
        (new Regex("(``)"), " $1 "),
        (new Regex("""([ (\[{<])("|'{2})"""), "$1 `` "),
        (new Regex("""(?i)(')(?!re|ve|ll|m|t|s|d|n)(\w)\b"""), "$1 $2"),
    ];

    private static readonly (Regex Pattern, string Replacement)[] Punctuation =
    [
        (new Regex("""([^.])(\.)([\])}>"'»”’ ]*)\s*$"""), "$1 $2 $3 "),
        (new Regex("""([:,])([^\d])"""), " $1 $2"),
        (new Regex("""([:,])$"""), " $1 "),
        (new Regex("""\.{2,}"""), " $0 "),
        (new Regex("""[;@#$%&]"""), " $0 "),
        (new Regex("""([^.])(\.)([\])}>"']*)\s*$"""), "$1 $2$3 "),
        (new Regex("""[?!]"""), " $0 "),
        (new Regex("""([^'])' """), "$1 ' "),
        (new Regex("""[*]"""), " $0 "),
        (new Regex("""[\]\[(){}<>]"""), " $0 "),
        (new Regex("""--"""), " -- "),
    ];

    private static readonly (Regex Pattern, string Replacement)[] EndingQuotes =
    [
        (new Regex("([»”’])"), " $1 "),
        (new Regex("''"), " '' "),
        (new Regex("\""), " '' "),
        (new Regex("""([^' ])('[sS]|'[mM]|'[dD]|') """), "$1 $2 "),
        (new Regex("""([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) """), "$1 $2 "),
    ];

    private static readonly (Regex Pattern, string Replacement)[] Contractions =
    [
        (new Regex("""(?i)\b(can)(not)\b"""), " $1 $2 "),
        (new Regex("""(?i)\b(d)('ye)\b"""), " $1 $2 "),
        (new Regex("""(?i)\b(gim)(me)\b"""), " $1 $2 "),
        (new Regex("""(?i)\b(gon)(na)\b"""), " $1 $2 "),
        (new Regex("""(?i)\b(got)(ta)\b"""), " $1 $2 "),
        (new Regex("""(?i)\b(lem)(me)\b"""), " $1 $2 "),
        (new Regex("""(?i)\b(more)('n)\b"""), " $1 $2 "),
        (new Regex("""(?i)\b(wan)(na)(?=\s)"""), " $1 $2 "),
        (new Regex("""(?i) ('t)(is)\b"""), " $1 $2 "),
        (new Regex("""(?i) ('t)(was)\b"""), " $1 $2 "),
    ];

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
        var s = Apply(StartingQuotes, sentence);
        s = Apply(Punctuation, s);
        s = Apply(EndingQuotes, " " + s + " ");
        s = Apply(Contractions, s);
        foreach (var token in WhiteSpace().Split(s))
        {
            if (token.Length > 0) tokens.Add(token);
        }
    }

    private static string Apply((Regex Pattern, string Replacement)[] rules, string text)
    {
        foreach (var (pattern, replacement) in rules) text = pattern.Replace(text, replacement);
        return text;
    }
}
