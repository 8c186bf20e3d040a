// A parsed Hugging Face chat template that renders conversations to prompt text, byte for byte as transformers does.
// It does not tokenize and does not read files (see ChatTemplateLoader for that).
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Inference.Templates;

/// <summary>
/// A chat template parsed once and rendered many times. Rendering matches transformers'
/// <c>apply_chat_template(..., tokenize=False)</c>: jinja2 in an immutable sandbox with <c>trim_blocks</c> and
/// <c>lstrip_blocks</c>, transformers' <c>tojson</c>, <c>raise_exception</c> and <c>strftime_now</c>, and the
/// loopcontrols extension. Thread-safe: rendering never mutates the parsed template.
/// </summary>
public sealed class ChatTemplate
{
    private static readonly HashSet<string> ReservedNames = ["messages", "tools", "documents", "add_generation_prompt"];

    private readonly IReadOnlyList<TemplateStatement> _statements;

    private ChatTemplate(string name, string source, IReadOnlyList<TemplateStatement> statements)
    {
        Name = name;
        Source = source;
        _statements = statements;
    }

    /// <summary>Where the template came from; every error message names it.</summary>
    public string Name { get; }

    /// <summary>The template text as given.</summary>
    public string Source { get; }

    /// <summary>Parses a template.</summary>
    /// <param name="source">The jinja2 template text.</param>
    /// <param name="name">The source name for error messages (a file path, or a path and field).</param>
    /// <exception cref="ChatTemplateException">Bad syntax, an unknown filter or test, or an unsupported tag; the
    /// message gives the line and column.</exception>
    public static ChatTemplate Parse(string source, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(name);
        return new ChatTemplate(name, source, TemplateParser.Parse(name, source));
    }

    /// <summary>Renders a conversation to prompt text.</summary>
    /// <exception cref="AlloyInputException">The messages are not a JSON array, or an extra variable reuses a
    /// reserved name (<c>messages</c>, <c>tools</c>, <c>documents</c>, <c>add_generation_prompt</c>).</exception>
    /// <exception cref="ChatTemplateException">The template failed: <c>raise_exception</c> was called (the message
    /// is the template's), an undefined value was used, or a type error; the message gives the line.</exception>
    public string Render(ChatTemplateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Messages.ValueKind != JsonValueKind.Array)
        {
            throw new AlloyInputException($"chat messages for template '{Name}' must be a JSON array of {{\"role\", \"content\"}} objects, not {context.Messages.ValueKind}");
        }
        TemplateEvaluator.Scope globals = TemplateGlobals.Create(context.Now ?? DateTime.Now);
        var scope = new TemplateEvaluator.Scope(globals);
        if (context.BosToken is not null)
        {
            scope.Set("bos_token", new StringValue(context.BosToken));
        }
        if (context.EosToken is not null)
        {
            scope.Set("eos_token", new StringValue(context.EosToken));
        }
        if (context.EnableThinking is bool thinking)
        {
            scope.Set("enable_thinking", TemplateValue.From(thinking));
        }
        if (context.ExtraVariables is not null)
        {
            foreach (KeyValuePair<string, JsonElement> pair in context.ExtraVariables)
            {
                if (ReservedNames.Contains(pair.Key))
                {
                    throw new AlloyInputException($"extra template variable '{pair.Key}' for template '{Name}' is reserved; pass it through its own field");
                }
                scope.Set(pair.Key, TemplateValue.FromJson(pair.Value));
            }
        }
        scope.Set("messages", TemplateValue.FromJson(context.Messages));
        scope.Set("tools", context.Tools is JsonElement tools && tools.ValueKind != JsonValueKind.Null ? TemplateValue.FromJson(tools) : TemplateValue.None);
        scope.Set("documents", TemplateValue.None);
        scope.Set("add_generation_prompt", TemplateValue.From(context.AddGenerationPrompt));
        return TemplateEvaluator.Render(Name, _statements, scope);
    }
}
