// Language identification for IFEval (response_language, english_capital, english_lowercase) via Lingua.
// Not langdetect: verdicts agree on ordinary text but can differ on short, mixed or code-heavy responses.
using System.Globalization;
using System.Text;
using Lingua;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// Names the language of a response as an ISO 639-1 code, standing in for upstream's <c>langdetect.detect</c>.
/// <para>Engine: SearchPioneer.Lingua 2.0.0 (models ship inside the package; nothing is downloaded), built once
/// on first use from all of its 75 languages in low-accuracy mode (trigram models only: about 1.5 s and 150 MB
/// to load, against about 27 s and 1.7 GB for high-accuracy mode). langdetect is also an n-gram Naive Bayes
/// model over 55 languages, so both answer the same for ordinary paragraphs; they can disagree on very short
/// text, text mixing languages, or text that is mostly code, numbers or names.</para>
/// <para>Approximate languages: Lingua has no model for Kannada (kn), Malayalam (ml) or Nepali (ne). Kannada and
/// Malayalam are recognised by their own scripts (exact in practice). Nepali cannot be told apart from Hindi or
/// Marathi by script, so a response whose letters are mostly Devanagari and that Lingua calls Hindi or Marathi
/// is accepted as Nepali: a Hindi answer to a Nepali instruction passes (upstream would fail it).</para>
/// <para>Undetectable text: langdetect raises on text without letters and upstream then counts the instruction
/// as followed; <see cref="Identify"/> returns <see cref="NoLetters"/> for such text so callers can do the same.
/// Text with letters that Lingua cannot place (e.g. a single short word) yields <see cref="Unknown"/>, which
/// fails the check (langdetect would guess some language there).</para>
/// </summary>
internal static class ResponseLanguageIdentifier
{
    /// <summary>Returned for text that contains no letter at all (upstream's detector exception).</summary>
    public const string NoLetters = "";

    /// <summary>Returned when the text has letters but no language could be named.</summary>
    public const string Unknown = "?";

    private static readonly Lazy<LanguageDetector> Detector = new(
        () => LanguageDetectorBuilder.FromAllLanguages().WithLowAccuracyMode().Build(),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The ISO 639-1 code (lower case) of the language of <paramref name="text"/>, <see cref="NoLetters"/> or
    /// <see cref="Unknown"/>.
    /// </summary>
    public static string Identify(string text)
    {
        var script = DominantScript(text);
        if (script == Script.None) return NoLetters;
        if (script == Script.Kannada) return "kn";
        if (script == Script.Malayalam) return "ml";
        var language = Detector.Value.DetectLanguageOf(text);
        if (language == Language.Unknown) return Unknown;
        return language.IsoCode6391().ToString().ToLowerInvariant();
    }

    /// <summary>
    /// True when <paramref name="text"/> is in the language <paramref name="isoCode"/>, or has no letters
    /// (upstream's "cannot detect ⇒ followed" rule). Nepali is approximated as described on the class.
    /// </summary>
    public static bool IsInLanguage(string text, string isoCode)
    {
        var detected = Identify(text);
        if (detected == NoLetters) return true;
        if (isoCode == "ne")
        {
            return DominantScript(text) == Script.Devanagari && detected is "hi" or "mr" or "ne";
        }
        return detected == isoCode;
    }

    internal enum Script { None, Other, Kannada, Malayalam, Devanagari }

    // The script holding the majority of the text's letters (and combining marks, which Indic scripts use for vowels).
    internal static Script DominantScript(string text)
    {
        int letters = 0, kannada = 0, malayalam = 0, devanagari = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var isLetterLike = category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (!isLetterLike) continue;
            letters++;
            var v = rune.Value;
            if (v is >= 0x0C80 and <= 0x0CFF) kannada++;
            else if (v is >= 0x0D00 and <= 0x0D7F) malayalam++;
            else if (v is >= 0x0900 and <= 0x097F or >= 0xA8E0 and <= 0xA8FF) devanagari++;
        }
        if (letters == 0) return Script.None;
        if (kannada * 2 > letters) return Script.Kannada;
        if (malayalam * 2 > letters) return Script.Malayalam;
        if (devanagari * 2 > letters) return Script.Devanagari;
        return Script.Other;
    }
}
