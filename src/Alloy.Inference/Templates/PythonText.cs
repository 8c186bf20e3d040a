// Python's text rules that chat templates observe: str/repr of floats and strings, whitespace, code-point indexing.
// Not a Python runtime: only the pieces the template evaluator and the tojson filter need to match byte for byte.
using System.Globalization;
using System.Text;

namespace Alloy.Inference.Templates;

/// <summary>Python text helpers used to render values exactly as CPython would.</summary>
internal static class PythonText
{
    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest digits that round-trip; fixed notation when the decimal exponent
    /// is in [-4, 16), with a trailing <c>.0</c> for integral values; otherwise <c>d.ddde+XX</c>.
    /// NaN prints <c>nan</c> and infinities <c>inf</c>/<c>-inf</c>.
    /// </summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }
        // "R" gives the shortest round-trip digits, e.g. "1.5E-05" or "123.25"; split them into digits and exponent.
        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = shortest.StartsWith('-');
        if (negative)
        {
            shortest = shortest[1..];
        }
        int exponent = 0;
        int e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            shortest = shortest[..e];
        }
        int dot = shortest.IndexOf('.', StringComparison.Ordinal);
        string digits = dot >= 0 ? shortest.Remove(dot, 1) : shortest;
        int pointPosition = (dot >= 0 ? dot : shortest.Length) + exponent;
        int leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        pointPosition -= leadingZeros;
        if (digits.Length == 0)
        {
            digits = "0";
            pointPosition = 1;
        }

        var builder = new StringBuilder();
        if (negative)
        {
            builder.Append('-');
        }
        if (pointPosition > 16 || pointPosition <= -4)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }
            int shown = pointPosition - 1;
            builder.Append('e').Append(shown < 0 ? '-' : '+').Append(Math.Abs(shown).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointPosition <= 0)
        {
            builder.Append("0.").Append('0', -pointPosition).Append(digits);
        }
        else if (pointPosition >= digits.Length)
        {
            builder.Append(digits).Append('0', pointPosition - digits.Length).Append(".0");
        }
        else
        {
            builder.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
        }
        return builder.ToString();
    }

    /// <summary>Python's <c>repr(str)</c>: single quotes unless the text has a single quote and no double quote.</summary>
    public static string Repr(string value)
    {
        char quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var builder = new StringBuilder().Append(quote);
        foreach (Rune rune in value.EnumerateRunes())
        {
            int c = rune.Value;
            if (c == quote || c == '\\')
            {
                builder.Append('\\').Append((char)c);
            }
            else if (c == '\n')
            {
                builder.Append("\\n");
            }
            else if (c == '\r')
            {
                builder.Append("\\r");
            }
            else if (c == '\t')
            {
                builder.Append("\\t");
            }
            else if (!IsPrintable(rune))
            {
                builder.Append(c <= 0xff ? "\\x" + c.ToString("x2", CultureInfo.InvariantCulture)
                    : c <= 0xffff ? "\\u" + c.ToString("x4", CultureInfo.InvariantCulture)
                    : "\\U" + c.ToString("x8", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }
        return builder.Append(quote).ToString();
    }

    // Python's str.isprintable: everything but control, format, surrogate, private-use, unassigned and separators
    // other than the ASCII space.
    private static bool IsPrintable(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>Python's <c>str.isspace</c> for one character (includes the separators U+001C..U+001F).</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    /// <summary>Python's <c>str.strip/lstrip/rstrip</c>: with no characters given, strips Python whitespace.</summary>
    public static string Strip(string value, string? characters, bool left, bool right)
    {
        int start = 0;
        int end = value.Length;
        bool Strippable(char c) => characters is null ? IsWhitespace(c) : characters.Contains(c, StringComparison.Ordinal);
        if (left)
        {
            while (start < end && Strippable(value[start]))
            {
                start++;
            }
        }
        if (right)
        {
            while (end > start && Strippable(value[end - 1]))
            {
                end--;
            }
        }
        return value[start..end];
    }

    /// <summary>The text as Unicode scalar values (Python indexes strings by code point, not UTF-16 unit).</summary>
    public static string[] CodePoints(string value)
    {
        var points = new List<string>(value.Length);
        foreach (Rune rune in value.EnumerateRunes())
        {
            points.Add(rune.ToString());
        }
        return [.. points];
    }

    /// <summary>The number of code points, which is Python's <c>len(str)</c>.</summary>
    public static int CodePointCount(string value)
    {
        int count = 0;
        foreach (Rune _ in value.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}
