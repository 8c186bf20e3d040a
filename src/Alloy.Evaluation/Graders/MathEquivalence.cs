// Decides whether two normalised math answers are equal: structure (tuples, intervals, sets, lists, unions,
// matrices, equations), then numbers (exact rationals or tolerances), then text. No symbolic algebra.
namespace Alloy.Evaluation.Graders;

/// <summary>
/// Equality of two answers already passed through <see cref="MathAnswerNormalizer.Normalize"/>.
/// <list type="number">
/// <item>Canonical keys equal (ordinal, ignoring case) ⇒ equal.</item>
/// <item>Both sides are split into a structure: a matrix (<c>pmatrix</c>/<c>bmatrix</c>/<c>matrix</c>: shape and
/// every cell must match), a union (<c>\cup</c>: unordered parts), a set (<c>\{…\}</c> or <c>{a,b}</c>: unordered
/// multiset), a bracketed sequence ("(a,b)", "[a,b)", …: the opening and closing brackets must be the same on both
/// sides, items compared in order), an equation (one top-level '=': equal when left−right agree up to sign or the
/// sides match pairwise), a bare comma list ("3, 5, 7": unordered multiset, because MATH asks for "all solutions
/// separated by commas"), or a scalar. A scalar containing <c>\pm</c>/<c>\mp</c> becomes the list of its two
/// branches. A bare list response matches an ordered tuple "(…)" reference in order (the brackets were left out);
/// a tuple response never matches a bare-list reference (it could be an interval).</item>
/// <item>Scalars are evaluated (see <c>MathExpression</c>). Two exact rationals must be equal exactly. Otherwise
/// doubles are compared with relative tolerance 1e-4 when either side was written with a decimal point, else 1e-9
/// (so 2\sqrt{3} = \sqrt{12} but 3.464 also matches 2\sqrt{3}); infinities must match in sign; NaN never
/// matches. With letters, both sides are evaluated at two fixed points and must agree at both. If either side
/// has a '%', the comparison also tries reading '%' as nothing (so "25\%", "25" and "0.25" all match "25\%";
/// without a '%' on either side, "25" does not match "0.25").</item>
/// <item>Items inside a structure are normalised again before comparison (so "x = 1, y = 2" matches "(1, 2)").</item>
/// <item>Anything that does not parse is compared by canonical key only.</item>
/// </list>
/// Recursion is bounded (structures nest at most 8 deep, lists hold at most 64 items).
/// </summary>
public static class MathEquivalence
{
    private const int MaxStructureDepth = 8;
    private const int MaxItems = 64;
    private const double DecimalTolerance = 1e-4;
    private const double ExactTolerance = 1e-9;

    private static readonly double[] FirstPoint = MakePoint(0);
    private static readonly double[] SecondPoint = MakePoint(1);

    private static double[] MakePoint(int which)
    {
        var values = new double[MathExpression.VariableCount];
        for (int i = 0; i < values.Length; i++)
            values[i] = which == 0 ? 1.1 + 0.7 * Math.Sqrt(i + 2) : 0.6 + 1.3 * Math.Log(i + 3) + 0.01 * i;
        return values;
    }

    /// <summary>True when the two normalised answers are equal under the rules above.</summary>
    public static bool AreEquivalent(string normalizedReference, string normalizedResponse)
    {
        ArgumentNullException.ThrowIfNull(normalizedReference);
        ArgumentNullException.ThrowIfNull(normalizedResponse);
        return Equivalent(normalizedReference, normalizedResponse, 0);
    }

    private static bool Equivalent(string reference, string response, int depth)
    {
        // Items of a structure are normalised again so that "x = 1, y = 2" compares item by item as "1", "2".
        reference = depth == 0 ? reference.Trim() : MathAnswerNormalizer.Normalize(reference);
        response = depth == 0 ? response.Trim() : MathAnswerNormalizer.Normalize(response);
        if (string.Equals(MathAnswerNormalizer.CanonicalKey(reference), MathAnswerNormalizer.CanonicalKey(response), StringComparison.OrdinalIgnoreCase))
            return true;
        if (depth >= MaxStructureDepth || reference.Length == 0 || response.Length == 0) return false;

        var a = Structure.Of(reference);
        var b = Structure.Of(response);
        switch (a.Kind)
        {
            case StructureKind.Matrix:
                if (b.Kind != StructureKind.Matrix || a.Rows != b.Rows || a.Items.Count != b.Items.Count) return false;
                return InOrder(a.Items, b.Items, depth);
            case StructureKind.Union:
                return b.Kind == StructureKind.Union && Unordered(a.Items, b.Items, depth);
            case StructureKind.Set:
                return b.Kind is StructureKind.Set or StructureKind.List && Unordered(a.Items, b.Items, depth);
            case StructureKind.List:
                return b.Kind is StructureKind.Set or StructureKind.List && Unordered(a.Items, b.Items, depth);
            case StructureKind.Bracketed:
                if (b.Kind == StructureKind.Bracketed) return a.Open == b.Open && a.Close == b.Close && InOrder(a.Items, b.Items, depth);
                return b.Kind == StructureKind.List && a.Open == '(' && a.Close == ')' && InOrder(a.Items, b.Items, depth);
            case StructureKind.Equation:
                return b.Kind == StructureKind.Equation && EquationsEqual(a, b, depth);
            default:
                return b.Kind == StructureKind.Scalar && ScalarsEqual(reference, response);
        }
    }

    private static bool InOrder(List<string> a, List<string> b, int depth)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
            if (!Equivalent(a[i], b[i], depth + 1)) return false;
        return true;
    }

    private static bool Unordered(List<string> a, List<string> b, int depth)
    {
        if (a.Count != b.Count) return false;
        Span<bool> used = stackalloc bool[b.Count];
        foreach (string item in a)
        {
            bool found = false;
            for (int j = 0; j < b.Count && !found; j++)
            {
                if (used[j] || !Equivalent(item, b[j], depth + 1)) continue;
                used[j] = true;
                found = true;
            }
            if (!found) return false;
        }
        return true;
    }

    private static bool EquationsEqual(Structure a, Structure b, int depth)
    {
        if (Equivalent(a.Items[0], b.Items[0], depth + 1) && Equivalent(a.Items[1], b.Items[1], depth + 1)) return true;
        if (Equivalent(a.Items[0], b.Items[1], depth + 1) && Equivalent(a.Items[1], b.Items[0], depth + 1)) return true;
        string differenceA = $"({a.Items[0]})-({a.Items[1]})", differenceB = $"({b.Items[0]})-({b.Items[1]})";
        return ScalarsEqual(differenceA, differenceB) || ScalarsEqual(differenceA, $"({b.Items[1]})-({b.Items[0]})");
    }

    /// <summary>Numeric equality of two scalar expressions (see the type's remarks); false when either does not parse.</summary>
    internal static bool ScalarsEqual(string reference, string response)
    {
        var a = MathExpression.TryParse(reference);
        var b = MathExpression.TryParse(response);
        if (a is null || b is null) return false;
        bool loose = a.HasDecimal || b.HasDecimal;
        if (SameAtAllPoints(a, b, loose, true, true)) return true;
        if (a.HasPercent && SameAtAllPoints(a, b, loose, false, true)) return true;
        if (b.HasPercent && SameAtAllPoints(a, b, loose, true, false)) return true;
        return a.HasPercent && b.HasPercent && SameAtAllPoints(a, b, loose, false, false);
    }

    private static bool SameAtAllPoints(MathExpression a, MathExpression b, bool loose, bool percentA, bool percentB)
    {
        if (!NumbersEqual(a.Evaluate(FirstPoint, percentA), b.Evaluate(FirstPoint, percentB), loose)) return false;
        if (!a.HasVariables && !b.HasVariables) return true;
        return NumbersEqual(a.Evaluate(SecondPoint, percentA), b.Evaluate(SecondPoint, percentB), loose);
    }

    /// <summary>
    /// Exact equality for two exact values; otherwise |x−y| ≤ tol·max(|x|,|y|) or both |x|,|y| ≤ 1e-12, with tol
    /// 1e-4 (<paramref name="loose"/>) or 1e-9. Infinities equal only themselves; NaN equals nothing.
    /// </summary>
    internal static bool NumbersEqual(MathNumber x, MathNumber y, bool loose)
    {
        if (x.IsExact && y.IsExact && x.Exact.Equals(y.Exact)) return true;
        if (x.IsExact && y.IsExact && !loose) return false;
        double a = x.Approximate, b = y.Approximate;
        if (double.IsNaN(a) || double.IsNaN(b)) return false;
        if (double.IsInfinity(a) || double.IsInfinity(b)) return a == b;
        double tolerance = loose ? DecimalTolerance : ExactTolerance;
        double scale = Math.Max(Math.Abs(a), Math.Abs(b));
        return Math.Abs(a - b) <= tolerance * scale || scale <= 1e-12;
    }

    private enum StructureKind { Scalar, Matrix, Union, Set, List, Bracketed, Equation }

    private sealed class Structure
    {
        public StructureKind Kind { get; private init; }
        public List<string> Items { get; private init; } = [];
        public char Open { get; private init; }
        public char Close { get; private init; }
        public int Rows { get; private init; }

        public static Structure Of(string s)
        {
            if (TryMatrix(s) is { } matrix) return matrix;

            var unionParts = SplitTopLevel(s, "\\cup");
            if (unionParts.Count > 1) return new Structure { Kind = StructureKind.Union, Items = unionParts };

            if (s.StartsWith("\\{", StringComparison.Ordinal) && s.EndsWith("\\}", StringComparison.Ordinal) && ClosesAtEnd(s, 1))
                return new Structure { Kind = StructureKind.Set, Items = ExpandPlusMinus(SplitTopLevel(s[2..^2], ",")) };
            if (s.Length >= 2 && s[0] == '{' && s[^1] == '}' && ClosesAtEnd(s, 0))
            {
                var items = SplitTopLevel(s[1..^1], ",");
                if (items.Count > 1) return new Structure { Kind = StructureKind.Set, Items = ExpandPlusMinus(items) };
            }
            if (s.Length >= 2 && s[0] is '(' or '[' && s[^1] is ')' or ']' && ClosesAtEnd(s, 0))
            {
                var items = SplitTopLevel(s[1..^1], ",");
                if (items.Count > 1) return new Structure { Kind = StructureKind.Bracketed, Items = items, Open = s[0], Close = s[^1] };
            }

            var listItems = SplitTopLevel(s, ",");
            if (listItems.Count > 1) return new Structure { Kind = StructureKind.List, Items = ExpandPlusMinus(listItems) };

            var sides = SplitTopLevel(s, "=");
            if (sides.Count == 2) return new Structure { Kind = StructureKind.Equation, Items = sides };

            var branches = ExpandPlusMinus([s]);
            if (branches.Count > 1) return new Structure { Kind = StructureKind.List, Items = branches };
            return new Structure { Kind = StructureKind.Scalar, Items = [s] };
        }

        private static Structure? TryMatrix(string s)
        {
            if (!s.StartsWith("\\begin{", StringComparison.Ordinal)) return null;
            int nameEnd = s.IndexOf('}', 7);
            if (nameEnd < 0) return null;
            string name = s[7..nameEnd];
            if (name is not ("pmatrix" or "bmatrix" or "matrix" or "array" or "vmatrix")) return null;
            string end = $"\\end{{{name}}}";
            if (!s.EndsWith(end, StringComparison.Ordinal)) return null;
            string body = s[(nameEnd + 1)..^end.Length];
            if (name == "array" && body.TrimStart().StartsWith('{'))
            {
                int close = body.IndexOf('}', StringComparison.Ordinal);
                if (close < 0) return null;
                body = body[(close + 1)..];
            }
            var rows = SplitTopLevel(body, "\\\\");
            if (rows.Count > 0 && rows[^1].Length == 0) rows.RemoveAt(rows.Count - 1);
            var cells = new List<string>();
            int columns = -1;
            foreach (string row in rows)
            {
                var rowCells = SplitTopLevel(row, "&");
                if (columns >= 0 && rowCells.Count != columns) return null;
                columns = rowCells.Count;
                cells.AddRange(rowCells);
                if (cells.Count > MaxItems) return null;
            }
            return new Structure { Kind = StructureKind.Matrix, Items = cells, Rows = rows.Count };
        }

        private static List<string> ExpandPlusMinus(List<string> items)
        {
            List<string>? expanded = null;
            for (int i = 0; i < items.Count; i++)
            {
                string item = items[i];
                bool pm = item.Contains("\\pm", StringComparison.Ordinal), mp = item.Contains("\\mp", StringComparison.Ordinal);
                if (!pm && !mp)
                {
                    expanded?.Add(item);
                    continue;
                }
                expanded ??= items.GetRange(0, i);
                expanded.Add(item.Replace("\\pm", "+", StringComparison.Ordinal).Replace("\\mp", "-", StringComparison.Ordinal));
                expanded.Add(item.Replace("\\pm", "-", StringComparison.Ordinal).Replace("\\mp", "+", StringComparison.Ordinal));
            }
            return expanded ?? items;
        }

        /// <summary>True when the bracket opened at <paramref name="openIndex"/> is closed by the last character.</summary>
        private static bool ClosesAtEnd(string s, int openIndex)
        {
            int depth = 0;
            for (int i = openIndex; i < s.Length; i++)
            {
                char c = s[i];
                if (c is '(' or '[' or '{') depth++;
                else if (c is ')' or ']' or '}')
                {
                    depth--;
                    if (depth == 0) return i == s.Length - 1;
                }
            }
            return false;
        }

        /// <summary>Splits at <paramref name="separator"/> where no bracket of any kind is open; trims the parts.</summary>
        private static List<string> SplitTopLevel(string s, string separator)
        {
            var parts = new List<string>();
            int depth = 0, start = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c is '(' or '[' or '{') depth++;
                else if (c is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
                else if (depth == 0 && string.CompareOrdinal(s, i, separator, 0, separator.Length) == 0
                         && !(separator == "=" && IsPartOfRelation(s, i)))
                {
                    parts.Add(s[start..i].Trim());
                    start = i + separator.Length;
                    i += separator.Length - 1;
                    if (parts.Count > MaxItems) break;
                }
            }
            parts.Add(s[start..].Trim());
            return parts;
        }

        private static bool IsPartOfRelation(string s, int i) =>
            (i > 0 && s[i - 1] is '<' or '>' or '!' or '=') || (i + 1 < s.Length && s[i + 1] == '=');
    }
}
