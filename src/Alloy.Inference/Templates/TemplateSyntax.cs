// The syntax tree of a parsed chat template: statements (text, output, if, for, set, macro...) and expressions.
// Plain immutable records; parsing is in TemplateParser and meaning is in TemplateEvaluator.
namespace Alloy.Inference.Templates;

/// <summary>A statement node; <see cref="Line"/> is the 1-based source line used in error messages.</summary>
internal abstract record TemplateStatement(int Line);

/// <summary>Literal text copied to the output.</summary>
internal sealed record TextStatement(int Line, string Text) : TemplateStatement(Line);

/// <summary><c>{{ expression }}</c>.</summary>
internal sealed record OutputStatement(int Line, TemplateExpression Expression) : TemplateStatement(Line);

/// <summary><c>{% if %}...{% elif %}...{% else %}...{% endif %}</c>; branches are tried in order.</summary>
internal sealed record IfStatement(int Line, IReadOnlyList<(TemplateExpression Condition, IReadOnlyList<TemplateStatement> Body)> Branches,
    IReadOnlyList<TemplateStatement> ElseBody) : TemplateStatement(Line);

/// <summary><c>{% for targets in iterable [if filter] %}body{% else %}else{% endfor %}</c>.</summary>
internal sealed record ForStatement(int Line, IReadOnlyList<string> Targets, TemplateExpression Iterable, TemplateExpression? Filter,
    IReadOnlyList<TemplateStatement> Body, IReadOnlyList<TemplateStatement> ElseBody) : TemplateStatement(Line);

/// <summary><c>{% set a = x %}</c>, <c>{% set a, b = x %}</c> or <c>{% set ns.attr = x %}</c> (then <see cref="NamespaceName"/> is set).</summary>
internal sealed record SetStatement(int Line, IReadOnlyList<string> Targets, string? NamespaceName, TemplateExpression Value) : TemplateStatement(Line);

/// <summary><c>{% set name %}body{% endset %}</c>: the rendered body becomes the value.</summary>
internal sealed record SetBlockStatement(int Line, string Target, IReadOnlyList<TemplateStatement> Body) : TemplateStatement(Line);

/// <summary><c>{% macro name(a, b=default) %}body{% endmacro %}</c>.</summary>
internal sealed record MacroStatement(int Line, string Name, IReadOnlyList<(string Name, TemplateExpression? Default)> Parameters,
    IReadOnlyList<TemplateStatement> Body) : TemplateStatement(Line);

/// <summary><c>{% break %}</c> or <c>{% continue %}</c> (jinja2's loopcontrols extension, which transformers enables).</summary>
internal sealed record LoopControlStatement(int Line, bool IsBreak) : TemplateStatement(Line);

/// <summary>A sequence of statements rendered in place (used for <c>{% generation %}</c>, which only marks assistant text).</summary>
internal sealed record GroupStatement(int Line, IReadOnlyList<TemplateStatement> Body) : TemplateStatement(Line);

/// <summary>An expression node; <see cref="Line"/> is the 1-based source line.</summary>
internal abstract record TemplateExpression(int Line);

/// <summary>A literal value (string, number, boolean, none).</summary>
internal sealed record LiteralExpression(int Line, TemplateValue Value) : TemplateExpression(Line);

/// <summary>A variable name.</summary>
internal sealed record NameExpression(int Line, string Name) : TemplateExpression(Line);

/// <summary><c>[a, b]</c> or a tuple <c>(a, b)</c>.</summary>
internal sealed record ListExpression(int Line, IReadOnlyList<TemplateExpression> Items, bool IsTuple) : TemplateExpression(Line);

/// <summary><c>{key: value, ...}</c>.</summary>
internal sealed record DictExpression(int Line, IReadOnlyList<(TemplateExpression Key, TemplateExpression Value)> Entries) : TemplateExpression(Line);

/// <summary><c>target.name</c>: attribute first, then item, as jinja2's <c>getattr</c>.</summary>
internal sealed record AttributeExpression(int Line, TemplateExpression Target, string Name) : TemplateExpression(Line);

/// <summary><c>target[index]</c>: item first, then attribute, as jinja2's <c>getitem</c>.</summary>
internal sealed record IndexExpression(int Line, TemplateExpression Target, TemplateExpression Index) : TemplateExpression(Line);

/// <summary><c>target[start:stop:step]</c>; missing parts are null.</summary>
internal sealed record SliceExpression(int Line, TemplateExpression Target, TemplateExpression? Start, TemplateExpression? Stop,
    TemplateExpression? Step) : TemplateExpression(Line);

/// <summary><c>callee(args, name=value)</c>.</summary>
internal sealed record CallExpression(int Line, TemplateExpression Callee, IReadOnlyList<TemplateExpression> Arguments,
    IReadOnlyList<(string Name, TemplateExpression Value)> KeywordArguments) : TemplateExpression(Line);

/// <summary><c>value | name(args)</c>; <see cref="Column"/> locates the name.</summary>
internal sealed record FilterExpression(int Line, int Column, TemplateExpression Value, string Name, IReadOnlyList<TemplateExpression> Arguments,
    IReadOnlyList<(string Name, TemplateExpression Value)> KeywordArguments) : TemplateExpression(Line);

/// <summary><c>value is [not] name(args)</c>; <see cref="Column"/> locates the name.</summary>
internal sealed record TestExpression(int Line, int Column, TemplateExpression Value, string Name, IReadOnlyList<TemplateExpression> Arguments,
    bool Negated) : TemplateExpression(Line);

/// <summary>Unary <c>-x</c>, <c>+x</c> or <c>not x</c> (operator text in <see cref="Operator"/>).</summary>
internal sealed record UnaryExpression(int Line, string Operator, TemplateExpression Operand) : TemplateExpression(Line);

/// <summary>Binary arithmetic or logic: <c>+ - * / // % ** ~ and or</c>.</summary>
internal sealed record BinaryExpression(int Line, string Operator, TemplateExpression Left, TemplateExpression Right) : TemplateExpression(Line);

/// <summary>A comparison chain <c>a op1 b op2 c</c> with <c>== != &lt; &lt;= &gt; &gt;= in</c> and <c>not in</c>.</summary>
internal sealed record CompareExpression(int Line, TemplateExpression First, IReadOnlyList<(string Operator, TemplateExpression Operand)> Rest)
    : TemplateExpression(Line);

/// <summary><c>then if condition else otherwise</c>; without <c>else</c> the result is undefined when false.</summary>
internal sealed record ConditionalExpression(int Line, TemplateExpression Condition, TemplateExpression Then, TemplateExpression? Otherwise)
    : TemplateExpression(Line);
