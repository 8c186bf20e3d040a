// The global functions a chat template can call: transformers' raise_exception and strftime_now, and jinja2's
// namespace, range and dict. Nothing here reads the clock itself: the render context supplies the date.
using System.Globalization;
using System.Text;

namespace Alloy.Inference.Templates;

/// <summary>Builds the global scope a template renders under.</summary>
internal static class TemplateGlobals
{
    /// <summary>Creates the globals; <paramref name="now"/> is what <c>strftime_now</c> formats.</summary>
    public static TemplateEvaluator.Scope Create(DateTime now)
    {
        var scope = new TemplateEvaluator.Scope(null);
        scope.Set("raise_exception", new CallableValue("raise_exception", (args, _) =>
            throw new TemplateRuntimeException(args.Count > 0 ? args[0].ToDisplayString() : "raise_exception() was called")));
        scope.Set("strftime_now", new CallableValue("strftime_now", (args, _) =>
            args.Count == 1 && args[0] is StringValue format
                ? new StringValue(Strftime(now, format.Value))
                : throw new TemplateRuntimeException("strftime_now() takes one format string")));
        scope.Set("namespace", new CallableValue("namespace", Namespace));
        scope.Set("range", new CallableValue("range", Range));
        scope.Set("dict", new CallableValue("dict", (args, kwargs) =>
        {
            var dict = new DictValue();
            if (args.Count > 0 && args[0] is DictValue initial)
            {
                foreach (KeyValuePair<TemplateValue, TemplateValue> pair in initial.Entries)
                {
                    dict.Set(pair.Key, pair.Value);
                }
            }
            foreach (KeyValuePair<string, TemplateValue> pair in kwargs)
            {
                dict.Set(new StringValue(pair.Key), pair.Value);
            }
            return dict;
        }));
        return scope;
    }

    private static NamespaceValue Namespace(IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        var ns = new NamespaceValue();
        foreach (TemplateValue argument in args)
        {
            if (argument is not DictValue dict)
            {
                throw new TemplateRuntimeException($"namespace() takes a dict or keyword arguments, not {argument.TypeName}");
            }
            foreach (KeyValuePair<TemplateValue, TemplateValue> pair in dict.Entries)
            {
                ns.Attributes[pair.Key.ToDisplayString()] = pair.Value;
            }
        }
        foreach (KeyValuePair<string, TemplateValue> pair in kwargs)
        {
            ns.Attributes[pair.Key] = pair.Value;
        }
        return ns;
    }

    private static ListValue Range(IReadOnlyList<TemplateValue> args, IReadOnlyDictionary<string, TemplateValue> kwargs)
    {
        long[] bounds = args.Select(a => a is IntegerValue or BooleanValue && a.TryGetNumber(out _, out long n, out _)
            ? n
            : throw new TemplateRuntimeException($"range() needs integers, not {a.TypeName}")).ToArray();
        (long start, long stop, long step) = bounds.Length switch
        {
            1 => (0L, bounds[0], 1L),
            2 => (bounds[0], bounds[1], 1L),
            3 => (bounds[0], bounds[1], bounds[2]),
            _ => throw new TemplateRuntimeException("range() takes 1 to 3 integers"),
        };
        if (step == 0)
        {
            throw new TemplateRuntimeException("range() step must not be zero");
        }
        var items = new List<TemplateValue>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            if (items.Count >= 100_000)
            {
                throw new TemplateRuntimeException("range() is limited to 100000 items in templates");
            }
            items.Add(new IntegerValue(i));
        }
        return new ListValue(items);
    }

    private static readonly string[] WeekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] MonthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>
    /// Python's <c>datetime.strftime</c> in the C locale for the directives templates use:
    /// %a %A %b %B %d %-d %e %H %I %j %m %-m %M %p %S %y %Y %% (and glibc's %-X no-padding form).
    /// </summary>
    public static string Strftime(DateTime time, string format)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }
            bool noPadding = format[i + 1] == '-' && i + 2 < format.Length;
            char directive = noPadding ? format[i + 2] : format[i + 1];
            i += noPadding ? 2 : 1;
            string Pad(int value, int width) => noPadding ? value.ToString(CultureInfo.InvariantCulture) : value.ToString(new string('0', width), CultureInfo.InvariantCulture);
            builder.Append(directive switch
            {
                'a' => WeekdayNames[(int)time.DayOfWeek][..3],
                'A' => WeekdayNames[(int)time.DayOfWeek],
                'b' or 'h' => MonthNames[time.Month - 1][..3],
                'B' => MonthNames[time.Month - 1],
                'd' => Pad(time.Day, 2),
                'e' => noPadding ? time.Day.ToString(CultureInfo.InvariantCulture) : time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'H' => Pad(time.Hour, 2),
                'I' => Pad(time.Hour % 12 == 0 ? 12 : time.Hour % 12, 2),
                'j' => Pad(time.DayOfYear, 3),
                'm' => Pad(time.Month, 2),
                'M' => Pad(time.Minute, 2),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'S' => Pad(time.Second, 2),
                'y' => Pad(time.Year % 100, 2),
                'Y' => time.Year.ToString(CultureInfo.InvariantCulture),
                '%' => "%",
                _ => throw new TemplateRuntimeException($"strftime_now: unsupported directive '%{directive}'"),
            });
        }
        return builder.ToString();
    }
}
