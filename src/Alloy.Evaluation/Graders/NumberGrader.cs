// Grades answers that are one number (GSM8K style): the last number in the answer part against the reference.
// It does not read LaTeX expressions; use MathGrader for those.
using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders;

/// <summary>
/// Number grader. Truncated ⇒ wrong. Otherwise, in the answer part (after the first <c>&lt;/think&gt;</c>): when a
/// <c>\boxed{…}</c> exists, the last number inside the last box; else the last number in the text. A number is
/// <c>-?\$?</c> digits with optional comma thousands groups, an optional decimal part, and an optional trailing
/// <c>%</c> (dropped: GSM8K answers are plain numbers). The reference is read the same way (commas, <c>$</c> allowed).
/// Equality: exact as rationals ("18.00" = 18, "033" = 33); when the response was written with a decimal point the
/// relative tolerance 1e-4 also applies (33.333 for 100/3), never for integers (100001 ≠ 100000).
/// A reference with no number throws <see cref="AlloyInputException"/>.
/// </summary>
public sealed partial class NumberGrader : IGrader
{
    private const double DecimalTolerance = 1e-4;

    [GeneratedRegex(@"(?<![\d.])(?<sign>-)?\s?\$?\s?(?<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<frac>\d+))?|(?<![\d.])(?<sign>-)?\.(?<frac>\d+)")]
    private static partial Regex NumberRegex();

    /// <inheritdoc />
    public Verdict Grade(string response, ResponseFinish finish, string reference, IReadOnlyList<string>? choices = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(reference);
        var expected = LastNumber(reference)
            ?? throw new AlloyInputException($"Reference answer '{reference}' holds no number; the number grader needs a numeric reference such as \"18\" or \"1,000\".");
        if (finish == ResponseFinish.Truncated) return Verdict.Truncated;
        var parts = ResponseParts.Split(response);
        string scope = MathAnswerExtractor.LastBoxed(parts.Answer) ?? parts.Answer;
        var answer = LastNumber(scope);
        if (answer is null) return Verdict.NoAnswer;
        return Verdict.For(answer.Value.Text, NumbersEqual(expected, answer.Value));
    }

    private readonly record struct ParsedNumber(string Text, Rational Value, bool HasDecimal);

    private static bool NumbersEqual(ParsedNumber reference, ParsedNumber answer)
    {
        if (reference.Value.Equals(answer.Value)) return true;
        if (!answer.HasDecimal) return false;
        double a = reference.Value.ToDouble(), b = answer.Value.ToDouble();
        return Math.Abs(a - b) <= DecimalTolerance * Math.Max(Math.Abs(a), Math.Abs(b));
    }

    private static ParsedNumber? LastNumber(string text)
    {
        Match? last = null;
        for (var m = NumberRegex().Match(text); m.Success; m = m.NextMatch()) last = m;
        if (last is null) return null;
        string integer = last.Groups["int"].Success ? last.Groups["int"].Value.Replace(",", "", StringComparison.Ordinal) : "0";
        string fraction = last.Groups["frac"].Success ? last.Groups["frac"].Value : "";
        if (integer.Length + fraction.Length > 600) return null;
        var mantissa = BigInteger.Parse(integer + fraction, NumberStyles.None, CultureInfo.InvariantCulture);
        if (last.Groups["sign"].Success) mantissa = -mantissa;
        if (!Rational.TryCreate(mantissa, BigInteger.Pow(10, fraction.Length), out var value)) return null;
        return new ParsedNumber(last.Value.Trim(), value, fraction.Length > 0);
    }
}
