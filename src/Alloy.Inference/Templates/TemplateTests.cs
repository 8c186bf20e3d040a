// The jinja2 tests chat templates use (value is [not] name(args)), with Python's type rules.
// Note Python quirks kept on purpose: bools are numbers, and jinja2's Undefined counts as iterable and a sequence.
namespace Alloy.Inference.Templates;

/// <summary>Test implementations for <c>is</c> expressions and the select/reject filters.</summary>
internal static class TemplateTests
{
    private delegate bool Test(TemplateValue value, IReadOnlyList<TemplateValue> args);

    private static readonly Dictionary<string, Test> Tests = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not UndefinedValue,
        ["undefined"] = (v, _) => v is UndefinedValue,
        ["none"] = (v, _) => v is NoneValue,
        ["string"] = (v, _) => v is StringValue,
        ["mapping"] = (v, _) => v is DictValue,
        ["iterable"] = (v, _) => v is StringValue or ListValue or DictValue or UndefinedValue,
        ["sequence"] = (v, _) => v is StringValue or ListValue or DictValue or UndefinedValue,
        ["number"] = (v, _) => v is IntegerValue or FloatValue or BooleanValue,
        ["integer"] = (v, _) => v is IntegerValue,
        ["float"] = (v, _) => v is FloatValue,
        ["boolean"] = (v, _) => v is BooleanValue,
        ["true"] = (v, _) => v is BooleanValue { Value: true },
        ["false"] = (v, _) => v is BooleanValue { Value: false },
        ["callable"] = (v, _) => v is CallableValue,
        ["equalto"] = (v, a) => TemplateValue.PythonEquals(v, Single(a, "equalto")),
        ["eq"] = (v, a) => TemplateValue.PythonEquals(v, Single(a, "eq")),
        ["=="] = (v, a) => TemplateValue.PythonEquals(v, Single(a, "==")),
        ["ne"] = (v, a) => !TemplateValue.PythonEquals(v, Single(a, "ne")),
        ["!="] = (v, a) => !TemplateValue.PythonEquals(v, Single(a, "!=")),
        ["lt"] = (v, a) => TemplateEvaluator.Compare(v, Single(a, "lt")) < 0,
        ["le"] = (v, a) => TemplateEvaluator.Compare(v, Single(a, "le")) <= 0,
        ["gt"] = (v, a) => TemplateEvaluator.Compare(v, Single(a, "gt")) > 0,
        ["ge"] = (v, a) => TemplateEvaluator.Compare(v, Single(a, "ge")) >= 0,
        ["in"] = (v, a) => TemplateEvaluator.Contains(Single(a, "in"), v),
        ["odd"] = (v, _) => TemplateValue.PythonEquals(TemplateOperators.Binary("%", v, new IntegerValue(2)), new IntegerValue(1)),
        ["even"] = (v, _) => TemplateValue.PythonEquals(TemplateOperators.Binary("%", v, new IntegerValue(2)), new IntegerValue(0)),
        ["divisibleby"] = (v, a) => TemplateValue.PythonEquals(TemplateOperators.Binary("%", v, Single(a, "divisibleby")), new IntegerValue(0)),
        ["sameas"] = (v, a) => SameAs(v, Single(a, "sameas")),
        ["lower"] = (v, _) => v is StringValue s && s.Value == s.Value.ToLowerInvariant(),
        ["upper"] = (v, _) => v is StringValue s && s.Value == s.Value.ToUpperInvariant(),
    };

    /// <summary>The supported test names, for error messages.</summary>
    public static IEnumerable<string> Names => Tests.Keys.Order(StringComparer.Ordinal);

    /// <summary>Whether a test exists (checked at parse time, as jinja2 does).</summary>
    public static bool IsKnown(string name) => Tests.ContainsKey(name);

    /// <summary>Runs a test.</summary>
    public static bool Apply(string name, TemplateValue value, IReadOnlyList<TemplateValue> args) =>
        Tests.TryGetValue(name, out Test? test) ? test(value, args) : throw new TemplateRuntimeException($"No test named '{name}' found.");

    private static TemplateValue Single(IReadOnlyList<TemplateValue> args, string test) =>
        args.Count == 1 ? args[0] : throw new TemplateRuntimeException($"test '{test}' takes exactly one argument");

    // Python's "is": singletons compare by kind; other values by reference.
    private static bool SameAs(TemplateValue left, TemplateValue right) => left switch
    {
        NoneValue => right is NoneValue,
        BooleanValue b => right is BooleanValue c && b.Value == c.Value,
        IntegerValue i => right is IntegerValue j && i.Value == j.Value && i.Value is >= -5 and <= 256,
        _ => ReferenceEquals(left, right),
    };
}
