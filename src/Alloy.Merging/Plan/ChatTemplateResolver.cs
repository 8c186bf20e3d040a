// Resolves a merge config's chat_template: auto (the template most input models share), a built-in name, or a literal
// Jinja template, into the template text the output folder gets. It reads the models' template files only; it renders
// nothing (Alloy.Inference does).
using System.Text.Json;
using Alloy.Merging.Config;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Merging.Plan;

/// <summary>Chat template texts for <see cref="ChatTemplatePolicy"/>.</summary>
public static class ChatTemplateResolver
{
    /// <summary>ChatML (Qwen, many fine-tunes): each turn as <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, then the assistant header.</summary>
    public const string ChatMl =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /// <summary>Llama 3: BOS, then each turn as header, blank line, trimmed content and <c>&lt;|eot_id|&gt;</c>, then the assistant header.</summary>
    public const string Llama3 =
        "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /// <summary>
    /// The template text for <paramref name="policy"/> over <paramref name="models"/> (the input models, donor first):
    /// <c>auto</c> → the template source shared by most models (ties: the earliest), or null when none has one;
    /// <c>chatml</c> / <c>llama3</c> → Alloy's own text of that format; a literal → itself.
    /// </summary>
    /// <exception cref="AlloyInputException">A built-in name Alloy does not ship (alpaca, mistral, exaone), naming the position.</exception>
    public static string? Resolve(ChatTemplatePolicy policy, IReadOnlyList<Checkpoint> models)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(models);
        switch (policy.Kind)
        {
            case ChatTemplateKind.Literal:
                return policy.Value;
            case ChatTemplateKind.BuiltIn:
                return policy.Value switch
                {
                    "chatml" => ChatMl,
                    "llama3" => Llama3,
                    _ => throw new AlloyInputException($"{policy.Position}: chat_template '{policy.Value}' is a mergekit built-in Alloy does not ship; use chatml, llama3, auto, or give the Jinja template itself"),
                };
            default:
                var templates = models.Select(Read).Where(t => t is not null).Select(t => t!).ToList();
                return templates.Count == 0 ? null
                    : templates.GroupBy(t => t, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => templates.IndexOf(g.Key)).First().Key;
        }
    }

    // A model's template as transformers finds it: chat_template.jinja, else tokenizer_config.json's string field.
    private static string? Read(Checkpoint model)
    {
        var jinja = Path.Combine(model.Folder, "chat_template.jinja");
        if (File.Exists(jinja))
            return File.ReadAllText(jinja);
        var config = Path.Combine(model.Folder, "tokenizer_config.json");
        if (!File.Exists(config))
            return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(config));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("chat_template", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{config}: not valid JSON ({e.Message}); chat_template: auto reads each model's template");
        }
    }
}
