// The JSON the completion endpoints answer with: whole responses (chat.completion, text_completion) and the chunks of
// a streamed one (chat.completion.chunk). Shapes follow the OpenAI API; no HTTP and no engine calls here.
using System.Text.Json;
using Alloy.Inference.Backends;

namespace Alloy.Server;

/// <summary>Writes OpenAI-shaped response objects.</summary>
internal static class CompletionJson
{
    /// <summary>The OpenAI name of a finish reason.</summary>
    public static string FinishName(FinishReason reason) => reason == FinishReason.Stop ? "stop" : "length";

    /// <summary>
    /// A whole response: id, object, created, model, one choice per sample (chat: message.role/content; completions:
    /// text), each with its finish_reason, and usage (prompt_tokens, completion_tokens summed over the choices, total).
    /// </summary>
    public static byte[] Response(CompletionRequest request, string id, long created, EmbeddedGeneration result) => Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, request, id, created, chunk: false);
        w.WriteStartArray("choices");
        for (var i = 0; i < result.Samples.Count; i++)
        {
            var sample = result.Samples[i];
            w.WriteStartObject();
            w.WriteNumber("index", i);
            if (request.Chat)
            {
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", sample.Text);
                w.WriteEndObject();
            }
            else
                w.WriteString("text", sample.Text);
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", FinishName(sample.FinishReason));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteUsage(w, result);
        w.WriteEndObject();
    });

    /// <summary>
    /// One streamed chunk for choice <paramref name="index"/>: a text piece (chat: delta.content, with delta.role on the
    /// first chunk), and/or its finish reason (null while the choice runs, "abort" when the server cancelled it).
    /// </summary>
    public static byte[] Chunk(CompletionRequest request, string id, long created, int index, string? text, bool first, string? finishReason) => Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, request, id, created, chunk: true);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        if (request.Chat)
        {
            w.WriteStartObject("delta");
            if (first)
                w.WriteString("role", "assistant");
            if (text is not null)
                w.WriteString("content", text);
            w.WriteEndObject();
        }
        else
            w.WriteString("text", text ?? string.Empty);
        w.WriteNull("logprobs");
        if (finishReason is null)
            w.WriteNull("finish_reason");
        else
            w.WriteString("finish_reason", finishReason);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>The last chunk of a stream with stream_options.include_usage: no choices, the usage.</summary>
    public static byte[] UsageChunk(CompletionRequest request, string id, long created, EmbeddedGeneration result) => Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, request, id, created, chunk: true);
        w.WriteStartArray("choices");
        w.WriteEndArray();
        WriteUsage(w, result);
        w.WriteEndObject();
    });

    /// <summary><c>{"object": "list", "data": [{"id", "object": "model", "created", "owned_by", "max_model_len"}]}</c>.</summary>
    public static byte[] Models(string model, long created, int contextLength) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        w.WriteStartObject();
        w.WriteString("id", model);
        w.WriteString("object", "model");
        w.WriteNumber("created", created);
        w.WriteString("owned_by", "alloy");
        w.WriteNumber("max_model_len", contextLength);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>The error body of <paramref name="error"/>.</summary>
    public static byte[] Error(ApiError error) => Write(error.WriteJson);

    private static void WriteHeader(Utf8JsonWriter w, CompletionRequest request, string id, long created, bool chunk)
    {
        w.WriteString("id", id);
        w.WriteString("object", request.Chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        w.WriteNumber("created", created);
        w.WriteString("model", request.Model);
    }

    private static void WriteUsage(Utf8JsonWriter w, EmbeddedGeneration result)
    {
        var completion = result.Samples.Sum(s => s.CompletionTokens);
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", result.PromptTokens);
        w.WriteNumber("completion_tokens", completion);
        w.WriteNumber("total_tokens", result.PromptTokens + completion);
        w.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            write(writer);
        return buffer.ToArray();
    }
}
