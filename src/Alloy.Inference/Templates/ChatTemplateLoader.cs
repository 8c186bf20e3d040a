// Finds a model's chat template on disk: chat_template.jinja first, else tokenizer_config.json's chat_template.
// It only reads files; parsing is ChatTemplate.Parse and rendering is ChatTemplate.Render.
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Inference.Templates;

/// <summary>A chat template as found in a model folder, with the special tokens its tokenizer config names.</summary>
/// <param name="Template">The parsed template.</param>
/// <param name="BosToken">tokenizer_config.json's <c>bos_token</c> (a string or an AddedToken's content), or null.</param>
/// <param name="EosToken">tokenizer_config.json's <c>eos_token</c>, or null.</param>
public sealed record LoadedChatTemplate(ChatTemplate Template, string? BosToken, string? EosToken);

/// <summary>Loads the chat template of a Hugging Face model folder the way transformers does.</summary>
public static class ChatTemplateLoader
{
    /// <summary>
    /// Reads <c>chat_template.jinja</c> from <paramref name="folder"/> if present, otherwise the <c>chat_template</c>
    /// field of <c>tokenizer_config.json</c>: either a string, or a list of <c>{"name", "template"}</c> objects of
    /// which the one named <c>default</c> is used. Special tokens come from tokenizer_config.json when it exists.
    /// </summary>
    /// <exception cref="AlloyInputException">No template is found, or a file is not valid JSON, naming the file
    /// and field.</exception>
    /// <exception cref="ChatTemplateException">The template does not parse.</exception>
    public static LoadedChatTemplate Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string jinjaPath = Path.Combine(folder, "chat_template.jinja");
        string configPath = Path.Combine(folder, "tokenizer_config.json");
        JsonDocument? config = File.Exists(configPath) ? ReadJson(configPath) : null;
        using (config)
        {
            string? bos = config is null ? null : TokenText(config.RootElement, "bos_token");
            string? eos = config is null ? null : TokenText(config.RootElement, "eos_token");
            if (File.Exists(jinjaPath))
            {
                return new LoadedChatTemplate(ChatTemplate.Parse(File.ReadAllText(jinjaPath), jinjaPath), bos, eos);
            }
            if (config is null)
            {
                throw new AlloyInputException($"no chat template in '{folder}': expected chat_template.jinja or tokenizer_config.json with a \"chat_template\" field");
            }
            return new LoadedChatTemplate(TemplateFromConfig(config.RootElement, configPath), bos, eos);
        }
    }

    private static JsonDocument ReadJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException error)
        {
            throw new AlloyInputException($"'{path}' is not valid JSON: {error.Message}", error);
        }
    }

    private static ChatTemplate TemplateFromConfig(JsonElement root, string configPath)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("chat_template", out JsonElement field) || field.ValueKind == JsonValueKind.Null)
        {
            throw new AlloyInputException($"'{configPath}' has no \"chat_template\" field and there is no chat_template.jinja beside it");
        }
        if (field.ValueKind == JsonValueKind.String)
        {
            return ChatTemplate.Parse(field.GetString()!, configPath + " (chat_template)");
        }
        if (field.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement entry in field.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object &&
                    entry.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String && name.GetString() == "default" &&
                    entry.TryGetProperty("template", out JsonElement template) && template.ValueKind == JsonValueKind.String)
                {
                    return ChatTemplate.Parse(template.GetString()!, configPath + " (chat_template 'default')");
                }
            }
            throw new AlloyInputException($"'{configPath}' field \"chat_template\" is a list without an entry {{\"name\": \"default\", \"template\": \"...\"}}");
        }
        throw new AlloyInputException($"'{configPath}' field \"chat_template\" must be a string or a list of {{\"name\", \"template\"}} objects, not {field.ValueKind}");
    }

    private static string? TokenText(JsonElement root, string field)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(field, out JsonElement token))
        {
            return null;
        }
        return token.ValueKind switch
        {
            JsonValueKind.String => token.GetString(),
            JsonValueKind.Object when token.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String => content.GetString(),
            _ => null,
        };
    }
}
