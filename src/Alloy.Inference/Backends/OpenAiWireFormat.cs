// The JSON of the OpenAI-compatible API as vLLM, SGLang and llama-server speak it: request bodies for
// /v1/chat/completions and /v1/completions, and the reading of one-choice responses. No HTTP, no retries here.
using System.Text;
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Inference.Backends;

/// <summary>One choice of a response, read and checked.</summary>
/// <param name="Content">The answer text (chat <c>message.content</c> or completion <c>text</c>); null when the server sent null.</param>
/// <param name="Reasoning">Chat <c>message.reasoning_content</c> (or the newer <c>reasoning</c>) when present and non-empty.</param>
/// <param name="FinishReason">Why the sample ended.</param>
/// <param name="CompletionTokens"><c>usage.completion_tokens</c>, or null when the server sent none.</param>
/// <param name="PromptTokens"><c>usage.prompt_tokens</c>, or null when the server sent none.</param>
internal sealed record OpenAiChoice(string? Content, string? Reasoning, FinishReason FinishReason, int? CompletionTokens, int? PromptTokens)
{
    /// <summary>
    /// The whole response: content alone when there is no separate reasoning, else <c>&lt;think&gt;</c> + reasoning +
    /// <c>&lt;/think&gt;</c> + content. The closing tag is omitted when the sample was cut by the length cap before any
    /// content, because the thinking never ended (a response "thinks" only when it contains <c>&lt;/think&gt;</c>).
    /// </summary>
    public string JoinedText()
    {
        if (Reasoning is null)
        {
            return Content ?? string.Empty;
        }
        if (string.IsNullOrEmpty(Content) && FinishReason == FinishReason.Length)
        {
            return "<think>" + Reasoning;
        }
        return "<think>" + Reasoning + "</think>" + Content;
    }
}

/// <summary>A response that cannot be used; permanent unless <see cref="Transient"/>.</summary>
internal sealed class OpenAiResponseException(string message, bool transient) : Exception(message)
{
    public bool Transient { get; } = transient;
}

/// <summary>Builds request bodies and reads responses.</summary>
internal static class OpenAiWireFormat
{
    /// <summary>Path (relative to the API base) for a prompt: <c>chat/completions</c> or <c>completions</c>.</summary>
    public static string PathFor(GenerationPrompt prompt) => prompt.IsChat ? "chat/completions" : "completions";

    /// <summary>
    /// The request body for one sample (n = 1). Every sampling field is written explicitly: model, messages | prompt,
    /// n, max_tokens, temperature, top_p, top_k (−1 when off), min_p, presence_penalty, seed, stop, stream=false, and in
    /// chat mode <c>chat_template_kwargs.enable_thinking</c> when set. Throws <see cref="AlloyInputException"/> when
    /// enable_thinking is set for a raw prompt (no template applies there).
    /// </summary>
    public static byte[] BuildRequestBody(string model, GenerationPrompt prompt, GenerationSettings settings, long seed)
    {
        if (!prompt.IsChat && settings.EnableThinking is not null)
        {
            throw new AlloyInputException(
                "Generation setting enable_thinking applies to chat prompts only; a raw prompt is fed without a chat template. "
                + "Leave enable_thinking unset, or send the prompt as chat messages.");
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            if (prompt.Messages is { } messages)
            {
                writer.WriteStartArray("messages");
                foreach (var message in messages)
                {
                    writer.WriteStartObject();
                    writer.WriteString("role", message.Role);
                    writer.WriteString("content", message.Content);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteString("prompt", prompt.RawText);
            }
            writer.WriteNumber("n", 1);
            writer.WriteNumber("max_tokens", settings.MaxTokens);
            writer.WriteNumber("temperature", settings.Temperature);
            writer.WriteNumber("top_p", settings.TopP);
            writer.WriteNumber("top_k", settings.TopK == 0 ? -1 : settings.TopK);
            writer.WriteNumber("min_p", settings.MinP);
            writer.WriteNumber("presence_penalty", settings.PresencePenalty);
            writer.WriteNumber("seed", seed);
            writer.WriteStartArray("stop");
            foreach (var stop in settings.Stop)
            {
                writer.WriteStringValue(stop);
            }
            writer.WriteEndArray();
            writer.WriteBoolean("stream", false);
            if (prompt.IsChat && settings.EnableThinking is { } thinking)
            {
                writer.WriteStartObject("chat_template_kwargs");
                writer.WriteBoolean("enable_thinking", thinking);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a 200 response body holding exactly one choice. Throws <see cref="OpenAiResponseException"/> saying what is
    /// wrong (invalid JSON, no choices, a missing or mistyped field, an unknown finish_reason); a finish_reason of
    /// <c>abort</c> (the server dropped the request) is marked transient.
    /// </summary>
    public static OpenAiChoice ParseResponse(ReadOnlySpan<byte> body, bool chat)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException error)
        {
            throw new OpenAiResponseException($"the response is not valid JSON ({error.Message}); it began: {Excerpt(body)}", transient: false);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad($"the response is a JSON {root.ValueKind}, not an object");
            }
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                throw Bad($"the response has no 'choices' array; it began: {Excerpt(body)}");
            }
            if (choices.GetArrayLength() != 1)
            {
                throw Bad($"the response has {choices.GetArrayLength()} choices where n=1 asked for exactly one");
            }
            var choice = choices[0];
            if (choice.ValueKind != JsonValueKind.Object)
            {
                throw Bad("choices[0] is not an object");
            }

            string? content;
            string? reasoning = null;
            if (chat)
            {
                if (!choice.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
                {
                    throw Bad("choices[0].message is missing or not an object");
                }
                content = OptionalString(message, "content", "choices[0].message.content");
                reasoning = OptionalString(message, "reasoning_content", "choices[0].message.reasoning_content")
                    ?? OptionalString(message, "reasoning", "choices[0].message.reasoning");
                if (string.IsNullOrEmpty(reasoning))
                {
                    reasoning = null;
                }
                if (content is null && reasoning is null && !message.TryGetProperty("content", out _))
                {
                    throw Bad("choices[0].message has neither 'content' nor 'reasoning_content'");
                }
            }
            else
            {
                if (!choice.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                {
                    throw Bad("choices[0].text is missing or not a string");
                }
                content = text.GetString();
            }

            var finishReason = ReadFinishReason(choice);
            int? completionTokens = null;
            int? promptTokens = null;
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                completionTokens = OptionalCount(usage, "completion_tokens");
                promptTokens = OptionalCount(usage, "prompt_tokens");
            }
            return new OpenAiChoice(content, reasoning, finishReason, completionTokens, promptTokens);
        }
    }

    /// <summary>The first 200 characters of a body, for error messages (invalid UTF-8 shown as U+FFFD).</summary>
    public static string Excerpt(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 400)]);
        text = text.Length > 200 ? text[..200] + "…" : text;
        return "'" + text.ReplaceLineEndings(" ") + "'";
    }

    private static FinishReason ReadFinishReason(JsonElement choice)
    {
        if (!choice.TryGetProperty("finish_reason", out var element) || element.ValueKind != JsonValueKind.String)
        {
            throw Bad("choices[0].finish_reason is missing or not a string (expected \"stop\" or \"length\")");
        }
        return element.GetString() switch
        {
            "stop" => FinishReason.Stop,
            "length" => FinishReason.Length,
            "abort" => throw new OpenAiResponseException("the server aborted the request (finish_reason \"abort\")", transient: true),
            var other => throw Bad($"choices[0].finish_reason is \"{other}\"; only \"stop\" and \"length\" are understood"),
        };
    }

    private static string? OptionalString(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : throw Bad($"{path} is a JSON {element.ValueKind}, not a string");
    }

    private static int? OptionalCount(JsonElement usage, string name)
    {
        if (!usage.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var count) || count < 0)
        {
            throw Bad($"usage.{name} is {element.GetRawText()}, not a non-negative integer");
        }
        return count;
    }

    private static OpenAiResponseException Bad(string what) => new(what, transient: false);
}
