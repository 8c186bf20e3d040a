// The inputs of one chat-template render, as transformers' apply_chat_template passes them to jinja2.
// Plain data: validation happens when ChatTemplate.Render converts it to template values.
using System.Text.Json;

namespace Alloy.Inference.Templates;

/// <summary>
/// Variables for <see cref="ChatTemplate.Render"/>. Mirrors <c>apply_chat_template(messages, tools=...,
/// add_generation_prompt=..., **kwargs)</c>: <c>messages</c>, <c>tools</c> (none when absent),
/// <c>documents</c> (always none), <c>add_generation_prompt</c>, the special tokens that are set, and extra kwargs.
/// </summary>
public sealed record ChatTemplateContext
{
    /// <summary>The OpenAI-style messages array (<c>[{"role": ..., "content": ...}, ...]</c>).</summary>
    public required JsonElement Messages { get; init; }

    /// <summary>Tool definitions (a JSON array), or null for none; the template then sees <c>tools</c> as none.</summary>
    public JsonElement? Tools { get; init; }

    /// <summary>Whether to end with the header of a new assistant turn.</summary>
    public bool AddGenerationPrompt { get; init; }

    /// <summary>
    /// The <c>enable_thinking</c> kwarg. Null leaves it undefined in the template (as when the caller does not pass it),
    /// which for Qwen3 means thinking stays on.
    /// </summary>
    public bool? EnableThinking { get; init; }

    /// <summary>The <c>bos_token</c> text, or null to leave it undefined (Qwen tokenizers have none).</summary>
    public string? BosToken { get; init; }

    /// <summary>The <c>eos_token</c> text, or null to leave it undefined.</summary>
    public string? EosToken { get; init; }

    /// <summary>Further template variables (for example <c>date_string</c>); they override the special tokens.</summary>
    public IReadOnlyDictionary<string, JsonElement>? ExtraVariables { get; init; }

    /// <summary>The local time <c>strftime_now</c> formats; null means the machine clock at render time.</summary>
    public DateTime? Now { get; init; }
}
