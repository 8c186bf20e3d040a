// Attribute, item and slice access on template values, plus the str/dict/list methods templates call.
// Follows jinja2's sandbox: `.name` tries the Python attribute then the item; `[key]` the item then the attribute;
// methods that would mutate a list or dict are refused, as ImmutableSandboxedEnvironment refuses them.
using System.Text;

namespace Alloy.Inference.Templates;

/// <summary>Member access with jinja2 semantics; missing members give <see cref="UndefinedValue"/>, never null.</summary>
internal static class TemplateMembers
{
    private static readonly HashSet<string> UnsafeDictMethods = ["pop", "popitem", "setdefault", "update", "clear"];
    private static readonly HashSet<string> UnsafeListMethods = ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"];

    /// <summary>The error jinja2 raises when an undefined value is used for more than printing or testing.</summary>
    public static TemplateRuntimeException UndefinedError(UndefinedValue undefined) => new(undefined.Description);

    /// <summary>jinja2's <c>getattr(obj, name)</c>: a Python attribute (such as a method) first, then <c>obj[name]</c>.</summary>
    public static TemplateValue GetAttribute(TemplateValue target, string name)
    {
        switch (target)
        {
            case UndefinedValue undefined:
                throw UndefinedError(undefined);
            case StringValue s:
                return (TemplateValue?)StringMethod(s.Value, name) ?? Missing(target, name);
            case DictValue dict:
                if (DictMethod(dict, name) is { } dictMethod)
                {
                    return dictMethod;
                }
                return dict.TryGet(name, out TemplateValue? value) ? value : Missing(target, name);
            case ListValue list:
                return (TemplateValue?)ListMethod(list, name) ?? Missing(target, name);
            case NamespaceValue ns:
                return ns.Attributes.TryGetValue(name, out TemplateValue? attribute) ? attribute : Missing(target, name);
            case LoopValue loop:
                return loop.GetAttribute(name) ?? Missing(target, name);
            default:
                return Missing(target, name);
        }
    }

    /// <summary>jinja2's <c>getitem(obj, key)</c>: <c>obj[key]</c> first, then the attribute named by a string key.</summary>
    public static TemplateValue GetItem(TemplateValue target, TemplateValue key)
    {
        switch (target)
        {
            case UndefinedValue undefined:
                throw UndefinedError(undefined);
            case DictValue dict:
                if (dict.TryGet(key, out TemplateValue? value))
                {
                    return value;
                }
                break;
            case ListValue list when key is IntegerValue or BooleanValue:
                key.TryGetNumber(out _, out long index, out _);
                if (index < 0)
                {
                    index += list.Items.Count;
                }
                return index >= 0 && index < list.Items.Count ? list.Items[(int)index] : new UndefinedValue($"list object has no element {key.ToDisplayString()}");
            case StringValue s when key is IntegerValue or BooleanValue:
                key.TryGetNumber(out _, out long position, out _);
                string[] points = PythonText.CodePoints(s.Value);
                if (position < 0)
                {
                    position += points.Length;
                }
                return position >= 0 && position < points.Length ? new StringValue(points[position]) : new UndefinedValue($"str object has no element {key.ToDisplayString()}");
            default:
                break;
        }
        if (key is StringValue name)
        {
            return GetAttribute(target, name.Value);
        }
        return new UndefinedValue($"'{Describe(target)}' has no attribute {key.ToReprString()}");
    }

    /// <summary>Python slicing <c>target[start:stop:step]</c> of a list or string (by code point); a zero step is an error.</summary>
    public static TemplateValue Slice(TemplateValue target, TemplateValue? start, TemplateValue? stop, TemplateValue? step)
    {
        if (target is UndefinedValue undefined)
        {
            throw UndefinedError(undefined);
        }
        IReadOnlyList<TemplateValue>? items = target as ListValue is { } list ? list.Items : null;
        string[]? points = target is StringValue s ? PythonText.CodePoints(s.Value) : null;
        if (items is null && points is null)
        {
            return new UndefinedValue($"'{Describe(target)}' cannot be sliced");
        }
        int length = items?.Count ?? points!.Length;
        long stepValue = SliceBound(step) ?? 1;
        if (stepValue == 0)
        {
            throw new TemplateRuntimeException("slice step cannot be zero");
        }
        long? startBound = SliceBound(start);
        long? stopBound = SliceBound(stop);
        long first;
        long last;
        if (stepValue > 0)
        {
            first = Clamp(startBound ?? 0, length, 0, length);
            last = Clamp(stopBound ?? length, length, 0, length);
        }
        else
        {
            first = Clamp(startBound ?? length - 1, length, -1, length - 1);
            last = stopBound is null ? -1 : Clamp(stopBound.Value, length, -1, length - 1);
        }
        var indexes = new List<int>();
        for (long i = first; stepValue > 0 ? i < last : i > last; i += stepValue)
        {
            indexes.Add((int)i);
        }
        if (items is not null)
        {
            return new ListValue(indexes.Select(i => items[i]).ToList());
        }
        var builder = new StringBuilder();
        foreach (int i in indexes)
        {
            builder.Append(points![i]);
        }
        return new StringValue(builder.ToString());
    }

    private static long Clamp(long bound, int length, long low, long high)
    {
        if (bound < 0)
        {
            bound += length;
        }
        return Math.Min(Math.Max(bound, low), high);
    }

    private static long? SliceBound(TemplateValue? value)
    {
        if (value is null or NoneValue)
        {
            return null;
        }
        if (value is IntegerValue or BooleanValue)
        {
            value.TryGetNumber(out _, out long result, out _);
            return result;
        }
        throw new TemplateRuntimeException($"slice indices must be integers or None, not {value.TypeName}");
    }

    /// <summary>How jinja2 names an object in "has no attribute" messages (<c>dict object</c>, <c>None</c>...).</summary>
    public static string Describe(TemplateValue value) => value switch
    {
        NoneValue => "None",
        _ => value.TypeName + " object",
    };

    private static UndefinedValue Missing(TemplateValue target, string name) => new($"'{Describe(target)}' has no attribute '{name}'");

    private static CallableValue Method(string name, Func<IReadOnlyList<TemplateValue>, IReadOnlyDictionary<string, TemplateValue>, TemplateValue> body) =>
        new(name, body);

    private static CallableValue Unsafe(string typeName, string name) =>
        Method(name, (_, _) => throw new TemplateRuntimeException($"access to attribute '{name}' of '{typeName}' object is unsafe (templates cannot modify their input)"));

    /// <summary>Reads argument <paramref name="index"/> or keyword <paramref name="keyword"/>, or null when absent.</summary>
    public static TemplateValue? Argument(IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs, int index, string keyword) =>
        index < args.Count ? args[index] : kwargs.TryGetValue(keyword, out TemplateValue? value) ? value : null;

    private static string? OptionalText(TemplateValue? value, string method) => value switch
    {
        null or NoneValue => null,
        StringValue s => s.Value,
        _ => throw new TemplateRuntimeException($"{method}() argument must be str or None, not {value.TypeName}"),
    };

    private static string RequiredText(TemplateValue? value, string method) => value switch
    {
        StringValue s => s.Value,
        null => throw new TemplateRuntimeException($"{method}() is missing a required argument"),
        _ => throw new TemplateRuntimeException($"{method}() argument must be str, not {value.TypeName}"),
    };

    private static long OptionalInteger(TemplateValue? value, long fallback, string method)
    {
        if (value is null)
        {
            return fallback;
        }
        if (value is IntegerValue or BooleanValue)
        {
            value.TryGetNumber(out _, out long result, out _);
            return result;
        }
        throw new TemplateRuntimeException($"{method}() expects an integer, not {value.TypeName}");
    }

    private static CallableValue? StringMethod(string text, string name)
    {
        switch (name)
        {
            case "startswith":
            case "endswith":
                return Method(name, (args, kwargs) =>
                {
                    TemplateValue? affix = Argument(args, kwargs, 0, "prefix");
                    IEnumerable<string> candidates = affix switch
                    {
                        StringValue s => [s.Value],
                        ListValue l => l.Items.Select(item => RequiredText(item, name)),
                        _ => throw new TemplateRuntimeException($"{name}() first argument must be str or a tuple of str, not {affix?.TypeName ?? "nothing"}"),
                    };
                    bool starts = name == "startswith";
                    return TemplateValue.From(candidates.Any(c => starts ? text.StartsWith(c, StringComparison.Ordinal) : text.EndsWith(c, StringComparison.Ordinal)));
                });
            case "strip":
            case "lstrip":
            case "rstrip":
                return Method(name, (args, kwargs) =>
                {
                    string? chars = OptionalText(Argument(args, kwargs, 0, "chars"), name);
                    return new StringValue(PythonText.Strip(text, chars, left: name != "rstrip", right: name != "lstrip"));
                });
            case "split":
            case "rsplit":
                return Method(name, (args, kwargs) =>
                {
                    string? separator = OptionalText(Argument(args, kwargs, 0, "sep"), name);
                    long maxSplit = OptionalInteger(Argument(args, kwargs, 1, "maxsplit"), -1, name);
                    List<string> parts = separator is null
                        ? SplitWhitespace(text, maxSplit, fromRight: name == "rsplit")
                        : SplitSeparator(text, separator, maxSplit, fromRight: name == "rsplit");
                    return new ListValue(parts.Select(p => (TemplateValue)new StringValue(p)).ToList());
                });
            case "replace":
                return Method(name, (args, kwargs) =>
                {
                    string old = RequiredText(Argument(args, kwargs, 0, "old"), name);
                    string replacement = RequiredText(Argument(args, kwargs, 1, "new"), name);
                    long count = OptionalInteger(Argument(args, kwargs, 2, "count"), -1, name);
                    return new StringValue(Replace(text, old, replacement, count));
                });
            case "upper":
                return Method(name, (_, _) => new StringValue(text.ToUpperInvariant()));
            case "lower":
                return Method(name, (_, _) => new StringValue(text.ToLowerInvariant()));
            case "capitalize":
                return Method(name, (_, _) => new StringValue(Capitalize(text)));
            case "title":
                return Method(name, (_, _) => new StringValue(Title(text)));
            case "find":
            case "rfind":
            case "count":
                return Method(name, (args, kwargs) =>
                {
                    string needle = RequiredText(Argument(args, kwargs, 0, "sub"), name);
                    if (name == "count")
                    {
                        return new IntegerValue(needle.Length == 0 ? PythonText.CodePointCount(text) + 1 : CountOccurrences(text, needle));
                    }
                    int found = name == "find" ? text.IndexOf(needle, StringComparison.Ordinal) : text.LastIndexOf(needle, StringComparison.Ordinal);
                    return new IntegerValue(found < 0 ? -1 : PythonText.CodePointCount(text[..found]));
                });
            case "join":
                return Method(name, (args, kwargs) =>
                {
                    TemplateValue iterable = Argument(args, kwargs, 0, "iterable") ?? throw new TemplateRuntimeException("join() is missing its argument");
                    return new StringValue(string.Join(text, TemplateEvaluator.Iterate(iterable).Select(item => RequiredText(item, "join"))));
                });
            case "splitlines":
                return Method(name, (_, _) => new ListValue(SplitLines(text).Select(line => (TemplateValue)new StringValue(line)).ToList()));
            case "removeprefix":
                return Method(name, (args, kwargs) =>
                {
                    string prefix = RequiredText(Argument(args, kwargs, 0, "prefix"), name);
                    return new StringValue(text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text);
                });
            case "removesuffix":
                return Method(name, (args, kwargs) =>
                {
                    string suffix = RequiredText(Argument(args, kwargs, 0, "suffix"), name);
                    return new StringValue(suffix.Length > 0 && text.EndsWith(suffix, StringComparison.Ordinal) ? text[..^suffix.Length] : text);
                });
            default:
                return null;
        }
    }

    private static CallableValue? DictMethod(DictValue dict, string name)
    {
        switch (name)
        {
            case "items":
                return Method(name, (_, _) => new ListValue(dict.Entries.Select(pair => (TemplateValue)new ListValue([pair.Key, pair.Value], isTuple: true)).ToList()));
            case "keys":
                return Method(name, (_, _) => new ListValue(dict.Entries.Select(pair => pair.Key).ToList()));
            case "values":
                return Method(name, (_, _) => new ListValue(dict.Entries.Select(pair => pair.Value).ToList()));
            case "get":
                return Method(name, (args, kwargs) =>
                {
                    TemplateValue key = Argument(args, kwargs, 0, "key") ?? throw new TemplateRuntimeException("get() is missing its key argument");
                    return dict.TryGet(key, out TemplateValue? value) ? value : Argument(args, kwargs, 1, "default") ?? TemplateValue.None;
                });
            case "copy":
                return Method(name, (_, _) =>
                {
                    var copy = new DictValue();
                    foreach (KeyValuePair<TemplateValue, TemplateValue> pair in dict.Entries)
                    {
                        copy.Set(pair.Key, pair.Value);
                    }
                    return copy;
                });
            default:
                return UnsafeDictMethods.Contains(name) ? Unsafe("dict", name) : null;
        }
    }

    private static CallableValue? ListMethod(ListValue list, string name)
    {
        switch (name)
        {
            case "index":
                return Method(name, (args, kwargs) =>
                {
                    TemplateValue needle = Argument(args, kwargs, 0, "value") ?? throw new TemplateRuntimeException("index() is missing its argument");
                    for (int i = 0; i < list.Items.Count; i++)
                    {
                        if (TemplateValue.PythonEquals(list.Items[i], needle))
                        {
                            return new IntegerValue(i);
                        }
                    }
                    throw new TemplateRuntimeException($"{needle.ToReprString()} is not in list");
                });
            case "count":
                return Method(name, (args, kwargs) =>
                {
                    TemplateValue needle = Argument(args, kwargs, 0, "value") ?? throw new TemplateRuntimeException("count() is missing its argument");
                    return new IntegerValue(list.Items.Count(item => TemplateValue.PythonEquals(item, needle)));
                });
            case "copy":
                return Method(name, (_, _) => new ListValue(list.Items.ToList()));
            default:
                return UnsafeListMethods.Contains(name) ? Unsafe("list", name) : null;
        }
    }

    /// <summary>Python <c>str.capitalize</c>: first character upper case, the rest lower case.</summary>
    public static string Capitalize(string text) =>
        text.Length == 0 ? text : text[..1].ToUpperInvariant() + text[1..].ToLowerInvariant();

    /// <summary>jinja2's <c>title</c> filter: capitalises each word, where words start after whitespace or <c>-({[&lt;</c>.</summary>
    public static string Title(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool wordStart = true;
        foreach (char c in text)
        {
            bool separator = PythonText.IsWhitespace(c) || c is '-' or '(' or '{' or '[' or '<';
            builder.Append(separator ? c : wordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            wordStart = separator;
        }
        return builder.ToString();
    }

    /// <summary>Python <c>str.replace(old, new, count)</c>, including the empty-<paramref name="old"/> case.</summary>
    public static string Replace(string text, string old, string replacement, long count)
    {
        if (count == 0)
        {
            return text;
        }
        var builder = new StringBuilder();
        if (old.Length == 0)
        {
            string[] points = PythonText.CodePoints(text);
            long done = 0;
            for (int i = 0; i <= points.Length; i++)
            {
                if (count < 0 || done < count)
                {
                    builder.Append(replacement);
                    done++;
                }
                if (i < points.Length)
                {
                    builder.Append(points[i]);
                }
            }
            return builder.ToString();
        }
        int position = 0;
        long replaced = 0;
        while (count < 0 || replaced < count)
        {
            int found = text.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }
            builder.Append(text, position, found - position).Append(replacement);
            position = found + old.Length;
            replaced++;
        }
        return builder.Append(text, position, text.Length - position).ToString();
    }

    private static int CountOccurrences(string text, string needle)
    {
        int count = 0;
        for (int i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static List<string> SplitSeparator(string text, string separator, long maxSplit, bool fromRight)
    {
        if (separator.Length == 0)
        {
            throw new TemplateRuntimeException("empty separator");
        }
        var parts = new List<string>();
        if (!fromRight)
        {
            int position = 0;
            while (maxSplit < 0 || parts.Count < maxSplit)
            {
                int found = text.IndexOf(separator, position, StringComparison.Ordinal);
                if (found < 0)
                {
                    break;
                }
                parts.Add(text[position..found]);
                position = found + separator.Length;
            }
            parts.Add(text[position..]);
            return parts;
        }
        int end = text.Length;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            int found = end == 0 ? -1 : text.LastIndexOf(separator, end - 1, StringComparison.Ordinal);
            if (found < 0 || found + separator.Length > end)
            {
                break;
            }
            parts.Add(text[(found + separator.Length)..end]);
            end = found;
        }
        parts.Add(text[..end]);
        parts.Reverse();
        return parts;
    }

    private static List<string> SplitWhitespace(string text, long maxSplit, bool fromRight)
    {
        var parts = new List<string>();
        if (!fromRight)
        {
            int i = 0;
            while (true)
            {
                while (i < text.Length && PythonText.IsWhitespace(text[i]))
                {
                    i++;
                }
                if (i >= text.Length)
                {
                    break;
                }
                if (maxSplit >= 0 && parts.Count >= maxSplit)
                {
                    parts.Add(text[i..]);
                    break;
                }
                int start = i;
                while (i < text.Length && !PythonText.IsWhitespace(text[i]))
                {
                    i++;
                }
                parts.Add(text[start..i]);
            }
            return parts;
        }
        int j = text.Length;
        while (true)
        {
            while (j > 0 && PythonText.IsWhitespace(text[j - 1]))
            {
                j--;
            }
            if (j <= 0)
            {
                break;
            }
            if (maxSplit >= 0 && parts.Count >= maxSplit)
            {
                parts.Add(text[..j]);
                break;
            }
            int end = j;
            while (j > 0 && !PythonText.IsWhitespace(text[j - 1]))
            {
                j--;
            }
            parts.Add(text[j..end]);
        }
        parts.Reverse();
        return parts;
    }

    /// <summary>Python <c>str.splitlines()</c>: splits on \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029; no trailing empty line.</summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                lines.Add(text[start..i]);
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                start = i;
            }
            else
            {
                i++;
            }
        }
        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }
        return lines;
    }
}
