// Python semantics of the template operators: + - * / // % ** ~, comparisons and `in`.
// Integers are 64-bit with checked overflow (Python's are unbounded); `%` string formatting is not supported.
using System.Text;

namespace Alloy.Inference.Templates;

/// <summary>Arithmetic, concatenation, comparison and membership on template values.</summary>
internal static class TemplateOperators
{
    /// <summary>
    /// Applies a binary operator. Numbers: int op int stays int except <c>/</c> (always float); <c>//</c> and
    /// <c>%</c> floor towards negative infinity as in Python; division by zero is an error. <c>+</c> also joins
    /// two strings or two lists, <c>*</c> repeats a string or list, <c>~</c> joins the printed forms.
    /// Undefined operands are an error except with <c>~</c>, where they print as nothing.
    /// </summary>
    public static TemplateValue Binary(string op, TemplateValue left, TemplateValue right)
    {
        if (op == "~")
        {
            return new StringValue(left.ToDisplayString() + right.ToDisplayString());
        }
        if (left is UndefinedValue undefinedLeft)
        {
            throw TemplateMembers.UndefinedError(undefinedLeft);
        }
        if (right is UndefinedValue undefinedRight)
        {
            throw TemplateMembers.UndefinedError(undefinedRight);
        }
        if (left.TryGetNumber(out double a, out long ai, out bool aInt) && right.TryGetNumber(out double b, out long bi, out bool bInt))
        {
            return Arithmetic(op, a, ai, b, bi, aInt && bInt);
        }
        switch (op)
        {
            case "+" when left is StringValue s && right is StringValue t:
                return new StringValue(s.Value + t.Value);
            case "+" when left is ListValue l && right is ListValue r:
                return new ListValue([.. l.Items, .. r.Items]);
            case "*" when left is StringValue or ListValue && right is IntegerValue or BooleanValue:
                return Repeat(left, right);
            case "*" when right is StringValue or ListValue && left is IntegerValue or BooleanValue:
                return Repeat(right, left);
            default:
                throw new TemplateRuntimeException($"unsupported operand types for {op}: '{left.TypeName}' and '{right.TypeName}'");
        }
    }

    private static TemplateValue Repeat(TemplateValue sequence, TemplateValue count)
    {
        count.TryGetNumber(out _, out long times, out _);
        times = Math.Max(0, times);
        if (sequence is StringValue s)
        {
            var builder = new StringBuilder();
            for (long i = 0; i < times; i++)
            {
                builder.Append(s.Value);
            }
            return new StringValue(builder.ToString());
        }
        var items = new List<TemplateValue>();
        for (long i = 0; i < times; i++)
        {
            items.AddRange(((ListValue)sequence).Items);
        }
        return new ListValue(items);
    }

    private static TemplateValue Arithmetic(string op, double a, long ai, double b, long bi, bool integers)
    {
        switch (op)
        {
            case "+":
                return integers ? new IntegerValue(checked(ai + bi)) : new FloatValue(a + b);
            case "-":
                return integers ? new IntegerValue(checked(ai - bi)) : new FloatValue(a - b);
            case "*":
                return integers ? new IntegerValue(checked(ai * bi)) : new FloatValue(a * b);
            case "/":
                if (b == 0)
                {
                    throw new TemplateRuntimeException("division by zero");
                }
                return new FloatValue(integers ? (double)ai / bi : a / b);
            case "//":
                if (b == 0)
                {
                    throw new TemplateRuntimeException("integer division or modulo by zero");
                }
                if (integers)
                {
                    long quotient = ai / bi;
                    if ((ai % bi != 0) && ((ai < 0) != (bi < 0)))
                    {
                        quotient--;
                    }
                    return new IntegerValue(quotient);
                }
                return new FloatValue(Math.Floor(a / b));
            case "%":
                if (b == 0)
                {
                    throw new TemplateRuntimeException("integer division or modulo by zero");
                }
                if (integers)
                {
                    long remainder = ai % bi;
                    if (remainder != 0 && ((remainder < 0) != (bi < 0)))
                    {
                        remainder += bi;
                    }
                    return new IntegerValue(remainder);
                }
                double modulo = a % b;
                if (modulo != 0 && ((modulo < 0) != (b < 0)))
                {
                    modulo += b;
                }
                return new FloatValue(modulo);
            case "**":
                if (integers && bi >= 0)
                {
                    long power = 1;
                    for (long i = 0; i < bi; i++)
                    {
                        power = checked(power * ai);
                    }
                    return new IntegerValue(power);
                }
                return new FloatValue(Math.Pow(a, b));
            default:
                throw new TemplateRuntimeException($"unknown operator '{op}'");
        }
    }

    /// <summary>Unary minus on a number.</summary>
    public static TemplateValue Negate(TemplateValue operand) => operand switch
    {
        IntegerValue i => new IntegerValue(checked(-i.Value)),
        BooleanValue b => new IntegerValue(b.Value ? -1 : 0),
        FloatValue f => new FloatValue(-f.Value),
        UndefinedValue u => throw TemplateMembers.UndefinedError(u),
        _ => throw new TemplateRuntimeException($"bad operand type for unary -: '{operand.TypeName}'"),
    };

    /// <summary>Unary plus on a number.</summary>
    public static TemplateValue Plus(TemplateValue operand) => operand switch
    {
        IntegerValue or FloatValue => operand,
        BooleanValue b => new IntegerValue(b.Value ? 1 : 0),
        UndefinedValue u => throw TemplateMembers.UndefinedError(u),
        _ => throw new TemplateRuntimeException($"bad operand type for unary +: '{operand.TypeName}'"),
    };

    /// <summary>One comparison of a chain: <c>== != &lt; &lt;= &gt; &gt;= in</c> or <c>not in</c>.</summary>
    public static bool Compare(string op, TemplateValue left, TemplateValue right) => op switch
    {
        "==" => TemplateValue.PythonEquals(left, right),
        "!=" => !TemplateValue.PythonEquals(left, right),
        "<" => Order(left, right) < 0,
        "<=" => Order(left, right) <= 0,
        ">" => Order(left, right) > 0,
        ">=" => Order(left, right) >= 0,
        "in" => Contains(right, left),
        "not in" => !Contains(right, left),
        _ => throw new TemplateRuntimeException($"unknown comparison '{op}'"),
    };

    /// <summary>Python ordering of two numbers, two strings (by code point) or two lists (element by element).</summary>
    public static int Order(TemplateValue left, TemplateValue right)
    {
        if (left is UndefinedValue undefinedLeft)
        {
            throw TemplateMembers.UndefinedError(undefinedLeft);
        }
        if (right is UndefinedValue undefinedRight)
        {
            throw TemplateMembers.UndefinedError(undefinedRight);
        }
        if (left.TryGetNumber(out double a, out long ai, out bool aInt) && right.TryGetNumber(out double b, out long bi, out bool bInt))
        {
            return aInt && bInt ? ai.CompareTo(bi) : a.CompareTo(b);
        }
        if (left is StringValue s && right is StringValue t)
        {
            return Math.Sign(string.CompareOrdinal(s.Value, t.Value)) is var sign && HasSurrogates(s.Value, t.Value)
                ? CompareCodePoints(s.Value, t.Value)
                : sign;
        }
        if (left is ListValue l && right is ListValue r)
        {
            for (int i = 0; i < Math.Min(l.Items.Count, r.Items.Count); i++)
            {
                if (!TemplateValue.PythonEquals(l.Items[i], r.Items[i]))
                {
                    return Order(l.Items[i], r.Items[i]);
                }
            }
            return l.Items.Count.CompareTo(r.Items.Count);
        }
        throw new TemplateRuntimeException($"'<' not supported between instances of '{left.TypeName}' and '{right.TypeName}'");
    }

    private static bool HasSurrogates(string a, string b) => a.Any(char.IsSurrogate) || b.Any(char.IsSurrogate);

    private static int CompareCodePoints(string a, string b)
    {
        string[] x = PythonText.CodePoints(a);
        string[] y = PythonText.CodePoints(b);
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            int cx = char.ConvertToUtf32(x[i], 0);
            int cy = char.ConvertToUtf32(y[i], 0);
            if (cx != cy)
            {
                return cx.CompareTo(cy);
            }
        }
        return x.Length.CompareTo(y.Length);
    }

    /// <summary>Python's <c>needle in container</c>: substring, list element, dict key; undefined contains nothing.</summary>
    public static bool Contains(TemplateValue container, TemplateValue needle)
    {
        switch (container)
        {
            case StringValue s:
                if (needle is not StringValue n)
                {
                    throw new TemplateRuntimeException($"'in <string>' requires string as left operand, not {needle.TypeName}");
                }
                return s.Value.Contains(n.Value, StringComparison.Ordinal);
            case ListValue list:
                return list.Items.Any(item => TemplateValue.PythonEquals(item, needle));
            case DictValue dict:
                return dict.TryGet(needle, out _);
            case UndefinedValue:
                return false;
            default:
                throw new TemplateRuntimeException($"argument of type '{container.TypeName}' is not iterable");
        }
    }
}
