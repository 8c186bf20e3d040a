// A parsed scalar LaTeX expression (numbers, + - * / ^, \frac, \sqrt, \pi, functions, letters) that evaluates
// exactly (rationals) where it can and in doubles otherwise. It is not a computer-algebra system.
using System.Globalization;
using System.Numerics;

namespace Alloy.Evaluation.Graders;

/// <summary>A value from evaluating an expression: exact when <see cref="IsExact"/>, else <see cref="Approximate"/>.</summary>
internal readonly struct MathNumber
{
    public Rational Exact { get; }
    public bool IsExact { get; }
    public double Approximate { get; }

    private MathNumber(Rational exact, bool isExact, double approximate)
    {
        Exact = exact;
        IsExact = isExact;
        Approximate = approximate;
    }

    public static MathNumber Of(Rational value) => new(value, true, value.ToDouble());
    public static MathNumber Of(double value) => new(default, false, value);
    public static readonly MathNumber Invalid = Of(double.NaN);
}

/// <summary>
/// A scalar expression tree. Grammar (whitespace ignored):
/// <code>
/// expr    := term (('+'|'-') term)*
/// term    := unary (('*'|'\cdot'|'\times'|'/'|'\div') unary | implicit-product power)*
/// unary   := ('-'|'+') unary | power
/// power   := postfix ('^' ('-'|'+')? power)?          (right-associative; '**' is read as '^')
/// postfix := primary ('!' | '%')*
/// primary := number [mixed \frac] | '(' expr ')' | '[' expr ']' | '{' expr '}' | '|' expr '|'
///          | \frac arg arg | \sqrt['[' expr ']'] arg | \pi | \infty | e | letter | \sin.. arg
/// arg     := '{' expr '}' | one digit | one letter | a command primary
/// </code>
/// A number directly followed by <c>\frac{p}{q}</c> of integer literals is a mixed number (1\frac{4}{5} = 9/5).
/// <c>e</c> is Euler's number; other single letters are variables, evaluated at fixed pseudo-random points so
/// that equal polynomials/expressions compare equal. Runs of three or more plain letters make the text
/// unparseable (it is a word, not a product). Nesting deeper than <see cref="MaxDepth"/> or input longer than
/// <see cref="MathAnswerNormalizer.MaxAnswerLength"/> fails the parse.
/// </summary>
internal sealed class MathExpression
{
    public const int MaxDepth = 48;
    public const int VariableCount = 52;

    private readonly Node _root;

    /// <summary>True when a literal had a decimal point or exponent (comparisons then use relative tolerance 1e-4).</summary>
    public bool HasDecimal { get; }
    /// <summary>True when a '%' appears (comparisons then also try the value without the /100).</summary>
    public bool HasPercent { get; }
    /// <summary>True when a letter variable appears (comparisons then evaluate at two points).</summary>
    public bool HasVariables { get; }

    private MathExpression(Node root, bool hasDecimal, bool hasPercent, bool hasVariables)
    {
        _root = root;
        HasDecimal = hasDecimal;
        HasPercent = hasPercent;
        HasVariables = hasVariables;
    }

    /// <summary>Evaluates with the given variable values (indexed a–z then A–Z); % divides by 100 when asked.</summary>
    public MathNumber Evaluate(ReadOnlySpan<double> variables, bool percentDividesBy100) =>
        _root.Evaluate(new EvaluationContext(variables, percentDividesBy100));

    /// <summary>Parses <paramref name="text"/> completely, or returns null.</summary>
    public static MathExpression? TryParse(string text)
    {
        if (text.Length == 0 || text.Length > MathAnswerNormalizer.MaxAnswerLength || HasWordRun(text)) return null;
        var parser = new Parser(text);
        var root = parser.ParseExpression();
        parser.SkipSpace();
        if (root is null || parser.Failed || parser.Position != text.Length) return null;
        return new MathExpression(root, parser.HasDecimal, parser.HasPercent, parser.HasVariables);
    }

    private static bool HasWordRun(string text)
    {
        int run = 0;
        bool inCommand = false;
        foreach (char c in text)
        {
            if (c == '\\') { inCommand = true; run = 0; continue; }
            if (char.IsAsciiLetter(c))
            {
                if (inCommand) continue;
                if (++run >= 3) return true;
            }
            else { inCommand = false; run = 0; }
        }
        return false;
    }

    private readonly ref struct EvaluationContext(ReadOnlySpan<double> variables, bool percentDividesBy100)
    {
        public ReadOnlySpan<double> Variables { get; } = variables;
        public bool PercentDividesBy100 { get; } = percentDividesBy100;
    }

    private abstract class Node
    {
        public abstract MathNumber Evaluate(in EvaluationContext context);
    }

    private sealed class NumberNode(Rational value) : Node
    {
        public Rational Value { get; } = value;
        public override MathNumber Evaluate(in EvaluationContext context) => MathNumber.Of(Value);
    }

    private sealed class ConstantNode(double value) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context) => MathNumber.Of(value);
    }

    private sealed class VariableNode(int index) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context) => MathNumber.Of(context.Variables[index]);
    }

    private sealed class NegateNode(Node operand) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context)
        {
            var v = operand.Evaluate(context);
            return v.IsExact ? MathNumber.Of(v.Exact.Negate()) : MathNumber.Of(-v.Approximate);
        }
    }

    private sealed class PercentNode(Node operand) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context)
        {
            var v = operand.Evaluate(context);
            if (!context.PercentDividesBy100) return v;
            if (v.IsExact && Rational.TryDivide(v.Exact, Rational.FromInteger(100), out var r)) return MathNumber.Of(r);
            return MathNumber.Of(v.Approximate / 100);
        }
    }

    private sealed class FactorialNode(Node operand) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context)
        {
            var v = operand.Evaluate(context);
            if (!v.IsExact || !v.Exact.IsInteger || v.Exact.Numerator.Sign < 0 || v.Exact.Numerator > 300) return MathNumber.Invalid;
            var product = BigInteger.One;
            for (int i = 2; i <= (int)v.Exact.Numerator; i++) product *= i;
            return MathNumber.Of(Rational.FromInteger(product));
        }
    }

    private sealed class BinaryNode(char op, Node left, Node right) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context)
        {
            var a = left.Evaluate(context);
            var b = right.Evaluate(context);
            if (a.IsExact && b.IsExact)
            {
                Rational r;
                bool ok;
                if (op == '+') ok = Rational.TryAdd(a.Exact, b.Exact, out r);
                else if (op == '-') ok = Rational.TrySubtract(a.Exact, b.Exact, out r);
                else if (op == '*') ok = Rational.TryMultiply(a.Exact, b.Exact, out r);
                else ok = Rational.TryDivide(a.Exact, b.Exact, out r);
                if (ok) return MathNumber.Of(r);
                if (op == '/' && b.Exact.IsZero) return MathNumber.Invalid;
            }
            double x = a.Approximate, y = b.Approximate;
            return MathNumber.Of(op switch { '+' => x + y, '-' => x - y, '*' => x * y, _ => y == 0 ? double.NaN : x / y });
        }
    }

    private sealed class PowerNode(Node baseNode, Node exponentNode) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context)
        {
            var b = baseNode.Evaluate(context);
            var e = exponentNode.Evaluate(context);
            if (b.IsExact && e.IsExact && e.Exact.IsInteger && BigInteger.Abs(e.Exact.Numerator) <= Rational.MaxBits
                && Rational.TryPower(b.Exact, (long)e.Exact.Numerator, out var exact))
                return MathNumber.Of(exact);
            if (b.IsExact && e.IsExact && e.Exact.Denominator == 2 && BigInteger.Abs(e.Exact.Numerator) <= 64
                && b.Exact.TrySquareRoot(out var root) && Rational.TryPower(root, (long)e.Exact.Numerator, out var viaRoot))
                return MathNumber.Of(viaRoot);
            return MathNumber.Of(Math.Pow(b.Approximate, e.Approximate));
        }
    }

    private sealed class RootNode(Node radicand, Node? index) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context)
        {
            var x = radicand.Evaluate(context);
            if (index is null)
            {
                if (x.IsExact && x.Exact.TrySquareRoot(out var r)) return MathNumber.Of(r);
                return MathNumber.Of(x.Approximate < 0 ? double.NaN : Math.Sqrt(x.Approximate));
            }
            var k = index.Evaluate(context).Approximate;
            double v = x.Approximate;
            if (v < 0 && Math.Abs(k % 2) == 1) return MathNumber.Of(-Math.Pow(-v, 1 / k));
            return MathNumber.Of(Math.Pow(v, 1 / k));
        }
    }

    private sealed class FunctionNode(string name, Node argument) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context)
        {
            double x = argument.Evaluate(context).Approximate;
            return MathNumber.Of(name switch
            {
                "sin" => Math.Sin(x),
                "cos" => Math.Cos(x),
                "tan" => Math.Tan(x),
                "cot" => 1 / Math.Tan(x),
                "sec" => 1 / Math.Cos(x),
                "csc" => 1 / Math.Sin(x),
                "arcsin" => Math.Asin(x),
                "arccos" => Math.Acos(x),
                "arctan" => Math.Atan(x),
                "ln" => Math.Log(x),
                "log" => Math.Log10(x),
                "exp" => Math.Exp(x),
                _ => double.NaN,
            });
        }
    }

    private sealed class AbsoluteNode(Node operand) : Node
    {
        public override MathNumber Evaluate(in EvaluationContext context)
        {
            var v = operand.Evaluate(context);
            if (v.IsExact) return MathNumber.Of(v.Exact.Numerator.Sign < 0 ? v.Exact.Negate() : v.Exact);
            return MathNumber.Of(Math.Abs(v.Approximate));
        }
    }

    private static readonly string[] FunctionNames =
        ["sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "ln", "log", "exp"];

    private sealed class Parser(string text)
    {
        private int _depth;

        public int Position { get; private set; }
        public bool Failed { get; private set; }
        public bool HasDecimal { get; private set; }
        public bool HasPercent { get; private set; }
        public bool HasVariables { get; private set; }

        private char Peek() => Position < text.Length ? text[Position] : '\0';

        public void SkipSpace()
        {
            while (Position < text.Length && text[Position] == ' ') Position++;
        }

        private Node? Fail()
        {
            Failed = true;
            return null;
        }

        public Node? ParseExpression()
        {
            if (++_depth > MaxDepth) return Fail();
            var left = ParseTerm();
            while (left is not null && !Failed)
            {
                SkipSpace();
                char c = Peek();
                if (c != '+' && c != '-') break;
                Position++;
                var right = ParseTerm();
                if (right is null) return Fail();
                left = new BinaryNode(c, left, right);
            }
            _depth--;
            return left;
        }

        private Node? ParseTerm()
        {
            var left = ParseUnary();
            while (left is not null && !Failed)
            {
                SkipSpace();
                char c = Peek();
                char op;
                if (c == '*' && !(Position + 1 < text.Length && text[Position + 1] == '*')) { Position++; op = '*'; }
                else if (c == '/') { Position++; op = '/'; }
                else if (c == '\\' && TryConsumeCommand("cdot", "times", "div") is { } command) op = command == "div" ? '/' : '*';
                else if (StartsImplicitFactor())
                {
                    var factor = ParsePower();
                    if (factor is null) return Fail();
                    left = new BinaryNode('*', left, factor);
                    continue;
                }
                else break;
                var right = ParseUnary();
                if (right is null) return Fail();
                left = new BinaryNode(op, left, right);
            }
            return left;
        }

        private string? TryConsumeCommand(params string[] names)
        {
            int end = Position + 1;
            while (end < text.Length && char.IsAsciiLetter(text[end])) end++;
            var name = text.AsSpan(Position + 1, end - Position - 1);
            foreach (string candidate in names)
            {
                if (name.SequenceEqual(candidate))
                {
                    Position = end;
                    return candidate;
                }
            }
            return null;
        }

        private bool StartsImplicitFactor()
        {
            char c = Peek();
            if (char.IsAsciiDigit(c) || char.IsAsciiLetter(c) || c == '(' || c == '{' || c == '.') return true;
            if (c != '\\') return false;
            int end = Position + 1;
            while (end < text.Length && char.IsAsciiLetter(text[end])) end++;
            var name = text.AsSpan(Position + 1, end - Position - 1);
            return name is "frac" or "sqrt" or "pi" or "infty" || IsFunctionName(name);
        }

        private static bool IsFunctionName(ReadOnlySpan<char> name)
        {
            foreach (string f in FunctionNames) if (name.SequenceEqual(f)) return true;
            return false;
        }

        private Node? ParseUnary()
        {
            if (++_depth > MaxDepth) return Fail();
            SkipSpace();
            Node? result;
            char c = Peek();
            if (c == '-' || c == '+')
            {
                Position++;
                var operand = ParseUnary();
                result = operand is null ? null : c == '-' ? new NegateNode(operand) : operand;
            }
            else result = ParsePower();
            _depth--;
            return result;
        }

        private Node? ParsePower()
        {
            if (++_depth > MaxDepth) return Fail();
            var baseNode = ParsePostfix();
            if (baseNode is null) return Fail();
            SkipSpace();
            bool caret = Peek() == '^';
            bool doubleStar = !caret && Peek() == '*' && Position + 1 < text.Length && text[Position + 1] == '*';
            if (caret || doubleStar)
            {
                Position += caret ? 1 : 2;
                SkipSpace();
                bool negative = false;
                if (Peek() == '-' || Peek() == '+') { negative = Peek() == '-'; Position++; }
                var exponent = ParsePower();
                if (exponent is null) return Fail();
                baseNode = new PowerNode(baseNode, negative ? new NegateNode(exponent) : exponent);
            }
            _depth--;
            return baseNode;
        }

        private Node? ParsePostfix()
        {
            var node = ParsePrimary();
            while (node is not null)
            {
                SkipSpace();
                char c = Peek();
                if (c == '!' && !(Position + 1 < text.Length && text[Position + 1] == '=')) { Position++; node = new FactorialNode(node); }
                else if (c == '%') { Position++; HasPercent = true; node = new PercentNode(node); }
                else break;
            }
            return node;
        }

        private Node? ParsePrimary()
        {
            if (++_depth > MaxDepth) return Fail();
            SkipSpace();
            char c = Peek();
            Node? result;
            if (char.IsAsciiDigit(c) || (c == '.' && Position + 1 < text.Length && char.IsAsciiDigit(text[Position + 1])))
                result = ParseNumberWithMixedFraction();
            else if (c is '(' or '[' or '{') result = ParseGroup(c == '(' ? ')' : c == '[' ? ']' : '}');
            else if (c == '|') result = ParseAbsolute();
            else if (c == '\\') result = ParseCommand();
            else if (char.IsAsciiLetter(c))
            {
                Position++;
                if (c == 'e') result = new ConstantNode(Math.E);
                else
                {
                    HasVariables = true;
                    result = new VariableNode(c <= 'Z' ? 26 + (c - 'A') : c - 'a');
                }
            }
            else result = Fail();
            _depth--;
            return result;
        }

        /// <summary>Parses "(expr)", "[expr]" or "{expr}" starting at the opening character.</summary>
        private Node? ParseGroup(char close)
        {
            Position++;
            var inner = ParseExpression();
            SkipSpace();
            if (inner is null || Peek() != close) return Fail();
            Position++;
            return inner;
        }

        private Node? ParseAbsolute()
        {
            Position++;
            var inner = ParseExpression();
            SkipSpace();
            if (inner is null || Peek() != '|') return Fail();
            Position++;
            return new AbsoluteNode(inner);
        }

        private Node? ParseCommand()
        {
            int start = Position;
            int end = Position + 1;
            while (end < text.Length && char.IsAsciiLetter(text[end])) end++;
            string name = text[(Position + 1)..end];
            Position = end;
            switch (name)
            {
                case "frac":
                    {
                        var numerator = ParseArgument();
                        var denominator = numerator is null ? null : ParseArgument();
                        return denominator is null ? Fail() : new BinaryNode('/', numerator!, denominator);
                    }
                case "sqrt":
                    {
                        SkipSpace();
                        Node? index = null;
                        if (Peek() == '[')
                        {
                            index = ParseGroup(']');
                            if (index is null) return Fail();
                        }
                        var radicand = ParseArgument();
                        return radicand is null ? Fail() : new RootNode(radicand, index);
                    }
                case "pi": return new ConstantNode(Math.PI);
                case "infty": return new ConstantNode(double.PositiveInfinity);
                default:
                    if (IsFunctionName(name))
                    {
                        SkipSpace();
                        var argument = Peek() == '(' ? ParseGroup(')') : ParsePower();
                        return argument is null ? Fail() : new FunctionNode(name, argument);
                    }
                    Position = start;
                    return Fail();
            }
        }

        private Node? ParseArgument()
        {
            if (++_depth > MaxDepth) return Fail();
            SkipSpace();
            char c = Peek();
            Node? result;
            if (c == '{') result = ParseGroup('}');
            else if (char.IsAsciiDigit(c)) { Position++; result = new NumberNode(Rational.FromInteger(c - '0')); }
            else if (char.IsAsciiLetter(c) || c == '\\') result = ParsePrimary();
            else result = Fail();
            _depth--;
            return result;
        }

        private Node? ParseNumberWithMixedFraction()
        {
            int start = Position;
            var number = ParseNumber();
            if (number is not NumberNode whole || !whole.Value.IsInteger || text.AsSpan(start, Position - start).Contains('.')) return number;
            int afterNumber = Position;
            SkipSpace();
            if (Peek() == '\\' && TryConsumeCommand("frac") is not null)
            {
                bool failedBefore = Failed;
                var numerator = ParseArgument();
                var denominator = numerator is null ? null : ParseArgument();
                if (numerator is NumberNode p && denominator is NumberNode q && p.Value.IsInteger && q.Value.IsInteger
                    && !q.Value.IsZero && Rational.TryDivide(p.Value, q.Value, out var fraction)
                    && Rational.TryAdd(whole.Value, fraction, out var mixed))
                    return new NumberNode(mixed);
                Failed = failedBefore;
            }
            Position = afterNumber;
            return number;
        }

        private Node? ParseNumber()
        {
            int start = Position;
            while (Position < text.Length && char.IsAsciiDigit(text[Position])) Position++;
            int integerEnd = Position;
            int fractionStart = Position, fractionEnd = Position;
            if (Peek() == '.' && Position + 1 < text.Length && char.IsAsciiDigit(text[Position + 1]))
            {
                Position++;
                fractionStart = Position;
                while (Position < text.Length && char.IsAsciiDigit(text[Position])) Position++;
                fractionEnd = Position;
                HasDecimal = true;
            }
            else if (Peek() == '.' && integerEnd > start && !(Position + 1 < text.Length && char.IsAsciiLetter(text[Position + 1])))
            {
                Position++; // "5." is 5
            }
            long exponent = 0;
            if ((Peek() == 'e' || Peek() == 'E') && integerEnd > start)
            {
                int p = Position + 1;
                bool negative = false;
                if (p < text.Length && (text[p] == '-' || text[p] == '+')) { negative = text[p] == '-'; p++; }
                int digitsStart = p;
                while (p < text.Length && char.IsAsciiDigit(text[p])) p++;
                if (p > digitsStart && p - digitsStart <= 4)
                {
                    exponent = long.Parse(text.AsSpan(digitsStart, p - digitsStart), CultureInfo.InvariantCulture);
                    if (negative) exponent = -exponent;
                    Position = p;
                    HasDecimal = true;
                }
            }
            var digits = string.Concat(text.AsSpan(start, integerEnd - start), text.AsSpan(fractionStart, fractionEnd - fractionStart));
            if (digits.Length == 0 || digits.Length > 1000) return Fail();
            var mantissa = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            long scale = exponent - (fractionEnd - fractionStart);
            if (Math.Abs(scale) > 400)
            {
                double approximate = (double)mantissa * Math.Pow(10, scale);
                return new ConstantNode(approximate);
            }
            var power = BigInteger.Pow(10, (int)Math.Abs(scale));
            if (!Rational.TryCreate(scale >= 0 ? mantissa * power : mantissa, scale >= 0 ? BigInteger.One : power, out var value))
                return Fail();
            return new NumberNode(value);
        }
    }
}
