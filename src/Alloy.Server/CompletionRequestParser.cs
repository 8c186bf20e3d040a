// Reads and checks the JSON body of /v1/chat/completions and /v1/completions into a CompletionRequest, filling
// omitted sampling fields from the model's generation_config.json. Every refusal is an ApiError 400 naming the field.
using System.Text.Json;
using Alloy.Inference.Backends;
using Alloy.Inference.Sampling;
using Alloy.Tensors;

namespace Alloy.Server;

/// <summary>
/// Parses request bodies the way the OpenAI API defines them (and vLLM extends them: top_k, min_p,
/// chat_template_kwargs). Omitted fields take the model's generation_config.json values, else the OpenAI defaults
/// (temperature 1, top_p 1, top_k off, min_p 0, presence_penalty 0, n 1, max_tokens up to the context, a random
/// seed). Unknown fields are ignored; fields the engine cannot honour (logprobs, echo, best_of &gt; n, tools,
/// frequency_penalty ≠ 0, repetition_penalty ≠ 1) are refused rather than silently dropped.
/// </summary>
public sealed class CompletionRequestParser
{
    /// <summary>Most choices one request may ask for.</summary>
    public const int MaxChoices = 128;

    private readonly string _model;
    private readonly GenerationDefaults _defaults;
    private readonly int _contextLength;

    /// <summary>Creates a parser for a server of <paramref name="model"/> with the engine's defaults and context length.</summary>
    public CompletionRequestParser(string model, GenerationDefaults defaults, int contextLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(defaults);
        _model = model;
        _defaults = defaults;
        _contextLength = contextLength;
    }

    /// <summary>Parses a body; <paramref name="chat"/> selects the chat (messages) or completions (prompt) shape.</summary>
    /// <exception cref="ApiError">Invalid JSON, an unknown model, a missing, mistyped or out-of-range field.</exception>
    public CompletionRequest Parse(ReadOnlyMemory<byte> body, bool chat)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ApiError(400, $"The request body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ApiError(400, $"The request body must be a JSON object, not a JSON {root.ValueKind}.");

            var model = OptionalString(root, "model");
            if (model is not null && model != _model)
                throw new ApiError(400, $"The model '{model}' does not exist; this server serves '{_model}' (see /v1/models).", param: "model");

            var prompt = chat ? ReadMessages(root) : ReadPrompt(root);
            RefuseUnsupported(root, chat);

            var n = OptionalInt(root, "n") ?? 1;
            if (n is < 1 or > MaxChoices)
                throw ApiError.BadField("n", $"n = {n} is invalid: use an integer from 1 to {MaxChoices}.");
            if (OptionalInt(root, "best_of") is { } bestOf && bestOf != n)
                throw ApiError.BadField("best_of", $"best_of = {bestOf} is not supported: leave it out or set it equal to n.");

            var maxTokens = OptionalInt(root, "max_completion_tokens") ?? OptionalInt(root, "max_tokens") ?? _contextLength;
            var topK = OptionalInt(root, "top_k") ?? _defaults.TopK ?? -1;
            if (topK < -1)
                throw ApiError.BadField("top_k", $"top_k = {topK} is invalid: use an integer ≥ 1, or -1 (or 0) for off.");
            var seed = OptionalLong(root, "seed") ?? Random.Shared.NextInt64(0, int.MaxValue);
            var settings = new GenerationSettings(
                OptionalDouble(root, "temperature") ?? _defaults.Temperature ?? 1.0,
                OptionalDouble(root, "top_p") ?? _defaults.TopP ?? 1.0,
                topK <= 0 ? 0 : topK,
                OptionalDouble(root, "min_p") ?? _defaults.MinP ?? 0.0,
                OptionalDouble(root, "presence_penalty") ?? 0.0,
                maxTokens,
                ReadStop(root),
                seed,
                chat ? ReadEnableThinking(root) : null);
            try
            {
                settings.Validate();
            }
            catch (AlloyInputException e)
            {
                throw new ApiError(400, e.Message);
            }

            var stream = OptionalBool(root, "stream") ?? false;
            var includeUsage = false;
            if (Field(root, "stream_options") is { } options)
            {
                if (options.ValueKind != JsonValueKind.Object)
                    throw ApiError.BadField("stream_options", $"stream_options must be an object, not a JSON {options.ValueKind}.");
                includeUsage = OptionalBool(options, "include_usage", "stream_options.include_usage") ?? false;
            }
            return new CompletionRequest(chat, _model, prompt, settings, n, seed, stream, includeUsage);
        }
    }

    private static GenerationPrompt ReadMessages(JsonElement root)
    {
        if (Field(root, "messages") is not { } messages)
            throw ApiError.BadField("messages", "The request has no 'messages': give a non-empty array of {\"role\", \"content\"} objects.");
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw ApiError.BadField("messages", "'messages' must be a non-empty array of {\"role\", \"content\"} objects.");
        var list = new List<ChatMessage>();
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages[{i++}]";
            if (message.ValueKind != JsonValueKind.Object)
                throw ApiError.BadField(path, $"{path} must be an object with 'role' and 'content', not a JSON {message.ValueKind}.");
            var role = OptionalString(message, "role", path + ".role");
            if (string.IsNullOrEmpty(role))
                throw ApiError.BadField(path + ".role", $"{path}.role is missing: use \"system\", \"user\" or \"assistant\".");
            list.Add(new ChatMessage(role, ReadContent(message, path + ".content")));
        }
        return GenerationPrompt.Chat(list);
    }

    /// <summary>A string, null (empty), or an array of {"type": "text", "text": …} parts joined.</summary>
    private static string ReadContent(JsonElement message, string path)
    {
        if (Field(message, "content") is not { } content)
            return string.Empty;
        if (content.ValueKind == JsonValueKind.String)
            return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array)
            throw ApiError.BadField(path, $"{path} must be a string or an array of text parts, not a JSON {content.ValueKind}.");
        var text = new System.Text.StringBuilder();
        var j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partPath = $"{path}[{j++}]";
            if (part.ValueKind != JsonValueKind.Object || OptionalString(part, "type", partPath + ".type") != "text")
                throw ApiError.BadField(partPath, $"{partPath} must be a {{\"type\": \"text\", \"text\": …}} part: only text content is supported.");
            text.Append(OptionalString(part, "text", partPath + ".text"));
        }
        return text.ToString();
    }

    private static GenerationPrompt ReadPrompt(JsonElement root)
    {
        if (Field(root, "prompt") is not { } prompt)
            throw ApiError.BadField("prompt", "The request has no 'prompt': give the text to continue as a string.");
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String)
            prompt = prompt[0];
        if (prompt.ValueKind != JsonValueKind.String)
            throw ApiError.BadField("prompt", $"'prompt' must be a string (or an array of exactly one string), not a JSON {prompt.ValueKind}; token-id prompts and batches of prompts are not supported.");
        var text = prompt.GetString()!;
        if (text.Length == 0)
            throw ApiError.BadField("prompt", "'prompt' is empty: give at least one character.");
        return GenerationPrompt.Raw(text);
    }

    private static string[] ReadStop(JsonElement root)
    {
        if (Field(root, "stop") is not { } stop)
            return [];
        if (stop.ValueKind == JsonValueKind.String)
            return [stop.GetString()!];
        if (stop.ValueKind != JsonValueKind.Array || stop.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
            throw ApiError.BadField("stop", $"'stop' must be a string or an array of strings, not {Excerpt(stop)}.");
        return [.. stop.EnumerateArray().Select(s => s.GetString()!)];
    }

    private static bool? ReadEnableThinking(JsonElement root)
    {
        if (Field(root, "chat_template_kwargs") is not { } kwargs)
            return null;
        if (kwargs.ValueKind != JsonValueKind.Object)
            throw ApiError.BadField("chat_template_kwargs", $"chat_template_kwargs must be an object, not a JSON {kwargs.ValueKind}.");
        return OptionalBool(kwargs, "enable_thinking", "chat_template_kwargs.enable_thinking");
    }

    private static void RefuseUnsupported(JsonElement root, bool chat)
    {
        if (Field(root, "logprobs") is { } logprobs && logprobs.ValueKind != JsonValueKind.False)
            throw ApiError.BadField("logprobs", "logprobs are not supported by this server: leave 'logprobs' out (or false).");
        if (chat && Field(root, "top_logprobs") is not null)
            throw ApiError.BadField("top_logprobs", "top_logprobs are not supported by this server: leave 'top_logprobs' out.");
        if (!chat && OptionalBool(root, "echo") == true)
            throw ApiError.BadField("echo", "echo is not supported by this server: leave 'echo' out (or false).");
        if (!chat && Field(root, "suffix") is not null)
            throw ApiError.BadField("suffix", "suffix is not supported by this server: leave 'suffix' out.");
        if (Field(root, "tools") is { } tools && !(tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() == 0))
            throw ApiError.BadField("tools", "tool calls are not supported by this server: leave 'tools' out.");
        if (OptionalDouble(root, "frequency_penalty") is { } frequency && frequency != 0)
            throw ApiError.BadField("frequency_penalty", $"frequency_penalty = {frequency} is not supported: the engine applies presence_penalty only; leave it out or 0.");
        if (OptionalDouble(root, "repetition_penalty") is { } repetition && repetition != 1)
            throw ApiError.BadField("repetition_penalty", $"repetition_penalty = {repetition} is not supported: leave it out or 1.");
        if (Field(root, "logit_bias") is { } bias && !(bias.ValueKind == JsonValueKind.Object && !bias.EnumerateObject().Any()))
            throw ApiError.BadField("logit_bias", "logit_bias is not supported by this server: leave 'logit_bias' out.");
    }

    /// <summary>The field, or null when absent or JSON null.</summary>
    private static JsonElement? Field(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? OptionalString(JsonElement parent, string name, string? path = null)
    {
        if (Field(parent, name) is not { } value)
            return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw ApiError.BadField(path ?? name, $"'{path ?? name}' must be a string, not {Excerpt(value)}.");
    }

    private static bool? OptionalBool(JsonElement parent, string name, string? path = null)
    {
        if (Field(parent, name) is not { } value)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiError.BadField(path ?? name, $"'{path ?? name}' must be true or false, not {Excerpt(value)}."),
        };
    }

    private static double? OptionalDouble(JsonElement parent, string name)
    {
        if (Field(parent, name) is not { } value)
            return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw ApiError.BadField(name, $"'{name}' must be a number, not {Excerpt(value)}.");
    }

    private static int? OptionalInt(JsonElement parent, string name)
    {
        if (Field(parent, name) is not { } value)
            return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw ApiError.BadField(name, $"'{name}' must be an integer, not {Excerpt(value)}.");
    }

    private static long? OptionalLong(JsonElement parent, string name)
    {
        if (Field(parent, name) is not { } value)
            return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw ApiError.BadField(name, $"'{name}' must be an integer, not {Excerpt(value)}.");
    }

    private static string Excerpt(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length > 60 ? raw[..60] + "…" : raw;
    }
}
