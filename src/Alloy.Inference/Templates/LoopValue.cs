// The `loop` variable inside {% for %}: index, index0, first, last, length, revindex, previtem, nextitem, cycle.
// Not recursive loops (loop(...)/depth > 1), which the supported templates never use.
namespace Alloy.Inference.Templates;

/// <summary>jinja2's <c>LoopContext</c> for one iteration of a non-recursive loop.</summary>
internal sealed class LoopValue(IReadOnlyList<TemplateValue> items, int index0) : TemplateValue
{
    /// <inheritdoc />
    public override bool IsTruthy => true;

    /// <inheritdoc />
    public override string TypeName => "LoopContext";

    /// <inheritdoc />
    public override string ToDisplayString() => $"<LoopContext {index0 + 1}/{items.Count}>";

    /// <summary>The attribute with that name, or null when a loop has no such attribute.</summary>
    public TemplateValue? GetAttribute(string name) => name switch
    {
        "index" => new IntegerValue(index0 + 1),
        "index0" => new IntegerValue(index0),
        "revindex" => new IntegerValue(items.Count - index0),
        "revindex0" => new IntegerValue(items.Count - index0 - 1),
        "first" => From(index0 == 0),
        "last" => From(index0 == items.Count - 1),
        "length" => new IntegerValue(items.Count),
        "depth" => new IntegerValue(1),
        "depth0" => new IntegerValue(0),
        "previtem" => index0 > 0 ? items[index0 - 1] : new UndefinedValue("there is no previous item"),
        "nextitem" => index0 < items.Count - 1 ? items[index0 + 1] : new UndefinedValue("there is no next item"),
        "cycle" => new CallableValue("loop.cycle", (args, _) =>
            args.Count == 0 ? throw new TemplateRuntimeException("no items for cycling given") : args[index0 % args.Count]),
        _ => null,
    };
}
