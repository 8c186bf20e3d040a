// The error a chat template raises: bad syntax, an unknown filter, raise_exception() or a runtime type error.
// It is user input (the template ships with the model), so it derives from AlloyInputException.
using Alloy.Tensors;

namespace Alloy.Inference.Templates;

/// <summary>
/// A chat template could not be parsed or rendered. The message names the template source and the line
/// (and column for syntax errors), e.g. <c>chat template 'qwen3/tokenizer_config.json' line 4, column 12: ...</c>.
/// </summary>
public sealed class ChatTemplateException : AlloyInputException
{
    /// <summary>Creates the error for a place in a template.</summary>
    /// <param name="templateName">Where the template came from (a file path or a name).</param>
    /// <param name="line">1-based line in the template source.</param>
    /// <param name="column">1-based column, or 0 when only the line is known.</param>
    /// <param name="detail">What went wrong and, where possible, what would be right.</param>
    public ChatTemplateException(string templateName, int line, int column, string detail)
        : base(Format(templateName, line, column, detail))
    {
        TemplateName = templateName;
        Line = line;
        Column = column;
        Detail = detail;
    }

    /// <summary>Creates the exception with no details (for serializers; prefer the other constructor).</summary>
    public ChatTemplateException() { }

    /// <summary>Creates the exception with a complete message (prefer the constructor that names the place).</summary>
    public ChatTemplateException(string message) : base(message) { }

    /// <summary>Creates the exception with a complete message and its cause.</summary>
    public ChatTemplateException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Where the template came from.</summary>
    public string TemplateName { get; } = string.Empty;

    /// <summary>1-based line of the failing construct.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>The message without the location prefix (for <c>raise_exception</c>, the template's own text).</summary>
    public string Detail { get; } = string.Empty;

    private static string Format(string templateName, int line, int column, string detail) =>
        column > 0
            ? $"chat template '{templateName}' line {line}, column {column}: {detail}"
            : $"chat template '{templateName}' line {line}: {detail}";
}
