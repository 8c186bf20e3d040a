// The jinja2 filters chat templates use (value | name(args)), with jinja2's argument names and edge cases.
// tojson is transformers' version (no HTML escaping, no key sorting, non-ASCII kept). Other filters are not provided.
using System.Globalization;
using System.Text;

namespace Alloy.Inference.Templates;

/// <summary>Filter implementations; each takes the value, positional arguments and keyword arguments.</summary>
internal static class TemplateFilters
{
    private delegate TemplateValue Filter(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs);

    private static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal)
    {
        ["length"] = (v, _, _) => new IntegerValue(Length(v)),
        ["count"] = (v, _, _) => new IntegerValue(Length(v)),
        ["tojson"] = ToJson,
        ["trim"] = (v, a, k) => new StringValue(PythonText.Strip(Text(v), OptionalText(Arg(a, k, 0, "chars")), left: true, right: true)),
        ["upper"] = (v, _, _) => new StringValue(Text(v).ToUpperInvariant()),
        ["lower"] = (v, _, _) => new StringValue(Text(v).ToLowerInvariant()),
        ["capitalize"] = (v, _, _) => new StringValue(TemplateMembers.Capitalize(Text(v))),
        ["title"] = (v, _, _) => new StringValue(TemplateMembers.Title(Text(v))),
        ["first"] = (v, _, _) => TemplateEvaluator.Iterate(v).FirstOrDefault() ?? new UndefinedValue("first: the sequence is empty"),
        ["last"] = (v, _, _) => TemplateEvaluator.Iterate(v).LastOrDefault() ?? new UndefinedValue("last: the sequence is empty"),
        ["join"] = Join,
        ["default"] = Default,
        ["d"] = Default,
        ["string"] = (v, _, _) => new StringValue(Text(v)),
        ["int"] = ToInt,
        ["float"] = ToFloat,
        ["abs"] = Abs,
        ["list"] = (v, _, _) => new ListValue(TemplateEvaluator.Iterate(v).ToList()),
        ["reverse"] = Reverse,
        ["items"] = Items,
        ["safe"] = (v, _, _) => v,
        ["replace"] = Replace,
        ["indent"] = Indent,
        ["map"] = Map,
        ["select"] = (v, a, k) => Select(v, a, attribute: false, keep: true),
        ["reject"] = (v, a, k) => Select(v, a, attribute: false, keep: false),
        ["selectattr"] = (v, a, k) => Select(v, a, attribute: true, keep: true),
        ["rejectattr"] = (v, a, k) => Select(v, a, attribute: true, keep: false),
    };

    /// <summary>The supported filter names, for error messages.</summary>
    public static IEnumerable<string> Names => Filters.Keys.Order(StringComparer.Ordinal);

    /// <summary>Whether a filter exists (checked when the template is parsed, as jinja2 does).</summary>
    public static bool IsKnown(string name) => Filters.ContainsKey(name);

    /// <summary>Applies a filter.</summary>
    public static TemplateValue Apply(string name, TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs) =>
        Filters.TryGetValue(name, out Filter? filter) ? filter(value, args, kwargs) : throw new TemplateRuntimeException($"No filter named '{name}' found.");

    private static TemplateValue? Arg(IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs, int index, string keyword) =>
        TemplateMembers.Argument(args, kwargs, index, keyword);

    // soft_str: what printing shows; undefined becomes "".
    private static string Text(TemplateValue value) => value.ToDisplayString();

    private static string? OptionalText(TemplateValue? value) => value is null or NoneValue ? null : Text(value);

    private static long Length(TemplateValue value) => value switch
    {
        StringValue s => PythonText.CodePointCount(s.Value),
        ListValue l => l.Items.Count,
        DictValue d => d.Count,
        UndefinedValue => 0,
        _ => throw new TemplateRuntimeException($"object of type '{value.TypeName}' has no len()"),
    };

    private static TemplateValue ToJson(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        TemplateValue? ensureAscii = Arg(args, kwargs, 0, "ensure_ascii");
        TemplateValue? indent = Arg(args, kwargs, 1, "indent");
        TemplateValue? separators = Arg(args, kwargs, 2, "separators");
        TemplateValue? sortKeys = Arg(args, kwargs, 3, "sort_keys");
        string? indentText = indent switch
        {
            null or NoneValue => null,
            StringValue s => s.Value,
            IntegerValue i => new string(' ', (int)Math.Max(0, i.Value)),
            _ => throw new TemplateRuntimeException($"tojson: indent must be an integer or a string, not {indent.TypeName}"),
        };
        string? itemSeparator = null;
        string? keySeparator = null;
        if (separators is ListValue { Items: [StringValue item, StringValue key] })
        {
            itemSeparator = item.Value;
            keySeparator = key.Value;
        }
        else if (separators is not (null or NoneValue))
        {
            throw new TemplateRuntimeException("tojson: separators must be a pair of strings");
        }
        return new StringValue(TemplateJson.Serialize(value, indentText, ensureAscii?.IsTruthy ?? false, itemSeparator, keySeparator, sortKeys?.IsTruthy ?? false));
    }

    private static TemplateValue Join(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        string separator = Arg(args, kwargs, 0, "d") is { } d ? Text(d) : string.Empty;
        TemplateValue? attribute = Arg(args, kwargs, 1, "attribute");
        IEnumerable<TemplateValue> items = TemplateEvaluator.Iterate(value);
        if (attribute is not null and not NoneValue)
        {
            items = items.Select(item => GetPath(item, attribute));
        }
        return new StringValue(string.Join(separator, items.Select(Text)));
    }

    private static TemplateValue Default(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        TemplateValue fallback = Arg(args, kwargs, 0, "default_value") ?? StringValue.Empty;
        bool boolean = Arg(args, kwargs, 1, "boolean")?.IsTruthy ?? false;
        return value is UndefinedValue || (boolean && !value.IsTruthy) ? fallback : value;
    }

    private static TemplateValue ToInt(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        TemplateValue fallback = Arg(args, kwargs, 0, "default") ?? new IntegerValue(0);
        switch (value)
        {
            case UndefinedValue undefined:
                throw TemplateMembers.UndefinedError(undefined);
            case IntegerValue:
                return value;
            case BooleanValue b:
                return new IntegerValue(b.Value ? 1 : 0);
            case FloatValue f when !double.IsNaN(f.Value) && !double.IsInfinity(f.Value):
                return new IntegerValue((long)Math.Truncate(f.Value));
            case StringValue s:
                string text = PythonText.Strip(s.Value, null, left: true, right: true).Replace("_", string.Empty, StringComparison.Ordinal);
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed))
                {
                    return new IntegerValue(parsed);
                }
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) && !double.IsNaN(real) && !double.IsInfinity(real))
                {
                    return new IntegerValue((long)Math.Truncate(real));
                }
                return fallback;
            default:
                return fallback;
        }
    }

    private static TemplateValue ToFloat(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        TemplateValue fallback = Arg(args, kwargs, 0, "default") ?? new FloatValue(0.0);
        if (value is UndefinedValue undefined)
        {
            throw TemplateMembers.UndefinedError(undefined);
        }
        if (value.TryGetNumber(out double number, out _, out _))
        {
            return new FloatValue(number);
        }
        if (value is StringValue s && double.TryParse(PythonText.Strip(s.Value, null, true, true), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed))
        {
            return new FloatValue(parsed);
        }
        return fallback;
    }

    private static TemplateValue Abs(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs) => value switch
    {
        IntegerValue i => new IntegerValue(checked(Math.Abs(i.Value))),
        BooleanValue b => new IntegerValue(b.Value ? 1 : 0),
        FloatValue f => new FloatValue(Math.Abs(f.Value)),
        _ => throw new TemplateRuntimeException($"bad operand type for abs(): '{value.TypeName}'"),
    };

    private static TemplateValue Reverse(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        if (value is StringValue s)
        {
            return new StringValue(string.Concat(PythonText.CodePoints(s.Value).Reverse()));
        }
        return new ListValue(TemplateEvaluator.Iterate(value).Reverse().ToList());
    }

    private static TemplateValue Items(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs) => value switch
    {
        UndefinedValue => new ListValue([]),
        DictValue d => new ListValue(d.Entries.Select(pair => (TemplateValue)new ListValue([pair.Key, pair.Value], isTuple: true)).ToList()),
        _ => throw new TemplateRuntimeException($"items: can only get item pairs from a mapping, not {value.TypeName}"),
    };

    private static TemplateValue Replace(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        string old = Text(Arg(args, kwargs, 0, "old") ?? throw new TemplateRuntimeException("replace: missing the text to replace"));
        string replacement = Text(Arg(args, kwargs, 1, "new") ?? throw new TemplateRuntimeException("replace: missing the replacement text"));
        TemplateValue? count = Arg(args, kwargs, 2, "count");
        long limit = count is IntegerValue c ? c.Value : -1;
        return new StringValue(TemplateMembers.Replace(Text(value), old, replacement, limit));
    }

    // jinja2 3.1 do_indent: appends "\n", splits lines, indents all but the first (and blank ones only when asked).
    private static TemplateValue Indent(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        TemplateValue width = Arg(args, kwargs, 0, "width") ?? new IntegerValue(4);
        bool first = Arg(args, kwargs, 1, "first")?.IsTruthy ?? false;
        bool blank = Arg(args, kwargs, 2, "blank")?.IsTruthy ?? false;
        string indentation = width is StringValue w ? w.Value : new string(' ', width is IntegerValue n ? (int)Math.Max(0, n.Value) : 4);
        List<string> lines = TemplateMembers.SplitLines(Text(value) + "\n");
        string result;
        if (blank)
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            var builder = new StringBuilder(lines.Count > 0 ? lines[0] : string.Empty);
            if (lines.Count > 1)
            {
                builder.Append('\n').Append(string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indentation + line : line)));
            }
            result = builder.ToString();
        }
        return new StringValue(first ? indentation + result : result);
    }

    private static TemplateValue Map(TemplateValue value, IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        IEnumerable<TemplateValue> items = TemplateEvaluator.Iterate(value);
        if (kwargs.TryGetValue("attribute", out TemplateValue? attribute))
        {
            TemplateValue? fallback = kwargs.GetValueOrDefault("default");
            return new ListValue(items.Select(item =>
            {
                TemplateValue found = GetPath(item, attribute);
                return found is UndefinedValue && fallback is not null ? fallback : found;
            }).ToList());
        }
        if (args.Count == 0 || args[0] is not StringValue filterName)
        {
            throw new TemplateRuntimeException("map: give a filter name or attribute=...");
        }
        if (!IsKnown(filterName.Value))
        {
            throw new TemplateRuntimeException($"map: no filter named '{filterName.Value}'");
        }
        List<TemplateValue> rest = args.Skip(1).ToList();
        return new ListValue(items.Select(item => Apply(filterName.Value, item, rest, kwargs)).ToList());
    }

    private static TemplateValue Select(TemplateValue value, IReadOnlyList<TemplateValue> args, bool attribute, bool keep)
    {
        int next = 0;
        TemplateValue? path = null;
        if (attribute)
        {
            path = args.Count > 0 ? args[0] : throw new TemplateRuntimeException("selectattr/rejectattr: missing the attribute name");
            next = 1;
        }
        string? testName = args.Count > next ? Text(args[next]) : null;
        if (testName is not null && !TemplateTests.IsKnown(testName))
        {
            throw new TemplateRuntimeException($"no test named '{testName}'");
        }
        List<TemplateValue> testArgs = args.Skip(next + 1).ToList();
        var kept = new List<TemplateValue>();
        foreach (TemplateValue item in TemplateEvaluator.Iterate(value))
        {
            TemplateValue subject = path is null ? item : GetPath(item, path);
            bool passed = testName is null ? subject.IsTruthy : TemplateTests.Apply(testName, subject, testArgs);
            if (passed == keep)
            {
                kept.Add(item);
            }
        }
        return new ListValue(kept);
    }

    // jinja2's make_attrgetter: "a.b.0" looks up each part with getitem, integers as indexes.
    private static TemplateValue GetPath(TemplateValue item, TemplateValue path)
    {
        if (path is IntegerValue)
        {
            return TemplateMembers.GetItem(item, path);
        }
        TemplateValue current = item;
        foreach (string part in Text(path).Split('.'))
        {
            TemplateValue key = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long index) ? new IntegerValue(index) : new StringValue(part);
            current = TemplateMembers.GetItem(current, key);
        }
        return current;
    }
}
