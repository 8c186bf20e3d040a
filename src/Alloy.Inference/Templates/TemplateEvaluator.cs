// Runs a parsed chat template against a set of variables and returns the text, with jinja2's scoping rules
// (a for-loop body is a fresh scope each iteration; if-blocks are not scopes). It does not parse or load files.
using System.Text;

namespace Alloy.Inference.Templates;

/// <summary>Evaluates template statements and expressions with Python/jinja2 semantics.</summary>
internal sealed class TemplateEvaluator
{
    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    /// <summary>A variable scope; lookups walk outwards, assignments stay in the scope they are made in.</summary>
    internal sealed class Scope(Scope? parent)
    {
        private readonly Dictionary<string, TemplateValue> _variables = new(StringComparer.Ordinal);

        /// <summary>Finds a variable in this scope or an enclosing one.</summary>
        public bool TryLookup(string name, out TemplateValue value)
        {
            for (Scope? scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope._variables.TryGetValue(name, out TemplateValue? found))
                {
                    value = found;
                    return true;
                }
            }
            value = TemplateValue.None;
            return false;
        }

        /// <summary>Assigns in this scope.</summary>
        public void Set(string name, TemplateValue value) => _variables[name] = value;

        /// <summary>The enclosing scope.</summary>
        public Scope? Parent { get; } = parent;
    }

    private readonly string _templateName;
    private int _line;

    private TemplateEvaluator(string templateName) => _templateName = templateName;

    /// <summary>
    /// Renders statements in a scope whose parent holds the globals. Any runtime failure becomes a
    /// <see cref="ChatTemplateException"/> naming the template and the line being evaluated.
    /// </summary>
    public static string Render(string templateName, IReadOnlyList<TemplateStatement> statements, Scope scope)
    {
        var evaluator = new TemplateEvaluator(templateName);
        var output = new StringBuilder();
        try
        {
            evaluator.Execute(statements, scope, output);
        }
        catch (TemplateRuntimeException error)
        {
            throw new ChatTemplateException(templateName, evaluator._line, 0, error.Message);
        }
        catch (OverflowException)
        {
            throw new ChatTemplateException(templateName, evaluator._line, 0, "integer arithmetic overflowed 64 bits");
        }
        return output.ToString();
    }

    private Flow Execute(IReadOnlyList<TemplateStatement> statements, Scope scope, StringBuilder output)
    {
        foreach (TemplateStatement statement in statements)
        {
            _line = statement.Line;
            switch (statement)
            {
                case TextStatement text:
                    output.Append(text.Text);
                    break;
                case OutputStatement print:
                    output.Append(Evaluate(print.Expression, scope).ToDisplayString());
                    break;
                case IfStatement branch:
                    IReadOnlyList<TemplateStatement> chosen = branch.ElseBody;
                    foreach ((TemplateExpression condition, IReadOnlyList<TemplateStatement> body) in branch.Branches)
                    {
                        if (Evaluate(condition, scope).IsTruthy)
                        {
                            chosen = body;
                            break;
                        }
                    }
                    Flow flow = Execute(chosen, scope, output);
                    if (flow != Flow.Normal)
                    {
                        return flow;
                    }
                    break;
                case ForStatement loop:
                    ExecuteFor(loop, scope, output);
                    break;
                case SetStatement set:
                    ExecuteSet(set, scope);
                    break;
                case SetBlockStatement setBlock:
                    var captured = new StringBuilder();
                    Execute(setBlock.Body, scope, captured);
                    scope.Set(setBlock.Target, new StringValue(captured.ToString()));
                    break;
                case MacroStatement macro:
                    scope.Set(macro.Name, DefineMacro(macro, scope));
                    break;
                case LoopControlStatement control:
                    return control.IsBreak ? Flow.Break : Flow.Continue;
                case GroupStatement group:
                    Flow groupFlow = Execute(group.Body, scope, output);
                    if (groupFlow != Flow.Normal)
                    {
                        return groupFlow;
                    }
                    break;
                default:
                    throw new TemplateRuntimeException($"internal error: unknown statement {statement.GetType().Name}");
            }
        }
        return Flow.Normal;
    }

    private void ExecuteFor(ForStatement loop, Scope scope, StringBuilder output)
    {
        IEnumerable<TemplateValue> source = Iterate(Evaluate(loop.Iterable, scope));
        List<TemplateValue> items;
        if (loop.Filter is null)
        {
            items = source.ToList();
        }
        else
        {
            items = [];
            foreach (TemplateValue item in source)
            {
                var filterScope = new Scope(scope);
                Assign(loop.Targets, item, filterScope);
                if (Evaluate(loop.Filter, filterScope).IsTruthy)
                {
                    items.Add(item);
                }
            }
        }
        if (items.Count == 0)
        {
            Execute(loop.ElseBody, scope, output);
            return;
        }
        for (int i = 0; i < items.Count; i++)
        {
            var iteration = new Scope(scope);
            Assign(loop.Targets, items[i], iteration);
            iteration.Set("loop", new LoopValue(items, i));
            if (Execute(loop.Body, iteration, output) == Flow.Break)
            {
                break;
            }
        }
    }

    private void ExecuteSet(SetStatement set, Scope scope)
    {
        TemplateValue value = Evaluate(set.Value, scope);
        if (set.NamespaceName is null)
        {
            Assign(set.Targets, value, scope);
            return;
        }
        if (!scope.TryLookup(set.NamespaceName, out TemplateValue target) || target is not NamespaceValue ns)
        {
            throw new TemplateRuntimeException($"cannot assign attribute '{set.Targets[0]}' on '{set.NamespaceName}': only a namespace() object can be assigned to");
        }
        ns.Attributes[set.Targets[0]] = value;
    }

    private static void Assign(IReadOnlyList<string> targets, TemplateValue value, Scope scope)
    {
        if (targets.Count == 1)
        {
            scope.Set(targets[0], value);
            return;
        }
        List<TemplateValue> parts = Iterate(value).ToList();
        if (parts.Count != targets.Count)
        {
            throw new TemplateRuntimeException($"cannot unpack {parts.Count} values into {targets.Count} names ({string.Join(", ", targets)})");
        }
        for (int i = 0; i < targets.Count; i++)
        {
            scope.Set(targets[i], parts[i]);
        }
    }

    private CallableValue DefineMacro(MacroStatement macro, Scope definitionScope) =>
        new(macro.Name, (args, kwargs) =>
        {
            if (args.Count > macro.Parameters.Count)
            {
                throw new TemplateRuntimeException($"macro '{macro.Name}' takes not more than {macro.Parameters.Count} argument(s)");
            }
            var callScope = new Scope(definitionScope);
            for (int i = 0; i < macro.Parameters.Count; i++)
            {
                (string name, TemplateExpression? defaultValue) = macro.Parameters[i];
                TemplateValue value = i < args.Count ? args[i]
                    : kwargs.TryGetValue(name, out TemplateValue? given) ? given
                    : defaultValue is not null ? Evaluate(defaultValue, callScope)
                    : new UndefinedValue($"parameter '{name}' was not provided");
                callScope.Set(name, value);
            }
            foreach (string keyword in kwargs.Keys)
            {
                if (!macro.Parameters.Any(p => p.Name == keyword))
                {
                    throw new TemplateRuntimeException($"macro '{macro.Name}' takes no keyword argument '{keyword}'");
                }
            }
            int callerLine = _line;
            var output = new StringBuilder();
            Execute(macro.Body, callScope, output);
            _line = callerLine;
            return new StringValue(output.ToString());
        });

    private TemplateValue Evaluate(TemplateExpression expression, Scope scope)
    {
        _line = expression.Line;
        switch (expression)
        {
            case LiteralExpression literal:
                return literal.Value;
            case NameExpression name:
                return scope.TryLookup(name.Name, out TemplateValue value) ? value : new UndefinedValue($"'{name.Name}' is undefined");
            case ListExpression list:
                return new ListValue(list.Items.Select(item => Evaluate(item, scope)).ToList(), list.IsTuple);
            case DictExpression dict:
                var result = new DictValue();
                foreach ((TemplateExpression key, TemplateExpression entry) in dict.Entries)
                {
                    result.Set(Evaluate(key, scope), Evaluate(entry, scope));
                }
                return result;
            case AttributeExpression attribute:
                return TemplateMembers.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name);
            case IndexExpression index:
                TemplateValue indexTarget = Evaluate(index.Target, scope);
                return TemplateMembers.GetItem(indexTarget, Evaluate(index.Index, scope));
            case SliceExpression slice:
                TemplateValue sliceTarget = Evaluate(slice.Target, scope);
                return TemplateMembers.Slice(sliceTarget, Optional(slice.Start, scope), Optional(slice.Stop, scope), Optional(slice.Step, scope));
            case CallExpression call:
                return EvaluateCall(call, scope);
            case FilterExpression filter:
                TemplateValue filtered = Evaluate(filter.Value, scope);
                (List<TemplateValue> filterArgs, Dictionary<string, TemplateValue> filterKwargs) = Arguments(filter.Arguments, filter.KeywordArguments, scope);
                _line = filter.Line;
                return TemplateFilters.Apply(filter.Name, filtered, filterArgs, filterKwargs);
            case TestExpression test:
                TemplateValue tested = Evaluate(test.Value, scope);
                List<TemplateValue> testArgs = test.Arguments.Select(a => Evaluate(a, scope)).ToList();
                _line = test.Line;
                return TemplateValue.From(TemplateTests.Apply(test.Name, tested, testArgs) != test.Negated);
            case UnaryExpression unary:
                TemplateValue operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    "not" => TemplateValue.From(!operand.IsTruthy),
                    "-" => TemplateOperators.Negate(operand),
                    _ => TemplateOperators.Plus(operand),
                };
            case BinaryExpression binary:
                return EvaluateBinary(binary, scope);
            case CompareExpression compare:
                TemplateValue left = Evaluate(compare.First, scope);
                foreach ((string op, TemplateExpression rightExpression) in compare.Rest)
                {
                    TemplateValue right = Evaluate(rightExpression, scope);
                    _line = compare.Line;
                    if (!TemplateOperators.Compare(op, left, right))
                    {
                        return TemplateValue.False;
                    }
                    left = right;
                }
                return TemplateValue.True;
            case ConditionalExpression conditional:
                if (Evaluate(conditional.Condition, scope).IsTruthy)
                {
                    return Evaluate(conditional.Then, scope);
                }
                return conditional.Otherwise is null
                    ? new UndefinedValue("the conditional expression evaluated to false and has no else branch")
                    : Evaluate(conditional.Otherwise, scope);
            default:
                throw new TemplateRuntimeException($"internal error: unknown expression {expression.GetType().Name}");
        }
    }

    private TemplateValue? Optional(TemplateExpression? expression, Scope scope) => expression is null ? null : Evaluate(expression, scope);

    private (List<TemplateValue>, Dictionary<string, TemplateValue>) Arguments(IReadOnlyList<TemplateExpression> arguments,
        IReadOnlyList<(string Name, TemplateExpression Value)> keywordArguments, Scope scope)
    {
        var values = arguments.Select(a => Evaluate(a, scope)).ToList();
        var keywords = new Dictionary<string, TemplateValue>(StringComparer.Ordinal);
        foreach ((string name, TemplateExpression value) in keywordArguments)
        {
            keywords[name] = Evaluate(value, scope);
        }
        return (values, keywords);
    }

    private TemplateValue EvaluateCall(CallExpression call, Scope scope)
    {
        TemplateValue callee = Evaluate(call.Callee, scope);
        (List<TemplateValue> args, Dictionary<string, TemplateValue> kwargs) = Arguments(call.Arguments, call.KeywordArguments, scope);
        _line = call.Line;
        return callee switch
        {
            CallableValue function => function.Invoke(args, kwargs),
            UndefinedValue undefined => throw TemplateMembers.UndefinedError(undefined),
            _ => throw new TemplateRuntimeException($"'{callee.TypeName}' object is not callable"),
        };
    }

    private TemplateValue EvaluateBinary(BinaryExpression binary, Scope scope)
    {
        TemplateValue left = Evaluate(binary.Left, scope);
        switch (binary.Operator)
        {
            case "and":
                return left.IsTruthy ? Evaluate(binary.Right, scope) : left;
            case "or":
                return left.IsTruthy ? left : Evaluate(binary.Right, scope);
        }
        TemplateValue right = Evaluate(binary.Right, scope);
        _line = binary.Line;
        return TemplateOperators.Binary(binary.Operator, left, right);
    }

    /// <summary>Python iteration: list items, dict keys, string code points; undefined is empty; other types are an error.</summary>
    public static IEnumerable<TemplateValue> Iterate(TemplateValue value) => value switch
    {
        ListValue list => list.Items,
        DictValue dict => dict.Entries.Select(pair => pair.Key).ToList(),
        StringValue s => PythonText.CodePoints(s.Value).Select(point => (TemplateValue)new StringValue(point)).ToList(),
        UndefinedValue => [],
        _ => throw new TemplateRuntimeException($"'{value.TypeName}' object is not iterable"),
    };

    /// <summary>Python ordering (&lt;, &gt;) of numbers, strings (by code point) or lists; other pairs are a type error.</summary>
    public static int Compare(TemplateValue left, TemplateValue right) => TemplateOperators.Order(left, right);

    /// <summary>Python's <c>needle in container</c>.</summary>
    public static bool Contains(TemplateValue container, TemplateValue needle) => TemplateOperators.Contains(container, needle);
}
