// Grades multiple-choice answers (GPQA): reads one option letter from the answer part and compares letters.
// It does not shuffle options or build prompts; the benchmark loader does that.
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders;

/// <summary>
/// Choice grader. Truncated ⇒ wrong. In the answer part (after the first <c>&lt;/think&gt;</c>) it takes whichever
/// comes last: the last "Answer: X" (case-insensitive word "answer", optional markdown bold around it or the letter,
/// optional <c>$</c> and parentheses, as in <c>**Answer:** (C)</c>; the simple-evals pattern <c>(?i)ANSWER\s*:\s*([A-D])</c>
/// made tolerant), or the last <c>\boxed{X}</c> (also <c>\boxed{\text{X}}</c>, <c>\boxed{(X)}</c>, or a box holding
/// exactly one option's text). The letter itself must be an upper-case allowed letter standing alone ("Answer: a
/// bit" reads nothing; so does "Answer: Because"). Allowed letters are A–D by default, the first
/// <c>choices.Count</c> letters from A when choices are given, or the letters passed to the constructor.
/// The reference is a letter (surrounding spaces and parentheses ignored); anything else throws
/// <see cref="AlloyInputException"/>.
/// </summary>
public sealed partial class ChoiceGrader : IGrader
{
    private readonly string _letters;

    /// <summary>A grader accepting the letters in <paramref name="letters"/> (default "ABCD").</summary>
    public ChoiceGrader(string letters = "ABCD")
    {
        ArgumentException.ThrowIfNullOrEmpty(letters);
        foreach (char c in letters)
            if (!char.IsAsciiLetterUpper(c)) throw new ArgumentException($"Choice letters must be upper-case A-Z; got '{letters}'.", nameof(letters));
        _letters = letters;
    }

    [GeneratedRegex(@"(?i:answer)\s*\**\s*:\s*\**\s*\$?\s*(?:\\text\{|\\textbf\{|\\mathrm\{)?\s*\(?\s*\**(?<letter>[A-Z])\b(?![-'])",
        RegexOptions.RightToLeft)]
    private static partial Regex AnswerColonRegex();

    /// <inheritdoc />
    public Verdict Grade(string response, ResponseFinish finish, string reference, IReadOnlyList<string>? choices = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(reference);
        string letters = choices is { Count: > 0 and <= 26 } ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[..choices.Count] : _letters;
        string expected = reference.Trim().Trim('(', ')').Trim();
        if (expected.Length != 1 || !letters.Contains(char.ToUpperInvariant(expected[0]), StringComparison.Ordinal))
            throw new AlloyInputException($"Reference answer '{reference}' is not one of the option letters {letters}; a choice reference is a single letter such as \"C\".");
        if (finish == ResponseFinish.Truncated) return Verdict.Truncated;
        var parts = ResponseParts.Split(response);
        char? letter = ExtractLetter(parts.Answer, letters, choices);
        if (letter is null) return Verdict.NoAnswer;
        bool correct = char.ToUpperInvariant(expected[0]) == letter.Value;
        return Verdict.For(letter.Value.ToString(), correct);
    }

    /// <summary>The chosen letter in <paramref name="answerPart"/> under the rules above, or null.</summary>
    public static char? ExtractLetter(string answerPart, string letters, IReadOnlyList<string>? choices = null)
    {
        ArgumentNullException.ThrowIfNull(answerPart);
        ArgumentNullException.ThrowIfNull(letters);
        int colonPosition = -1;
        char colonLetter = '\0';
        for (var m = AnswerColonRegex().Match(answerPart); m.Success; m = m.NextMatch())
        {
            char c = m.Groups["letter"].Value[0];
            if (letters.Contains(c, StringComparison.Ordinal)) { colonPosition = m.Index; colonLetter = c; break; }
        }

        int boxPosition = answerPart.LastIndexOf("\\boxed", StringComparison.Ordinal);
        char? boxLetter = null;
        if (boxPosition >= 0 && MathAnswerExtractor.LastBoxed(answerPart) is { } boxed)
            boxLetter = LetterFromBox(boxed, letters, choices);

        if (boxLetter is not null && boxPosition > colonPosition) return boxLetter;
        return colonPosition >= 0 ? colonLetter : boxLetter;
    }

    private static char? LetterFromBox(string boxed, string letters, IReadOnlyList<string>? choices)
    {
        string s = MathAnswerNormalizer.Normalize(boxed).Trim().Trim('(', ')', '*', ' ', '.');
        if (s.Length == 1 && letters.Contains(s[0], StringComparison.Ordinal)) return s[0];
        if (choices is null) return null;
        string key = MathAnswerNormalizer.CanonicalKey(s);
        for (int i = 0; i < choices.Count && i < letters.Length; i++)
        {
            string option = MathAnswerNormalizer.CanonicalKey(MathAnswerNormalizer.Normalize(choices[i]));
            if (option.Length > 0 && string.Equals(option, key, StringComparison.OrdinalIgnoreCase)) return letters[i];
        }
        return null;
    }
}
