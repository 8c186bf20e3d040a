// Splits a chat template into text and tag tokens with jinja2's whitespace rules as transformers configures them
// (trim_blocks, lstrip_blocks, no trailing newline kept). It does not parse: TemplateParser builds the tree.
using System.Globalization;
using System.Text;

namespace Alloy.Inference.Templates;

/// <summary>The kinds of token the lexer produces.</summary>
internal enum TokenKind
{
    /// <summary>Literal template text outside tags (already whitespace-controlled).</summary>
    Text,
    /// <summary><c>{{</c></summary>
    VariableBegin,
    /// <summary><c>}}</c></summary>
    VariableEnd,
    /// <summary><c>{%</c></summary>
    BlockBegin,
    /// <summary><c>%}</c></summary>
    BlockEnd,
    /// <summary>An identifier or keyword.</summary>
    Name,
    /// <summary>A string literal, with escapes decoded.</summary>
    String,
    /// <summary>An integer literal.</summary>
    Integer,
    /// <summary>A float literal.</summary>
    Float,
    /// <summary>An operator or punctuation.</summary>
    Operator,
    /// <summary>End of the source.</summary>
    EndOfSource,
}

/// <summary>One token with its 1-based position in the (newline-normalised) source.</summary>
internal readonly record struct Token(TokenKind Kind, string Value, int Line, int Column);

/// <summary>
/// jinja2's lexer for the settings transformers uses: <c>trim_blocks</c> drops the first newline after a block or
/// comment tag; <c>lstrip_blocks</c> drops spaces and tabs between a line start and a block or comment tag;
/// <c>{%-</c>/<c>-%}</c> (and the <c>{{</c>, <c>{#</c> forms) strip all whitespace on that side; <c>+</c> keeps it;
/// newlines are normalised to <c>\n</c> and one trailing newline of the source is dropped.
/// </summary>
internal sealed class TemplateLexer
{
    private static readonly string[] Operators =
        ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", ";"];

    private readonly string _name;
    private readonly string _source;
    private readonly List<int> _lineStarts = [0];
    private readonly List<Token> _tokens = [];

    private TemplateLexer(string name, string source)
    {
        _name = name;
        string normalized = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (normalized.EndsWith('\n'))
        {
            normalized = normalized[..^1];
        }
        _source = normalized;
        for (int i = 0; i < _source.Length; i++)
        {
            if (_source[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>Tokenizes a template; throws <see cref="ChatTemplateException"/> with line and column on bad syntax.</summary>
    public static List<Token> Tokenize(string name, string source)
    {
        var lexer = new TemplateLexer(name, source);
        lexer.Run();
        return lexer._tokens;
    }

    private (int Line, int Column) Position(int offset)
    {
        int index = _lineStarts.BinarySearch(offset);
        if (index < 0)
        {
            index = ~index - 1;
        }
        return (index + 1, offset - _lineStarts[index] + 1);
    }

    private ChatTemplateException Error(int offset, string detail)
    {
        (int line, int column) = Position(offset);
        return new ChatTemplateException(_name, line, column, detail);
    }

    private void Add(TokenKind kind, string value, int offset)
    {
        (int line, int column) = Position(offset);
        _tokens.Add(new Token(kind, value, line, column));
    }

    private void Run()
    {
        int position = 0;
        bool lineStarting = true;
        while (position < _source.Length)
        {
            int tagStart = FindTagStart(position);
            if (tagStart < 0)
            {
                Add(TokenKind.Text, _source[position..], position);
                break;
            }
            string text = _source[position..tagStart];
            char tagChar = _source[tagStart + 1];
            int inner = tagStart + 2;
            char sign = inner < _source.Length ? _source[inner] : '\0';
            if (sign == '-')
            {
                text = PythonText.Strip(text, null, left: false, right: true);
                inner++;
            }
            else if (sign == '+')
            {
                inner++;
            }
            else if (tagChar != '{')
            {
                text = StripLineIndent(text, lineStarting);
            }
            if (text.Length > 0)
            {
                Add(TokenKind.Text, text, position);
            }

            if (tagChar == '#')
            {
                position = SkipComment(tagStart, inner, out lineStarting);
            }
            else
            {
                bool isBlock = tagChar == '%';
                Add(isBlock ? TokenKind.BlockBegin : TokenKind.VariableBegin, isBlock ? "{%" : "{{", tagStart);
                position = LexTagContents(inner, isBlock, out lineStarting);
            }
        }
        Add(TokenKind.EndOfSource, string.Empty, _source.Length);
    }

    private int FindTagStart(int from)
    {
        for (int i = from; i < _source.Length - 1; i++)
        {
            if (_source[i] == '{')
            {
                char next = _source[i + 1];
                if (next is '{' or '%' or '#')
                {
                    return i;
                }
            }
        }
        return -1;
    }

    // lstrip_blocks: remove spaces/tabs between the start of the line and a block or comment tag.
    private static string StripLineIndent(string text, bool lineStarting)
    {
        int lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !lineStarting)
        {
            return text;
        }
        if (lineStart == text.Length)
        {
            return text;
        }
        for (int i = lineStart; i < text.Length; i++)
        {
            if (!PythonText.IsWhitespace(text[i]))
            {
                return text;
            }
        }
        return text[..lineStart];
    }

    private int SkipComment(int tagStart, int inner, out bool lineStarting)
    {
        int end = _source.IndexOf("#}", inner, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Error(tagStart, "missing end of comment tag '#}'");
        }
        bool strip = end - 1 >= inner && _source[end - 1] == '-';
        return AfterTagEnd(end + 2, strip, trimNewline: true, out lineStarting);
    }

    private int AfterTagEnd(int position, bool strip, bool trimNewline, out bool lineStarting)
    {
        int start = position;
        if (strip)
        {
            while (position < _source.Length && PythonText.IsWhitespace(_source[position]))
            {
                position++;
            }
        }
        else if (trimNewline && position < _source.Length && _source[position] == '\n')
        {
            position++;
        }
        lineStarting = position > start ? _source[position - 1] == '\n' : false;
        return position;
    }

    private int LexTagContents(int position, bool isBlock, out bool lineStarting)
    {
        int depth = 0;
        char close = isBlock ? '%' : '}';
        while (true)
        {
            while (position < _source.Length && PythonText.IsWhitespace(_source[position]))
            {
                position++;
            }
            if (position >= _source.Length)
            {
                throw Error(position, isBlock ? "unexpected end of template inside '{% ... %}'" : "unexpected end of template inside '{{ ... }}'");
            }
            if (depth == 0)
            {
                bool stripEnd = Matches(position, "-" + close + "}");
                if (stripEnd || Matches(position, close + "}"))
                {
                    Add(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, close + "}", position);
                    return AfterTagEnd(position + (stripEnd ? 3 : 2), stripEnd, trimNewline: isBlock, out lineStarting);
                }
            }
            char c = _source[position];
            if (c is '\'' or '"')
            {
                position = LexString(position);
            }
            else if (char.IsAsciiDigit(c))
            {
                position = LexNumber(position);
            }
            else if (char.IsLetter(c) || c == '_')
            {
                int start = position;
                while (position < _source.Length && (char.IsLetterOrDigit(_source[position]) || _source[position] == '_'))
                {
                    position++;
                }
                Add(TokenKind.Name, _source[start..position], start);
            }
            else
            {
                string? op = Operators.FirstOrDefault(o => Matches(position, o));
                if (op is null)
                {
                    throw Error(position, $"unexpected character '{c}'");
                }
                if (op is "(" or "[" or "{")
                {
                    depth++;
                }
                else if (op is ")" or "]" or "}")
                {
                    if (depth == 0)
                    {
                        throw Error(position, $"unexpected '{op}'");
                    }
                    depth--;
                }
                Add(TokenKind.Operator, op, position);
                position += op.Length;
            }
        }
    }

    private bool Matches(int position, string text) =>
        position + text.Length <= _source.Length && string.CompareOrdinal(_source, position, text, 0, text.Length) == 0;

    private int LexNumber(int start)
    {
        int position = ReadDigits(start);
        bool afterDot = _tokens.Count > 0 && _tokens[^1] is { Kind: TokenKind.Operator, Value: "." };
        bool isFloat = false;
        if (!afterDot && position + 1 < _source.Length && _source[position] == '.' && char.IsAsciiDigit(_source[position + 1]))
        {
            position = ReadDigits(position + 1);
            isFloat = true;
        }
        if (!afterDot && position < _source.Length && _source[position] is 'e' or 'E')
        {
            int exponent = position + 1;
            if (exponent < _source.Length && _source[exponent] is '+' or '-')
            {
                exponent++;
            }
            if (exponent < _source.Length && char.IsAsciiDigit(_source[exponent]))
            {
                position = ReadDigits(exponent);
                isFloat = true;
            }
        }
        string text = _source[start..position].Replace("_", string.Empty, StringComparison.Ordinal);
        Add(isFloat ? TokenKind.Float : TokenKind.Integer, text, start);
        return position;
    }

    private int ReadDigits(int position)
    {
        while (position < _source.Length && (char.IsAsciiDigit(_source[position]) ||
               (_source[position] == '_' && position + 1 < _source.Length && char.IsAsciiDigit(_source[position + 1]))))
        {
            position++;
        }
        return position;
    }

    // Python "unicode-escape" decoding as jinja2 applies it to string literals; unknown escapes keep the backslash.
    private int LexString(int start)
    {
        char quote = _source[start];
        var builder = new StringBuilder();
        int position = start + 1;
        while (true)
        {
            if (position >= _source.Length)
            {
                throw Error(start, "unterminated string literal");
            }
            char c = _source[position];
            if (c == quote)
            {
                Add(TokenKind.String, builder.ToString(), start);
                return position + 1;
            }
            if (c != '\\')
            {
                builder.Append(c);
                position++;
                continue;
            }
            if (position + 1 >= _source.Length)
            {
                throw Error(start, "unterminated string literal");
            }
            char escape = _source[position + 1];
            position += 2;
            switch (escape)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case '\\': builder.Append('\\'); break;
                case '\'': builder.Append('\''); break;
                case '"': builder.Append('"'); break;
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'v': builder.Append('\v'); break;
                case '\n': break;
                case 'N':
                    throw Error(start, "\\N{name} escapes are not supported in string literals");
                case 'x':
                    position = AppendHexEscape(builder, position, 2, start);
                    break;
                case 'u':
                    position = AppendHexEscape(builder, position, 4, start);
                    break;
                case 'U':
                    position = AppendHexEscape(builder, position, 8, start);
                    break;
                case >= '0' and <= '7':
                    int value = escape - '0';
                    for (int k = 0; k < 2 && position < _source.Length && _source[position] is >= '0' and <= '7'; k++)
                    {
                        value = (value * 8) + (_source[position] - '0');
                        position++;
                    }
                    builder.Append((char)value);
                    break;
                default:
                    builder.Append('\\').Append(escape);
                    break;
            }
        }
    }

    private int AppendHexEscape(StringBuilder builder, int position, int digits, int stringStart)
    {
        if (position + digits > _source.Length ||
            !int.TryParse(_source.AsSpan(position, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code) ||
            code > 0x10FFFF)
        {
            throw Error(stringStart, $"malformed \\{(digits == 2 ? 'x' : digits == 4 ? 'u' : 'U')} escape in string literal");
        }
        builder.Append(code <= 0xFFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code));
        return position + digits;
    }
}
