// The values a chat template computes with, modelled on the Python objects jinja2 sees under transformers.
// Not a general object model: only what JSON input, template literals and the supported globals produce.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Alloy.Inference.Templates;

/// <summary>
/// A value inside a template: string, integer, float, boolean, none, list, dict, undefined, namespace or callable.
/// Truthiness, equality and <see cref="ToDisplayString"/> follow Python, because the reference renderer is jinja2.
/// </summary>
public abstract class TemplateValue
{
    /// <summary>The single <c>None</c> value.</summary>
    public static readonly TemplateValue None = new NoneValue();

    /// <summary>The boolean <c>True</c>.</summary>
    public static readonly BooleanValue True = new(true);

    /// <summary>The boolean <c>False</c>.</summary>
    public static readonly BooleanValue False = new(false);

    /// <summary>Python's <c>bool(value)</c>: empty strings, lists and dicts, zero, none and undefined are false.</summary>
    public abstract bool IsTruthy { get; }

    /// <summary>The Python type name used in error messages (<c>str</c>, <c>int</c>, <c>dict</c>...).</summary>
    public abstract string TypeName { get; }

    /// <summary>Python's <c>str(value)</c>, which is what <c>{{ value }}</c> prints (undefined prints nothing).</summary>
    public abstract string ToDisplayString();

    /// <summary>Python's <c>repr(value)</c>, used when a list or dict is printed.</summary>
    public virtual string ToReprString() => ToDisplayString();

    /// <summary>Wraps a boolean.</summary>
    public static BooleanValue From(bool value) => value ? True : False;

    /// <summary>
    /// Converts parsed JSON the way Python's <c>json.loads</c> would: numbers without a fraction or exponent
    /// become integers (a value outside 64 bits becomes a float), others floats; objects keep their key order
    /// and a repeated key keeps its first position with its last value.
    /// </summary>
    public static TemplateValue FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return new StringValue(element.GetString()!);
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                if (raw.IndexOfAny(['.', 'e', 'E']) < 0 && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
                {
                    return new IntegerValue(integer);
                }
                return new FloatValue(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
            case JsonValueKind.True:
                return True;
            case JsonValueKind.False:
                return False;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return None;
            case JsonValueKind.Array:
                var items = new List<TemplateValue>();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    items.Add(FromJson(item));
                }
                return new ListValue(items);
            default:
                var dict = new DictValue();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    dict.Set(new StringValue(property.Name), FromJson(property.Value));
                }
                return dict;
        }
    }

    /// <summary>Python's <c>==</c>: numbers compare by value across int, float and bool; containers compare by content.</summary>
    public static bool PythonEquals(TemplateValue left, TemplateValue right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }
        if (left.TryGetNumber(out double a, out long ai, out bool aIsInt) && right.TryGetNumber(out double b, out long bi, out bool bIsInt))
        {
            return aIsInt && bIsInt ? ai == bi : a == b;
        }
        switch (left)
        {
            case StringValue s when right is StringValue t:
                return string.Equals(s.Value, t.Value, StringComparison.Ordinal);
            case NoneValue:
                return right is NoneValue;
            case UndefinedValue:
                return right is UndefinedValue;
            case ListValue l when right is ListValue r:
                if (l.IsTuple != r.IsTuple || l.Items.Count != r.Items.Count)
                {
                    return false;
                }
                for (int i = 0; i < l.Items.Count; i++)
                {
                    if (!PythonEquals(l.Items[i], r.Items[i]))
                    {
                        return false;
                    }
                }
                return true;
            case DictValue d when right is DictValue e:
                if (d.Count != e.Count)
                {
                    return false;
                }
                foreach (KeyValuePair<TemplateValue, TemplateValue> pair in d.Entries)
                {
                    if (!e.TryGet(pair.Key, out TemplateValue? other) || !PythonEquals(pair.Value, other))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    /// <summary>Reads an int, float or bool as a number (Python's bool is an int); false for anything else.</summary>
    public bool TryGetNumber(out double asDouble, out long asInteger, out bool isInteger)
    {
        switch (this)
        {
            case IntegerValue i:
                asInteger = i.Value;
                asDouble = i.Value;
                isInteger = true;
                return true;
            case BooleanValue b:
                asInteger = b.Value ? 1 : 0;
                asDouble = asInteger;
                isInteger = true;
                return true;
            case FloatValue f:
                asDouble = f.Value;
                asInteger = 0;
                isInteger = false;
                return true;
            default:
                asDouble = 0;
                asInteger = 0;
                isInteger = false;
                return false;
        }
    }
}

/// <summary>A Python <c>str</c>. Length, indexing and slicing count Unicode code points, as Python does.</summary>
public sealed class StringValue(string value) : TemplateValue
{
    /// <summary>The empty string.</summary>
    public static readonly StringValue Empty = new(string.Empty);

    /// <summary>The text.</summary>
    public string Value { get; } = value;

    /// <inheritdoc />
    public override bool IsTruthy => Value.Length > 0;

    /// <inheritdoc />
    public override string TypeName => "str";

    /// <inheritdoc />
    public override string ToDisplayString() => Value;

    /// <inheritdoc />
    public override string ToReprString() => PythonText.Repr(Value);
}

/// <summary>A Python <c>int</c> held in 64 bits; arithmetic that overflows is reported as a template error.</summary>
public sealed class IntegerValue(long value) : TemplateValue
{
    /// <summary>The number.</summary>
    public long Value { get; } = value;

    /// <inheritdoc />
    public override bool IsTruthy => Value != 0;

    /// <inheritdoc />
    public override string TypeName => "int";

    /// <inheritdoc />
    public override string ToDisplayString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A Python <c>float</c>; printed with Python's shortest round-trip <c>repr</c> (<c>1.0</c>, <c>1e-05</c>, <c>inf</c>, <c>nan</c>).</summary>
public sealed class FloatValue(double value) : TemplateValue
{
    /// <summary>The number.</summary>
    public double Value { get; } = value;

    /// <inheritdoc />
    public override bool IsTruthy => Value != 0;

    /// <inheritdoc />
    public override string TypeName => "float";

    /// <inheritdoc />
    public override string ToDisplayString() => PythonText.FloatRepr(Value);
}

/// <summary>A Python <c>bool</c>, printed <c>True</c>/<c>False</c>.</summary>
public sealed class BooleanValue(bool value) : TemplateValue
{
    /// <summary>The truth value.</summary>
    public bool Value { get; } = value;

    /// <inheritdoc />
    public override bool IsTruthy => Value;

    /// <inheritdoc />
    public override string TypeName => "bool";

    /// <inheritdoc />
    public override string ToDisplayString() => Value ? "True" : "False";
}

/// <summary>Python's <c>None</c>, printed <c>None</c>.</summary>
public sealed class NoneValue : TemplateValue
{
    internal NoneValue() { }

    /// <inheritdoc />
    public override bool IsTruthy => false;

    /// <inheritdoc />
    public override string TypeName => "NoneType";

    /// <inheritdoc />
    public override string ToDisplayString() => "None";
}

/// <summary>
/// jinja2's default <c>Undefined</c>: prints as nothing, is false, iterates as empty and has length 0,
/// but reading an attribute or item of it, calling it, or doing arithmetic with it is an error.
/// </summary>
public sealed class UndefinedValue(string description) : TemplateValue
{
    /// <summary>What was missing, for the error message (for example <c>'x' is undefined</c>).</summary>
    public string Description { get; } = description;

    /// <inheritdoc />
    public override bool IsTruthy => false;

    /// <inheritdoc />
    public override string TypeName => "Undefined";

    /// <inheritdoc />
    public override string ToDisplayString() => string.Empty;
}

/// <summary>A Python <c>list</c>, or a <c>tuple</c> when <see cref="IsTuple"/> (printed with parentheses, never equal to a list).
/// Templates cannot mutate it.</summary>
public sealed class ListValue(IReadOnlyList<TemplateValue> items, bool isTuple = false) : TemplateValue
{
    /// <summary>The elements in order.</summary>
    public IReadOnlyList<TemplateValue> Items { get; } = items;

    /// <summary>Whether this is a Python tuple (from <c>(a, b)</c>, <c>dict.items()</c> or the <c>items</c> filter).</summary>
    public bool IsTuple { get; } = isTuple;

    /// <inheritdoc />
    public override bool IsTruthy => Items.Count > 0;

    /// <inheritdoc />
    public override string TypeName => IsTuple ? "tuple" : "list";

    /// <inheritdoc />
    public override string ToDisplayString()
    {
        var builder = new StringBuilder(IsTuple ? "(" : "[");
        for (int i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }
            builder.Append(Items[i].ToReprString());
        }
        if (IsTuple && Items.Count == 1)
        {
            builder.Append(',');
        }
        return builder.Append(IsTuple ? ')' : ']').ToString();
    }
}

/// <summary>A Python <c>dict</c> that keeps insertion order. Keys compare with Python equality.</summary>
public sealed class DictValue : TemplateValue
{
    private readonly List<KeyValuePair<TemplateValue, TemplateValue>> _entries = [];
    private readonly Dictionary<string, int> _stringKeyIndex = new(StringComparer.Ordinal);

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<TemplateValue, TemplateValue>> Entries => _entries;

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public override bool IsTruthy => _entries.Count > 0;

    /// <inheritdoc />
    public override string TypeName => "dict";

    /// <summary>Sets a key; an existing key keeps its position and takes the new value.</summary>
    public void Set(TemplateValue key, TemplateValue value)
    {
        int index = IndexOf(key);
        if (index >= 0)
        {
            _entries[index] = new(_entries[index].Key, value);
            return;
        }
        if (key is StringValue s)
        {
            _stringKeyIndex[s.Value] = _entries.Count;
        }
        _entries.Add(new(key, value));
    }

    /// <summary>Looks a key up with Python equality.</summary>
    public bool TryGet(TemplateValue key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TemplateValue? value)
    {
        int index = IndexOf(key);
        value = index >= 0 ? _entries[index].Value : null;
        return index >= 0;
    }

    /// <summary>Looks a string key up.</summary>
    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TemplateValue? value)
    {
        if (_stringKeyIndex.TryGetValue(key, out int index))
        {
            value = _entries[index].Value;
            return true;
        }
        value = null;
        return false;
    }

    private int IndexOf(TemplateValue key)
    {
        if (key is StringValue s)
        {
            return _stringKeyIndex.TryGetValue(s.Value, out int found) ? found : -1;
        }
        for (int i = 0; i < _entries.Count; i++)
        {
            if (PythonEquals(_entries[i].Key, key))
            {
                return i;
            }
        }
        return -1;
    }

    /// <inheritdoc />
    public override string ToDisplayString()
    {
        var builder = new StringBuilder("{");
        for (int i = 0; i < _entries.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }
            builder.Append(_entries[i].Key.ToReprString()).Append(": ").Append(_entries[i].Value.ToReprString());
        }
        return builder.Append('}').ToString();
    }
}

/// <summary>jinja2's <c>namespace()</c>: the one mutable object, assigned with <c>{% set ns.attr = value %}</c>.</summary>
public sealed class NamespaceValue : TemplateValue
{
    /// <summary>The attributes by name.</summary>
    public Dictionary<string, TemplateValue> Attributes { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override bool IsTruthy => true;

    /// <inheritdoc />
    public override string TypeName => "Namespace";

    /// <inheritdoc />
    public override string ToDisplayString() =>
        "<Namespace {" + string.Join(", ", Attributes.Select(pair => PythonText.Repr(pair.Key) + ": " + pair.Value.ToReprString())) + "}>";
}

/// <summary>
/// Something a template can call: a global (<c>raise_exception</c>, <c>namespace</c>...), a macro, a bound string
/// or dict method. Arguments arrive positional and by keyword, as in Python.
/// </summary>
public sealed class CallableValue(string name, Func<IReadOnlyList<TemplateValue>, IReadOnlyDictionary<string, TemplateValue>, TemplateValue> invoke) : TemplateValue
{
    /// <summary>The name used in error messages.</summary>
    public string Name { get; } = name;

    /// <summary>Calls it.</summary>
    public TemplateValue Invoke(IReadOnlyList<TemplateValue> arguments, IReadOnlyDictionary<string, TemplateValue> keywordArguments) =>
        invoke(arguments, keywordArguments);

    /// <inheritdoc />
    public override bool IsTruthy => true;

    /// <inheritdoc />
    public override string TypeName => "function";

    /// <inheritdoc />
    public override string ToDisplayString() => "<function " + Name + ">";
}
