// A Punkt-style English sentence splitter standing in for nltk's pretrained `punkt` model in IFEval.
// Not the trained model: it applies Punkt's decision rules with a fixed abbreviation list instead of learned data.
using System.Text.RegularExpressions;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// Splits English text into sentences the way nltk's Punkt tokenizer does, for
/// <c>length_constraints:number_sentences</c>.
/// <para>Rules kept from Punkt: a candidate break is a run of non-space text ending in '.', '?' or '!' that is
/// followed by white space and another token, or by one of <c>?!)";}]*:@'({[</c>. '?' and '!' always break.
/// A token ending in '.' breaks unless it is a known abbreviation (also the last part after '-'), an ellipsis
/// ("..", "..."), a single-letter initial followed by a capitalised word, or a number followed by a lower-case
/// word. An abbreviation or ellipsis followed by a common sentence-opening word ("The", "It", "However", ...) does
/// break. Closing quotes and brackets after a break are moved to the sentence they close. Newlines alone never
/// break a sentence.</para>
/// <para>Where it can differ from nltk: the trained model's learned abbreviation list (a few hundred entries
/// from newswire), its collocations ("S. Bach"), its frequent sentence starters and its per-word orthographic
/// statistics are replaced by <see cref="Abbreviations"/> and <see cref="CommonSentenceOpeners"/>. Text with
/// unusual abbreviations ("Rep.", "Calif."), initials before common words or numbered lists whose items start
/// with rare capitalised words can be counted differently by one or two sentences.</para>
/// </summary>
internal static partial class PunktSentenceSplitter
{
    /// <summary>Abbreviations (lower case, without the final period) that do not end a sentence by themselves.</summary>
    internal static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "rev", "gen", "gov", "sen", "rep", "col", "capt", "lt",
        "sgt", "maj", "cmdr", "adm", "hon", "messrs", "mme", "inc", "ltd", "co", "corp", "bros", "vs", "etc", "e.g",
        "i.e", "cf", "al", "approx", "dept", "univ", "assn", "ave", "blvd", "rd", "mt", "ft", "jan", "feb", "apr",
        "aug", "sept", "sep", "oct", "nov", "dec", "u.s", "u.k", "u.n", "u.s.a", "a.m", "p.m", "fig", "vol", "ed",
        "est", "no", "nos", "p", "pp", "ph.d", "calif", "mass", "conn", "wash", "ariz", "colo", "fla", "ill", "va",
    };

    /// <summary>
    /// Capitalised words that Punkt's orthographic statistics mark as typical sentence openers (seen lower-case
    /// mid-sentence, never capitalised mid-sentence). After an abbreviation or ellipsis they confirm a break.
    /// </summary>
    internal static readonly HashSet<string> CommonSentenceOpeners = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "this", "that", "these", "those", "it", "its", "we", "they", "he", "she", "you", "there",
        "but", "and", "so", "however", "in", "on", "at", "if", "when", "what", "my", "our", "their", "his", "her",
        "then", "also", "now", "for", "as", "with", "to", "after", "before", "here", "some", "many", "each",
    };

    // Punkt's "potential sentence end": an end character followed by either a punctuation mark that cannot occur
    // inside a word, or white space and the next token. The word before it is found separately (as nltk ≥ 3.8
    // does to avoid quadratic backtracking on long tokens).
    [GeneratedRegex("""[.?!](?=(?<after>[?!)";}\]*:@'({\[]|\s+(?<next>\S+)))""")]
    private static partial Regex PeriodContext();

    // Punkt's word tokenizer (splits punctuation other than periods from words).
    [GeneratedRegex("""(?:-{2,}|\.{2,}|(?:\.\s){2,}\.)|(?=[^(\"`{\[:;&#*@)}\]\-,])\S+?(?=\s|$|[?!)";}\]*:@'({\[]|-{2,}|\.{2,}|(?:\.\s){2,}\.|,(?=$|\s|[?!)";}\]*:@'({\[]|-{2,}|\.{2,}|(?:\.\s){2,}\.))|\S""")]
    private static partial Regex WordToken();

    [GeneratedRegex("""^-?[.,]?\d[\d,.\-]*\.?$""")]
    private static partial Regex NumericToken();

    [GeneratedRegex("""^\.\.+$""")]
    private static partial Regex EllipsisToken();

    [GeneratedRegex("""^[\p{L}_]\.$""")]
    private static partial Regex InitialToken();

    [GeneratedRegex("""^["')\]}]+?(?:\s+|(?=--)|$)""", RegexOptions.Multiline)]
    private static partial Regex BoundaryRealignment();

    /// <summary>
    /// Sentences of <paramref name="text"/> as (start, length) spans into it, in order. Empty or white-space-only
    /// text has no sentences; any other text has at least one.
    /// </summary>
    public static IReadOnlyList<(int Start, int Length)> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slices = new List<(int Start, int End)>();
        var lastBreak = 0;
        foreach (var (match, context) in PotentialEnds(text))
        {
            if (!ContainsSentenceBreak(context)) continue;
            slices.Add((lastBreak, match.Index + match.Length));
            var next = match.Groups["next"];
            lastBreak = next.Success ? next.Index : match.Index + match.Length;
        }
        slices.Add((lastBreak, text.TrimEnd().Length));
        return Realign(text, slices);
    }

    // Each potential end with its context (the word before it, the end character, and what follows). Of several
    // end characters in one word ("acting!!!") only the last is kept, with the whole word as context. The word
    // start is the position after the last ASCII white space since the previous word; when there is none, or it is the
    // very first character of that stretch, nltk keeps the previous word's start, and so does this.
    private static IEnumerable<(Match Match, string Context)> PotentialEnds(string text)
    {
        Match? previousMatch = null;
        (int Start, int End) previousWord = (0, 0);
        foreach (Match match in PeriodContext().Matches(text))
        {
            var lastSpace = -1;
            for (var i = match.Index - 1; i > previousWord.End; i--)
            {
                if (text[i] is ' ' or '\t' or '\n' or '\r' or '\v' or '\f') { lastSpace = i; break; }
            }
            var wordStart = lastSpace >= 0 ? lastSpace + 1 : previousWord.Start;
            if (previousMatch is not null && previousWord.End <= wordStart)
            {
                yield return (previousMatch, Context(text, previousWord, previousMatch));
            }
            previousMatch = match;
            previousWord = (wordStart, match.Index);
        }
        if (previousMatch is not null) yield return (previousMatch, Context(text, previousWord, previousMatch));
    }

    private static string Context(string text, (int Start, int End) word, Match match) =>
        text[word.Start..word.End] + match.Value + match.Groups["after"].Value;

    /// <summary>Number of sentences in <paramref name="text"/> (see <see cref="Split"/>).</summary>
    public static int Count(string text) => Split(text).Count;

    private static List<(int Start, int Length)> Realign(string text, List<(int Start, int End)> slices)
    {
        var result = new List<(int Start, int Length)>();
        var realign = 0;
        for (var i = 0; i < slices.Count; i++)
        {
            var start = slices[i].Start + realign;
            var end = slices[i].End;
            if (i + 1 == slices.Count)
            {
                if (end > start) result.Add((start, end - start));
                continue;
            }
            var nextStart = slices[i + 1].Start;
            var nextEnd = Math.Max(nextStart, slices[i + 1].End);
            var closing = BoundaryRealignment().Match(text, nextStart, nextEnd - nextStart);
            if (closing.Success)
            {
                var moved = closing.Value.TrimEnd().Length;
                result.Add((start, nextStart + moved - start));
                realign = closing.Length;
                continue;
            }
            realign = 0;
            if (end > start) result.Add((start, end - start));
        }
        return result;
    }

    private sealed class Token(string text)
    {
        public string Text { get; } = text;
        public string Type { get; } = NumericToken().IsMatch(text) ? "##number##" : text.ToLowerInvariant();
        public bool PeriodFinal => Text.EndsWith('.');
        public bool SentenceBreak { get; set; }
        public bool Abbreviation { get; set; }
        public bool Ellipsis { get; set; }
        public string TypeNoPeriod => Type.Length > 1 && Type[^1] == '.' ? Type[..^1] : Type;
        public bool FirstUpper => char.IsUpper(Text[0]);
        public bool FirstLower => char.IsLower(Text[0]);
    }

    // Punkt's text_contains_sentbreak: true when some token is a sentence break and another token follows it.
    private static bool ContainsSentenceBreak(string context)
    {
        var tokens = new List<Token>();
        foreach (var line in context.Split('\n'))
        {
            if (line.Trim().Length == 0) continue;
            foreach (Match m in WordToken().Matches(line)) tokens.Add(new Token(m.Value));
        }
        foreach (var token in tokens) AnnotateByType(token);
        for (var i = 0; i + 1 < tokens.Count; i++) AnnotateByContext(tokens[i], tokens[i + 1]);
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i].SentenceBreak) return true;
        }
        return false;
    }

    private static void AnnotateByType(Token token)
    {
        var text = token.Text;
        if (text is "." or "?" or "!")
        {
            token.SentenceBreak = true;
        }
        else if (EllipsisToken().IsMatch(text))
        {
            token.Ellipsis = true;
        }
        else if (token.PeriodFinal && !text.EndsWith("..", StringComparison.Ordinal))
        {
            var stem = text[..^1].ToLowerInvariant();
            var lastPart = stem[(stem.LastIndexOf('-') + 1)..];
            if (Abbreviations.Contains(stem) || Abbreviations.Contains(lastPart)) token.Abbreviation = true;
            else token.SentenceBreak = true;
        }
    }

    private static void AnnotateByContext(Token token, Token next)
    {
        if (!token.PeriodFinal) return;
        var isInitial = InitialToken().IsMatch(token.Text);
        if ((token.Abbreviation || token.Ellipsis) && !isInitial)
        {
            if (LooksLikeSentenceStart(next) == true) token.SentenceBreak = true;
            return;
        }
        if (isInitial || token.TypeNoPeriod == "##number##")
        {
            var starts = LooksLikeSentenceStart(next);
            if (starts == false)
            {
                token.SentenceBreak = false;
                token.Abbreviation = true;
                return;
            }
            if (starts is null && isInitial && next.FirstUpper)
            {
                token.SentenceBreak = false;
                token.Abbreviation = true;
            }
        }
    }

    // Punkt's orthographic heuristic with fixed statistics: punctuation never starts a sentence, lower-case words
    // do not, common capitalised openers do; anything else is unknown (null).
    private static bool? LooksLikeSentenceStart(Token token)
    {
        if (token.Text is ";" or ":" or "," or "." or "!" or "?") return false;
        if (token.FirstLower) return false;
        if (token.FirstUpper && CommonSentenceOpeners.Contains(token.TypeNoPeriod)) return true;
        return null;
    }
}
