// Builds the syntax tree from lexer tokens, following jinja2's grammar and operator precedence.
// It checks filter and test names up front (as jinja2 does at compile time); it does not evaluate anything.
using System.Globalization;

namespace Alloy.Inference.Templates;

/// <summary>
/// Recursive-descent parser for the jinja2 subset chat templates use. Precedence, loosest first:
/// <c>x if c else y</c>, <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>,
/// <c>* / // %</c>, <c>**</c>, unary <c>- +</c>, then postfix (<c>.a</c>, <c>[i]</c>, <c>(args)</c>), filters and tests.
/// </summary>
internal sealed class TemplateParser
{
    private static readonly HashSet<string> TestArgumentStarts = ["(", "[", "{"];

    private readonly string _name;
    private readonly List<Token> _tokens;
    private int _index;
    private int _loopDepth;

    private TemplateParser(string name, List<Token> tokens)
    {
        _name = name;
        _tokens = tokens;
    }

    /// <summary>Parses a whole template into its top-level statements.</summary>
    public static IReadOnlyList<TemplateStatement> Parse(string name, string source)
    {
        var parser = new TemplateParser(name, TemplateLexer.Tokenize(name, source));
        (List<TemplateStatement> body, _) = parser.ParseBody([]);
        new FilterAndTestNameCheck(name).Check(body, soft: false);
        return body;
    }

    // jinja2 rejects an unknown filter or test at compile time, except inside an {% if %} (its test and bodies)
    // or a conditional expression, where the error waits until the filter is actually applied. Loop and macro
    // bodies start a fresh frame, so the exception does not reach into them.
    private sealed class FilterAndTestNameCheck(string templateName)
    {
        public void Check(IReadOnlyList<TemplateStatement> statements, bool soft)
        {
            foreach (TemplateStatement statement in statements)
            {
                switch (statement)
                {
                    case OutputStatement output:
                        Check(output.Expression, soft);
                        break;
                    case IfStatement branch:
                        foreach ((TemplateExpression condition, IReadOnlyList<TemplateStatement> body) in branch.Branches)
                        {
                            Check(condition, soft: true);
                            Check(body, soft: true);
                        }
                        Check(branch.ElseBody, soft: true);
                        break;
                    case ForStatement loop:
                        Check(loop.Iterable, soft);
                        if (loop.Filter is not null)
                        {
                            Check(loop.Filter, soft: false);
                        }
                        Check(loop.Body, soft: false);
                        Check(loop.ElseBody, soft: false);
                        break;
                    case SetStatement set:
                        Check(set.Value, soft);
                        break;
                    case SetBlockStatement setBlock:
                        Check(setBlock.Body, soft);
                        break;
                    case MacroStatement macro:
                        foreach ((_, TemplateExpression? defaultValue) in macro.Parameters)
                        {
                            if (defaultValue is not null)
                            {
                                Check(defaultValue, soft: false);
                            }
                        }
                        Check(macro.Body, soft: false);
                        break;
                    case GroupStatement group:
                        Check(group.Body, soft: false);
                        break;
                    default:
                        break;
                }
            }
        }

        private void Check(TemplateExpression expression, bool soft)
        {
            switch (expression)
            {
                case FilterExpression filter:
                    if (!soft && !TemplateFilters.IsKnown(filter.Name))
                    {
                        throw new ChatTemplateException(templateName, filter.Line, filter.Column,
                            $"unknown filter '{filter.Name}' (supported: {string.Join(", ", TemplateFilters.Names)})");
                    }
                    Check(filter.Value, soft);
                    CheckAll(filter.Arguments, soft);
                    CheckAll(filter.KeywordArguments.Select(k => k.Value), soft);
                    break;
                case TestExpression test:
                    if (!soft && !TemplateTests.IsKnown(test.Name))
                    {
                        throw new ChatTemplateException(templateName, test.Line, test.Column,
                            $"unknown test '{test.Name}' (supported: {string.Join(", ", TemplateTests.Names)})");
                    }
                    Check(test.Value, soft);
                    CheckAll(test.Arguments, soft);
                    break;
                case ConditionalExpression conditional:
                    Check(conditional.Condition, soft: true);
                    Check(conditional.Then, soft: true);
                    if (conditional.Otherwise is not null)
                    {
                        Check(conditional.Otherwise, soft: true);
                    }
                    break;
                case ListExpression list:
                    CheckAll(list.Items, soft);
                    break;
                case DictExpression dict:
                    foreach ((TemplateExpression key, TemplateExpression value) in dict.Entries)
                    {
                        Check(key, soft);
                        Check(value, soft);
                    }
                    break;
                case AttributeExpression attribute:
                    Check(attribute.Target, soft);
                    break;
                case IndexExpression index:
                    Check(index.Target, soft);
                    Check(index.Index, soft);
                    break;
                case SliceExpression slice:
                    Check(slice.Target, soft);
                    CheckAll(new[] { slice.Start, slice.Stop, slice.Step }.OfType<TemplateExpression>(), soft);
                    break;
                case CallExpression call:
                    Check(call.Callee, soft);
                    CheckAll(call.Arguments, soft);
                    CheckAll(call.KeywordArguments.Select(k => k.Value), soft);
                    break;
                case UnaryExpression unary:
                    Check(unary.Operand, soft);
                    break;
                case BinaryExpression binary:
                    Check(binary.Left, soft);
                    Check(binary.Right, soft);
                    break;
                case CompareExpression compare:
                    Check(compare.First, soft);
                    CheckAll(compare.Rest.Select(r => r.Operand), soft);
                    break;
                default:
                    break;
            }
        }

        private void CheckAll(IEnumerable<TemplateExpression> expressions, bool soft)
        {
            foreach (TemplateExpression expression in expressions)
            {
                Check(expression, soft);
            }
        }
    }

    private Token Current => _tokens[_index];

    private Token Next()
    {
        Token token = _tokens[_index];
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }
        return token;
    }

    private ChatTemplateException Error(Token at, string detail) => new(_name, at.Line, at.Column, detail);

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.EndOfSource => "end of template",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.String => "a string",
        _ => $"'{token.Value}'",
    };

    private bool IsOperator(string op) => Current.Kind == TokenKind.Operator && Current.Value == op;

    private bool IsName(string name) => Current.Kind == TokenKind.Name && Current.Value == name;

    private bool SkipOperator(string op)
    {
        if (IsOperator(op))
        {
            Next();
            return true;
        }
        return false;
    }

    private bool SkipName(string name)
    {
        if (IsName(name))
        {
            Next();
            return true;
        }
        return false;
    }

    private void ExpectOperator(string op)
    {
        if (!SkipOperator(op))
        {
            throw Error(Current, $"expected '{op}' but found {Describe(Current)}");
        }
    }

    private string ExpectName(string what)
    {
        if (Current.Kind != TokenKind.Name)
        {
            throw Error(Current, $"expected {what} but found {Describe(Current)}");
        }
        return Next().Value;
    }

    private void ExpectBlockEnd(string tag)
    {
        if (Current.Kind != TokenKind.BlockEnd)
        {
            throw Error(Current, $"expected '%}}' to close '{{% {tag} %}}' but found {Describe(Current)}");
        }
        Next();
    }

    // Parses statements until a block tag whose name is in endTags; returns that name with the tag's name consumed.
    private (List<TemplateStatement> Body, string EndTag) ParseBody(string[] endTags)
    {
        var body = new List<TemplateStatement>();
        while (true)
        {
            Token token = Current;
            switch (token.Kind)
            {
                case TokenKind.Text:
                    Next();
                    body.Add(new TextStatement(token.Line, token.Value));
                    break;
                case TokenKind.VariableBegin:
                    Next();
                    TemplateExpression expression = ParseTuple(withCondition: true);
                    if (Current.Kind != TokenKind.VariableEnd)
                    {
                        throw Error(Current, $"expected '}}}}' but found {Describe(Current)}");
                    }
                    Next();
                    body.Add(new OutputStatement(token.Line, expression));
                    break;
                case TokenKind.BlockBegin:
                    Next();
                    Token tag = Current;
                    string tagName = ExpectName("a tag name after '{%'");
                    if (endTags.Contains(tagName))
                    {
                        return (body, tagName);
                    }
                    body.Add(ParseStatement(tag));
                    break;
                case TokenKind.EndOfSource:
                    if (endTags.Length > 0)
                    {
                        throw Error(token, $"unexpected end of template: expected {string.Join(" or ", endTags.Select(t => "'{% " + t + " %}'"))}");
                    }
                    return (body, string.Empty);
                default:
                    throw Error(token, $"unexpected {Describe(token)}");
            }
        }
    }

    private TemplateStatement ParseStatement(Token tag)
    {
        switch (tag.Value)
        {
            case "if":
                return ParseIf(tag);
            case "for":
                return ParseFor(tag);
            case "set":
                return ParseSet(tag);
            case "macro":
                return ParseMacro(tag);
            case "break":
            case "continue":
                if (_loopDepth == 0)
                {
                    throw Error(tag, $"'{{% {tag.Value} %}}' outside a for loop");
                }
                ExpectBlockEnd(tag.Value);
                return new LoopControlStatement(tag.Line, tag.Value == "break");
            case "generation":
                ExpectBlockEnd(tag.Value);
                (List<TemplateStatement> body, _) = ParseBody(["endgeneration"]);
                ExpectBlockEnd("endgeneration");
                return new GroupStatement(tag.Line, body);
            case "endif" or "endfor" or "endset" or "endmacro" or "else" or "elif" or "endgeneration":
                throw Error(tag, $"'{{% {tag.Value} %}}' without a matching opening tag");
            default:
                throw Error(tag, $"unsupported tag '{{% {tag.Value} %}}' (supported: if, for, set, macro, break, continue, generation)");
        }
    }

    private IfStatement ParseIf(Token tag)
    {
        var branches = new List<(TemplateExpression, IReadOnlyList<TemplateStatement>)>();
        TemplateExpression condition = ParseTuple(withCondition: true);
        ExpectBlockEnd("if");
        while (true)
        {
            (List<TemplateStatement> body, string end) = ParseBody(["elif", "else", "endif"]);
            branches.Add((condition, body));
            if (end == "elif")
            {
                condition = ParseTuple(withCondition: true);
                ExpectBlockEnd("elif");
                continue;
            }
            if (end == "else")
            {
                ExpectBlockEnd("else");
                (List<TemplateStatement> elseBody, _) = ParseBody(["endif"]);
                ExpectBlockEnd("endif");
                return new IfStatement(tag.Line, branches, elseBody);
            }
            ExpectBlockEnd("endif");
            return new IfStatement(tag.Line, branches, []);
        }
    }

    private ForStatement ParseFor(Token tag)
    {
        var targets = new List<string> { ExpectName("a loop variable name") };
        while (SkipOperator(","))
        {
            targets.Add(ExpectName("a loop variable name"));
        }
        if (!SkipName("in"))
        {
            throw Error(Current, $"expected 'in' in '{{% for %}}' but found {Describe(Current)}");
        }
        TemplateExpression iterable = ParseTuple(withCondition: false);
        TemplateExpression? filter = SkipName("if") ? ParseExpression(withCondition: true) : null;
        if (IsName("recursive"))
        {
            throw Error(Current, "recursive loops are not supported");
        }
        ExpectBlockEnd("for");
        _loopDepth++;
        (List<TemplateStatement> body, string end) = ParseBody(["else", "endfor"]);
        _loopDepth--;
        List<TemplateStatement> elseBody = [];
        if (end == "else")
        {
            ExpectBlockEnd("else");
            (elseBody, _) = ParseBody(["endfor"]);
        }
        ExpectBlockEnd("endfor");
        return new ForStatement(tag.Line, targets, iterable, filter, body, elseBody);
    }

    private TemplateStatement ParseSet(Token tag)
    {
        string first = ExpectName("a variable name after 'set'");
        if (SkipOperator("."))
        {
            string attribute = ExpectName("an attribute name");
            ExpectOperator("=");
            TemplateExpression value = ParseTuple(withCondition: true);
            ExpectBlockEnd("set");
            return new SetStatement(tag.Line, [attribute], first, value);
        }
        var targets = new List<string> { first };
        while (SkipOperator(","))
        {
            targets.Add(ExpectName("a variable name"));
        }
        if (SkipOperator("="))
        {
            TemplateExpression value = ParseTuple(withCondition: true);
            ExpectBlockEnd("set");
            return new SetStatement(tag.Line, targets, null, value);
        }
        if (targets.Count == 1 && Current.Kind == TokenKind.BlockEnd)
        {
            Next();
            (List<TemplateStatement> body, _) = ParseBody(["endset"]);
            ExpectBlockEnd("endset");
            return new SetBlockStatement(tag.Line, first, body);
        }
        throw Error(Current, $"expected '=' in '{{% set %}}' but found {Describe(Current)}");
    }

    private MacroStatement ParseMacro(Token tag)
    {
        string name = ExpectName("a macro name");
        var parameters = new List<(string, TemplateExpression?)>();
        ExpectOperator("(");
        while (!IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
            }
            string parameter = ExpectName("a parameter name");
            TemplateExpression? defaultValue = SkipOperator("=") ? ParseExpression(withCondition: true) : null;
            parameters.Add((parameter, defaultValue));
        }
        Next();
        ExpectBlockEnd("macro");
        int enclosingLoops = _loopDepth;
        _loopDepth = 0;
        (List<TemplateStatement> body, _) = ParseBody(["endmacro"]);
        _loopDepth = enclosingLoops;
        ExpectBlockEnd("endmacro");
        return new MacroStatement(tag.Line, name, parameters, body);
    }

    // An expression, or a comma-separated tuple of them (which becomes a list value).
    private TemplateExpression ParseTuple(bool withCondition)
    {
        int line = Current.Line;
        TemplateExpression first = ParseExpression(withCondition);
        if (!IsOperator(","))
        {
            return first;
        }
        var items = new List<TemplateExpression> { first };
        while (SkipOperator(","))
        {
            if (Current.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd || IsOperator(")") || IsOperator("="))
            {
                break;
            }
            items.Add(ParseExpression(withCondition));
        }
        return new ListExpression(line, items, IsTuple: true);
    }

    private TemplateExpression ParseExpression(bool withCondition) => withCondition ? ParseConditional() : ParseOr();

    private TemplateExpression ParseConditional()
    {
        TemplateExpression result = ParseOr();
        while (IsName("if"))
        {
            int line = Next().Line;
            TemplateExpression condition = ParseOr();
            TemplateExpression? otherwise = SkipName("else") ? ParseConditional() : null;
            result = new ConditionalExpression(line, condition, result, otherwise);
        }
        return result;
    }

    private TemplateExpression ParseOr()
    {
        TemplateExpression left = ParseAnd();
        while (IsName("or"))
        {
            int line = Next().Line;
            left = new BinaryExpression(line, "or", left, ParseAnd());
        }
        return left;
    }

    private TemplateExpression ParseAnd()
    {
        TemplateExpression left = ParseNot();
        while (IsName("and"))
        {
            int line = Next().Line;
            left = new BinaryExpression(line, "and", left, ParseNot());
        }
        return left;
    }

    private TemplateExpression ParseNot()
    {
        if (IsName("not"))
        {
            int line = Next().Line;
            return new UnaryExpression(line, "not", ParseNot());
        }
        return ParseCompare();
    }

    private TemplateExpression ParseCompare()
    {
        int line = Current.Line;
        TemplateExpression first = ParseAdditive();
        var rest = new List<(string, TemplateExpression)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && Current.Value is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                string op = Next().Value;
                rest.Add((op, ParseAdditive()));
            }
            else if (IsName("in"))
            {
                Next();
                rest.Add(("in", ParseAdditive()));
            }
            else if (IsName("not") && _tokens[_index + 1] is { Kind: TokenKind.Name, Value: "in" })
            {
                Next();
                Next();
                rest.Add(("not in", ParseAdditive()));
            }
            else
            {
                break;
            }
        }
        return rest.Count == 0 ? first : new CompareExpression(line, first, rest);
    }

    private TemplateExpression ParseAdditive()
    {
        TemplateExpression left = ParseConcat();
        while (IsOperator("+") || IsOperator("-"))
        {
            Token op = Next();
            left = new BinaryExpression(op.Line, op.Value, left, ParseConcat());
        }
        return left;
    }

    private TemplateExpression ParseConcat()
    {
        TemplateExpression left = ParseMultiplicative();
        while (IsOperator("~"))
        {
            Token op = Next();
            left = new BinaryExpression(op.Line, "~", left, ParseMultiplicative());
        }
        return left;
    }

    private TemplateExpression ParseMultiplicative()
    {
        TemplateExpression left = ParsePower();
        while (Current.Kind == TokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            Token op = Next();
            left = new BinaryExpression(op.Line, op.Value, left, ParsePower());
        }
        return left;
    }

    private TemplateExpression ParsePower()
    {
        TemplateExpression left = ParseUnary(withFilter: true);
        while (IsOperator("**"))
        {
            Token op = Next();
            left = new BinaryExpression(op.Line, "**", left, ParseUnary(withFilter: true));
        }
        return left;
    }

    private TemplateExpression ParseUnary(bool withFilter)
    {
        TemplateExpression node;
        if (IsOperator("-") || IsOperator("+"))
        {
            Token op = Next();
            node = new UnaryExpression(op.Line, op.Value, ParseUnary(withFilter: false));
        }
        else
        {
            node = ParsePrimary();
        }
        node = ParsePostfix(node);
        return withFilter ? ParseFilterAndTest(node) : node;
    }

    private TemplateExpression ParsePrimary()
    {
        Token token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                Next();
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpression(token.Line, TemplateValue.True),
                    "false" or "False" => new LiteralExpression(token.Line, TemplateValue.False),
                    "none" or "None" => new LiteralExpression(token.Line, TemplateValue.None),
                    _ => new NameExpression(token.Line, token.Value),
                };
            case TokenKind.String:
                Next();
                string text = token.Value;
                while (Current.Kind == TokenKind.String)
                {
                    text += Next().Value;
                }
                return new LiteralExpression(token.Line, new StringValue(text));
            case TokenKind.Integer:
                Next();
                if (!long.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long integer))
                {
                    throw Error(token, $"integer literal {token.Value} is too large (64-bit integers are supported)");
                }
                return new LiteralExpression(token.Line, new IntegerValue(integer));
            case TokenKind.Float:
                Next();
                return new LiteralExpression(token.Line, new FloatValue(double.Parse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture)));
            case TokenKind.Operator when token.Value == "(":
                Next();
                if (SkipOperator(")"))
                {
                    return new ListExpression(token.Line, [], IsTuple: true);
                }
                TemplateExpression inner = ParseTuple(withCondition: true);
                ExpectOperator(")");
                return inner;
            case TokenKind.Operator when token.Value == "[":
                Next();
                var items = new List<TemplateExpression>();
                while (!IsOperator("]"))
                {
                    if (items.Count > 0)
                    {
                        ExpectOperator(",");
                        if (IsOperator("]"))
                        {
                            break;
                        }
                    }
                    items.Add(ParseExpression(withCondition: true));
                }
                Next();
                return new ListExpression(token.Line, items, IsTuple: false);
            case TokenKind.Operator when token.Value == "{":
                Next();
                var entries = new List<(TemplateExpression, TemplateExpression)>();
                while (!IsOperator("}"))
                {
                    if (entries.Count > 0)
                    {
                        ExpectOperator(",");
                        if (IsOperator("}"))
                        {
                            break;
                        }
                    }
                    TemplateExpression key = ParseExpression(withCondition: true);
                    ExpectOperator(":");
                    entries.Add((key, ParseExpression(withCondition: true)));
                }
                Next();
                return new DictExpression(token.Line, entries);
            default:
                throw Error(token, $"unexpected {Describe(token)} where an expression was expected");
        }
    }

    private TemplateExpression ParsePostfix(TemplateExpression node)
    {
        while (true)
        {
            if (IsOperator("."))
            {
                Token dot = Next();
                Token attribute = Next();
                node = attribute.Kind switch
                {
                    TokenKind.Name => new AttributeExpression(dot.Line, node, attribute.Value),
                    TokenKind.Integer => new IndexExpression(dot.Line, node,
                        new LiteralExpression(dot.Line, new IntegerValue(long.Parse(attribute.Value, CultureInfo.InvariantCulture)))),
                    _ => throw Error(attribute, $"expected an attribute name after '.' but found {Describe(attribute)}"),
                };
            }
            else if (IsOperator("["))
            {
                Token bracket = Next();
                node = ParseSubscript(bracket.Line, node);
                ExpectOperator("]");
            }
            else if (IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private TemplateExpression ParseSubscript(int line, TemplateExpression target)
    {
        TemplateExpression? start = null;
        if (!SkipOperator(":"))
        {
            TemplateExpression index = ParseExpression(withCondition: true);
            if (!SkipOperator(":"))
            {
                return new IndexExpression(line, target, index);
            }
            start = index;
        }
        TemplateExpression? stop = null;
        if (!IsOperator(":") && !IsOperator("]") && !IsOperator(","))
        {
            stop = ParseExpression(withCondition: true);
        }
        TemplateExpression? step = null;
        if (SkipOperator(":") && !IsOperator("]") && !IsOperator(","))
        {
            step = ParseExpression(withCondition: true);
        }
        return new SliceExpression(line, target, start, stop, step);
    }

    private (List<TemplateExpression>, List<(string, TemplateExpression)>) ParseArguments()
    {
        ExpectOperator("(");
        var arguments = new List<TemplateExpression>();
        var keywords = new List<(string, TemplateExpression)>();
        while (!IsOperator(")"))
        {
            if (arguments.Count + keywords.Count > 0)
            {
                ExpectOperator(",");
                if (IsOperator(")"))
                {
                    break;
                }
            }
            if (Current.Kind == TokenKind.Name && _tokens[_index + 1] is { Kind: TokenKind.Operator, Value: "=" })
            {
                string name = Next().Value;
                Next();
                keywords.Add((name, ParseExpression(withCondition: true)));
            }
            else
            {
                if (keywords.Count > 0)
                {
                    throw Error(Current, "a positional argument cannot follow a keyword argument");
                }
                arguments.Add(ParseExpression(withCondition: true));
            }
        }
        Next();
        return (arguments, keywords);
    }

    private CallExpression ParseCall(TemplateExpression callee)
    {
        int line = Current.Line;
        (List<TemplateExpression> arguments, List<(string, TemplateExpression)> keywords) = ParseArguments();
        return new CallExpression(line, callee, arguments, keywords);
    }

    private TemplateExpression ParseFilterAndTest(TemplateExpression node)
    {
        while (true)
        {
            if (IsOperator("|"))
            {
                Next();
                Token nameToken = Current;
                string name = ExpectName("a filter name after '|'");
                (List<TemplateExpression> arguments, List<(string, TemplateExpression)> keywords) = IsOperator("(") ? ParseArguments() : ([], []);
                node = new FilterExpression(nameToken.Line, nameToken.Column, node, name, arguments, keywords);
            }
            else if (IsName("is"))
            {
                Next();
                bool negated = SkipName("not");
                Token nameToken = Current;
                string name = ExpectName("a test name after 'is'");
                List<TemplateExpression> arguments = [];
                if (IsOperator("("))
                {
                    (arguments, _) = ParseArguments();
                }
                else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float ||
                          (Current.Kind == TokenKind.Operator && TestArgumentStarts.Contains(Current.Value))) &&
                         !IsName("else") && !IsName("or") && !IsName("and"))
                {
                    if (IsName("is"))
                    {
                        throw Error(Current, "tests cannot be chained with 'is'");
                    }
                    arguments = [ParsePostfix(ParsePrimary())];
                }
                node = new TestExpression(nameToken.Line, nameToken.Column, node, name, arguments, negated);
            }
            else if (IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }
}
