// Language identification for IFEval (response_language, english_capital, english_lowercase): script + word profiles.
// Not langdetect and not a statistical model: an honest approximation whose weak spots are listed below.
using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// Names the language of a response as an ISO 639-1 code, standing in for upstream's <c>langdetect.detect</c>.
/// <para>Method: find the script holding most of the text's letters. Scripts used by one language decide alone
/// (exact in practice): Korean, Thai, Hebrew, Greek, Bengali (bn), Gurmukhi (pa), Gujarati (gu), Tamil (ta),
/// Telugu (te), Kannada (kn), Malayalam (ml), Japanese (any kana; Han characters without kana give "zh").
/// Shared scripts are approximated:</para>
/// <list type="bullet">
/// <item>Arabic script: Urdu (ur) when Urdu-only letters (ٹ ڈ ڑ ں ے) occur, else Persian (fa) when Persian letters
/// (پ چ ژ گ, or ی/ک without Arabic ي/ك) dominate, else Arabic (ar).</item>
/// <item>Cyrillic: Russian (ru) when ы/э/ё occur, else Ukrainian (uk) for і/ї/є/ґ, Macedonian (mk) for ѓ/ќ/ѕ/џ,
/// Bulgarian (bg) when ъ occurs, else Russian.</item>
/// <item>Devanagari: Hindi (hi), Marathi (mr) or Nepali (ne) by counts of their most frequent function words
/// (है/और/में…, आहे/आणि/मध्ये…, छ/पनि/मा…); Hindi on a tie.</item>
/// <item>Latin script: the language whose list of about 30 most frequent function words matches most words, plus
/// letters only one candidate uses (Vietnamese tone letters and ơ/ư/đ, Polish ł/ą/ę…, Turkish ı/ş/ğ, German ß,
/// Portuguese ã/õ, Spanish ñ, Romanian ă/ș/ț). Candidates: en, de, es, pt, fr, it, nl, sv, da, no, fi, pl, cs, hu,
/// ro, tr, id, tl, sw, vi. A Latin-script language outside this list is named as the closest one in it; Danish
/// and Norwegian are easily confused.</item>
/// </list>
/// <para>Like upstream, text without letters is "undetectable" (<see cref="NoLetters"/>) and callers count the
/// instruction as followed. Text whose words match no profile (a list of names such as "FAVORITE NAME 1", or
/// "xyz abc") and letters of scripts not listed above yield <see cref="Unknown"/>, which fails the check; langdetect
/// guesses some language for such text, sometimes English ("FAVORITE NAME 1"), sometimes not ("xyz abc" → cs).
/// Very short, mixed-language or code-heavy answers are where this and langdetect disagree most.</para>
/// </summary>
internal static class ResponseLanguageIdentifier
{
    /// <summary>Returned for text that contains no letter at all (upstream's detector exception).</summary>
    public const string NoLetters = "";

    /// <summary>Returned when the text has letters but no language could be named.</summary>
    public const string Unknown = "?";

    /// <summary>
    /// True when <paramref name="text"/> is identified as <paramref name="isoCode"/>, or has no letters
    /// (upstream's "cannot detect ⇒ followed" rule).
    /// </summary>
    public static bool IsInLanguage(string text, string isoCode)
    {
        var detected = Identify(text);
        return detected == NoLetters || detected == isoCode;
    }

    /// <summary>The ISO 639-1 code (lower case) of <paramref name="text"/>, <see cref="NoLetters"/> or <see cref="Unknown"/>.</summary>
    public static string Identify(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new Dictionary<Script, int>();
        foreach (var rune in text.EnumerateRunes())
        {
            if (!IsLetterLike(rune)) continue;
            var script = ScriptOf(rune.Value);
            counts[script] = counts.GetValueOrDefault(script) + 1;
        }
        if (counts.Count == 0) return NoLetters;
        var dominant = counts.MaxBy(kv => kv.Value).Key;
        var lower = text.ToLowerInvariant();
        return dominant switch
        {
            Script.Latin => ByWordProfile(lower, LatinProfiles, LatinLetterHints, []),
            Script.Cyrillic => Cyrillic(lower),
            Script.Arabic => ArabicScript(text),
            Script.Devanagari => ByWordProfile(lower, DevanagariProfiles, [], DevanagariSuffixHints),
            Script.Han => counts.ContainsKey(Script.Kana) ? "ja" : "zh",
            Script.Kana => "ja",
            Script.Hangul => "ko",
            Script.Thai => "th",
            Script.Hebrew => "he",
            Script.Greek => "el",
            Script.Bengali => "bn",
            Script.Gurmukhi => "pa",
            Script.Gujarati => "gu",
            Script.Tamil => "ta",
            Script.Telugu => "te",
            Script.Kannada => "kn",
            Script.Malayalam => "ml",
            _ => Unknown,
        };
    }

    internal enum Script
    {
        Other, Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Bengali, Gurmukhi, Gujarati, Tamil, Telugu,
        Kannada, Malayalam, Thai, Hangul, Kana, Han,
    }

    private static bool IsLetterLike(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
        or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    internal static Script ScriptOf(int v) => v switch
    {
        <= 0x007F or >= 0x00C0 and <= 0x024F => Script.Latin,
        >= 0x1E00 and <= 0x1EFF => Script.Latin,
        >= 0x0370 and <= 0x03FF => Script.Greek,
        >= 0x0400 and <= 0x052F => Script.Cyrillic,
        >= 0x0590 and <= 0x05FF => Script.Hebrew,
        >= 0x0600 and <= 0x06FF or >= 0x0750 and <= 0x077F or >= 0xFB50 and <= 0xFDFF or >= 0xFE70 and <= 0xFEFF => Script.Arabic,
        >= 0x0900 and <= 0x097F or >= 0xA8E0 and <= 0xA8FF => Script.Devanagari,
        >= 0x0980 and <= 0x09FF => Script.Bengali,
        >= 0x0A00 and <= 0x0A7F => Script.Gurmukhi,
        >= 0x0A80 and <= 0x0AFF => Script.Gujarati,
        >= 0x0B80 and <= 0x0BFF => Script.Tamil,
        >= 0x0C00 and <= 0x0C7F => Script.Telugu,
        >= 0x0C80 and <= 0x0CFF => Script.Kannada,
        >= 0x0D00 and <= 0x0D7F => Script.Malayalam,
        >= 0x0E00 and <= 0x0E7F => Script.Thai,
        >= 0x1100 and <= 0x11FF or >= 0x3130 and <= 0x318F or >= 0xAC00 and <= 0xD7AF => Script.Hangul,
        >= 0x3040 and <= 0x30FF or >= 0x31F0 and <= 0x31FF or >= 0xFF66 and <= 0xFF9F => Script.Kana,
        >= 0x3400 and <= 0x4DBF or >= 0x4E00 and <= 0x9FFF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x2FA1F => Script.Han,
        _ => Script.Other,
    };

    private static (string Code, FrozenSet<string> Words)[] Profiles(params (string Code, string Words)[] profiles) =>
        [.. profiles.Select(p => (p.Code, p.Words.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal)))];

    // Frequent function words per language (lower case). Order matters only for ties: earlier wins.
    private static readonly (string Code, FrozenSet<string> Words)[] LatinProfiles = Profiles(
        ("en", "the and of to is in that it for was with as on are this be you have not or by at from an they we but his her which will can there their"),
        ("de", "der die das und ist nicht ein eine zu den mit von sich des auf für im dem auch es sie ich wir wird werden sind oder aber wie bei nach einen einer noch über dass"),
        ("es", "el la de que y en los las del se por un una con no es para su al lo como más pero sus le ya este esta son también muy está"),
        ("pt", "o a os as de que e do da dos das em no na um uma para com não é se por mais ao seu sua como mas foi são também muito está você"),
        ("fr", "le la les de des du et est un une en que qui dans pour pas au aux sur ce il elle nous vous ne se sont avec plus par mais ou été très cette"),
        ("it", "il la le di che e è un una per non in del della dei delle si con sono ma lo gli al alla anche più come questo questa da nel nella"),
        ("nl", "de het een en van is dat niet ik je op te zijn met voor die er maar ook als bij om aan naar wordt worden heeft wij zij"),
        ("sv", "och att det som en är på för med har inte jag till av om den ett var men så vi kan de sig också efter"),
        ("da", "og er det at en til på som med har for ikke jeg af den de vi kan et men så vil også efter være"),
        ("no", "og er det at en til på som med har for ikke jeg av den de vi kan et men så vil også etter være ble"),
        ("fi", "ja on ei että se hän oli ovat mutta kuin myös tai kun jos niin joka tämä sen ole olla mukaan sekä voi vain jo nyt minä me"),
        ("pl", "i w na nie z się do że to jest jak o po co ale od za przez dla jego są tak czy tym już być jej które który także"),
        ("cs", "a je se na v že to s z do o ale jsou jak by pro tak jsem také který nebo jsme byl"),
        ("hu", "a az és hogy nem is egy ez meg van de csak már vagy mint még volt kell"),
        ("ro", "și de în la cu pe nu este să o un care mai din pentru sunt ca au fost dar sau"),
        ("tr", "ve bir bu da de için ile çok olarak daha gibi en ne var ama o sonra kadar olan değil ben biz"),
        ("id", "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke adalah saya kami ada bisa atau oleh"),
        ("tl", "ang ng sa na mga at ay ito si ko hindi para may kung siya"),
        ("sw", "na ya wa kwa ni za katika la cha ili kama hii huo lakini pia sana yake wake kuwa hiyo vya zaidi au baada hivyo mimi wewe sisi"),
        ("vi", "và của là có không những được một các trong cho người với này đã để khi từ cũng như rất đến năm tôi")
    );

    // Letters that point at one candidate; each occurrence adds one to its score.
    private static readonly (string Code, string Letters)[] LatinLetterHints =
    [
        ("vi", "ơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"),
        ("pl", "łąęśźżń"),
        ("tr", "ışğ"),
        ("de", "ß"),
        ("pt", "ãõ"),
        ("es", "ñ"),
        ("ro", "ășşțţ"),
    ];

    private static readonly (string Code, FrozenSet<string> Words)[] DevanagariProfiles = Profiles(
        ("hi", "है हैं और के की का में से को यह था थे थी नहीं भी लिए कि पर ने कर रहा गया वह हम"),
        ("mr", "आहे आहेत आणि च्या मध्ये हे ही या नाही होते होता आले करून साठी तो ती ते आम्ही त्या व म्हणून पण"),
        ("ne", "छ छन् हो र मा पनि भएको गरेको छैन थियो हुन्छ गर्न यो त्यो हामी तर लागि भने गर्छ")
    );

    // Word endings that point at one candidate: the Nepali plural "-हरू", the Marathi genitive "-च्या".
    private static readonly (string Code, string Suffix)[] DevanagariSuffixHints = [("ne", "हरू"), ("mr", "च्या")];

    private static string ByWordProfile(
        string lower,
        (string Code, FrozenSet<string> Words)[] profiles,
        (string Code, string Letters)[] letterHints,
        (string Code, string Suffix)[] suffixHints)
    {
        var scores = new int[profiles.Length];
        foreach (var word in Words(lower))
        {
            for (var i = 0; i < profiles.Length; i++)
            {
                if (profiles[i].Words.Contains(word)) scores[i]++;
            }
            foreach (var (code, suffix) in suffixHints)
            {
                if (word.EndsWith(suffix, StringComparison.Ordinal)) scores[Array.FindIndex(profiles, p => p.Code == code)]++;
            }
        }
        foreach (var (code, letters) in letterHints)
        {
            var index = Array.FindIndex(profiles, p => p.Code == code);
            foreach (var c in lower)
            {
                if (letters.Contains(c, StringComparison.Ordinal)) scores[index]++;
            }
        }
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best]) best = i;
        }
        return scores[best] == 0 ? Unknown : profiles[best].Code;
    }

    // Words: maximal runs of letters, combining marks and apostrophes (so Devanagari words keep their vowel signs).
    private static IEnumerable<string> Words(string text)
    {
        var builder = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsLetterLike(rune) || rune.Value == '\'')
            {
                builder.Append(rune.ToString());
                continue;
            }
            if (builder.Length > 0) yield return builder.ToString();
            builder.Clear();
        }
        if (builder.Length > 0) yield return builder.ToString();
    }

    private static string Cyrillic(string lower)
    {
        if (lower.AsSpan().IndexOfAny("ыэё") >= 0) return "ru";
        if (lower.AsSpan().IndexOfAny("іїєґ") >= 0) return "uk";
        if (lower.AsSpan().IndexOfAny("ѓќѕџ") >= 0) return "mk";
        if (lower.Contains('ъ', StringComparison.Ordinal)) return "bg";
        return "ru";
    }

    private static string ArabicScript(string text)
    {
        var span = text.AsSpan();
        if (span.IndexOfAny("ٹڈڑںے") >= 0) return "ur";
        var persian = Count(span, "پچژگیک");
        var arabic = Count(span, "يكةى");
        return persian > arabic ? "fa" : "ar";
    }

    private static int Count(ReadOnlySpan<char> text, string letters)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (letters.Contains(c, StringComparison.Ordinal)) count++;
        }
        return count;
    }
}
