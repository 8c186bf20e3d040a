// The tojson filter as transformers defines it: Python json.dumps with ensure_ascii=False and no key sorting.
// It is not jinja2's own tojson (which HTML-escapes and sorts keys); templates rely on the transformers behaviour.
using System.Globalization;
using System.Text;

namespace Alloy.Inference.Templates;

/// <summary>Serializes template values exactly as CPython's <c>json.dumps</c> does for the given options.</summary>
internal static class TemplateJson
{
    /// <summary>
    /// <c>json.dumps(value, ensure_ascii, indent, separators, sort_keys)</c>. Without an indent the separators are
    /// <c>", "</c> and <c>": "</c>; with one, <c>","</c> and <c>": "</c> and each level is indented by
    /// <paramref name="indent"/> (empty containers stay <c>[]</c>/<c>{}</c>). Floats use Python's repr;
    /// NaN and infinities become <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> as Python allows by default.
    /// </summary>
    /// <exception cref="TemplateRuntimeException">The value (or a part) is undefined, a namespace or a function,
    /// or a dict key is a list or dict: Python raises <c>TypeError</c> there too.</exception>
    public static string Serialize(TemplateValue value, string? indent, bool ensureAscii, string? itemSeparator, string? keySeparator, bool sortKeys)
    {
        var builder = new StringBuilder();
        itemSeparator ??= indent is null ? ", " : ",";
        keySeparator ??= ": ";
        Write(builder, value, indent, 0, ensureAscii, itemSeparator, keySeparator, sortKeys);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, TemplateValue value, string? indent, int level, bool ensureAscii,
        string itemSeparator, string keySeparator, bool sortKeys)
    {
        switch (value)
        {
            case StringValue s:
                WriteString(builder, s.Value, ensureAscii);
                break;
            case BooleanValue b:
                builder.Append(b.Value ? "true" : "false");
                break;
            case IntegerValue i:
                builder.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case FloatValue f:
                builder.Append(FloatText(f.Value));
                break;
            case NoneValue:
                builder.Append("null");
                break;
            case ListValue list:
                if (list.Items.Count == 0)
                {
                    builder.Append("[]");
                    break;
                }
                builder.Append('[');
                for (int i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(itemSeparator);
                    }
                    NewLine(builder, indent, level + 1);
                    Write(builder, list.Items[i], indent, level + 1, ensureAscii, itemSeparator, keySeparator, sortKeys);
                }
                NewLine(builder, indent, level);
                builder.Append(']');
                break;
            case DictValue dict:
                if (dict.Count == 0)
                {
                    builder.Append("{}");
                    break;
                }
                IEnumerable<KeyValuePair<string, TemplateValue>> entries = dict.Entries.Select(pair => new KeyValuePair<string, TemplateValue>(KeyText(pair.Key), pair.Value));
                if (sortKeys)
                {
                    entries = entries.OrderBy(pair => pair.Key, StringComparer.Ordinal);
                }
                builder.Append('{');
                bool first = true;
                foreach (KeyValuePair<string, TemplateValue> pair in entries)
                {
                    if (!first)
                    {
                        builder.Append(itemSeparator);
                    }
                    first = false;
                    NewLine(builder, indent, level + 1);
                    WriteString(builder, pair.Key, ensureAscii);
                    builder.Append(keySeparator);
                    Write(builder, pair.Value, indent, level + 1, ensureAscii, itemSeparator, keySeparator, sortKeys);
                }
                NewLine(builder, indent, level);
                builder.Append('}');
                break;
            default:
                throw new TemplateRuntimeException($"tojson: object of type '{value.TypeName}' is not JSON serializable");
        }
    }

    private static void NewLine(StringBuilder builder, string? indent, int level)
    {
        if (indent is null)
        {
            return;
        }
        builder.Append('\n');
        for (int i = 0; i < level; i++)
        {
            builder.Append(indent);
        }
    }

    private static string FloatText(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : PythonText.FloatRepr(value);

    // Python converts str, int, float, bool and None keys to strings; anything else is a TypeError.
    private static string KeyText(TemplateValue key) => key switch
    {
        StringValue s => s.Value,
        BooleanValue b => b.Value ? "true" : "false",
        IntegerValue i => i.Value.ToString(CultureInfo.InvariantCulture),
        FloatValue f => FloatText(f.Value),
        NoneValue => "null",
        _ => throw new TemplateRuntimeException($"tojson: keys must be str, int, float, bool or None, not {key.TypeName}"),
    };

    private static void WriteString(StringBuilder builder, string text, bool ensureAscii)
    {
        builder.Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7e))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
        builder.Append('"');
    }
}
