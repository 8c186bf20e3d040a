// Helpers of the server tests: a served tiny chat model on a free loopback port, raw JSON posts, SSE reading.
// No test here downloads anything; every request goes to 127.0.0.1.
using System.Net;
using System.Text;
using System.Text.Json;
using Alloy.Inference.Backends;

namespace Alloy.Server.Tests;

internal sealed record HttpAnswer(HttpStatusCode Status, string Body, HttpResponseMessage Message)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string ErrorMessage => Json.GetProperty("error").GetProperty("message").GetString()!;
}

/// <summary>A running <see cref="AlloyServer"/> on the tiny fixture, with an HttpClient pointed at it.</summary>
internal sealed class ServedModel : IAsyncDisposable
{
    private readonly TempFolder _temp;

    private ServedModel(TempFolder temp, string folder, AlloyServer server)
    {
        _temp = temp;
        Folder = folder;
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
    }

    public string Folder { get; }

    public AlloyServer Server { get; }

    public HttpClient Http { get; }

    public static async Task<ServedModel> StartAsync(int maxQueue = 256, int maxBatch = 16, string? generationConfig = null)
    {
        var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("tiny"), generationConfig: generationConfig);
        var server = await AlloyServer.StartAsync(folder, new AlloyServerOptions { Port = 0, MaxQueue = maxQueue, MaxBatchSize = maxBatch });
        return new ServedModel(temp, folder, server);
    }

    public async Task<HttpAnswer> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await Http.PostAsync(path, content);
        return new HttpAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async Task<HttpAnswer> GetAsync(string path)
    {
        var response = await Http.GetAsync(path);
        return new HttpAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>The generator the OpenAI backend of the evaluation harness uses, pointed at this server.</summary>
    public OpenAiGenerator Client() => new(new OpenAiGeneratorOptions
    {
        Endpoints = [new OpenAiEndpoint(new Uri(Server.BaseUrl, "/v1"), 8)],
        Model = Server.ModelName,
        MaxAttemptsPerSample = 1,
    });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _temp.Dispose();
    }
}

/// <summary>Reads a text/event-stream body into its data payloads.</summary>
internal static class Sse
{
    /// <summary>The data payloads in order (the last is "[DONE]" for a complete stream).</summary>
    public static List<string> Events(string body) =>
        [.. body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.StartsWith("data: ", StringComparison.Ordinal) ? e["data: ".Length..] : throw new FormatException($"not an SSE data event: {e}"))];

    /// <summary>Per choice index: the text pieces joined and the finish reason, from the chunks of a stream.</summary>
    public static (Dictionary<int, string> Texts, Dictionary<int, string> Finish, JsonElement? Usage) Collect(IEnumerable<string> events, bool chat)
    {
        var texts = new Dictionary<int, string>();
        var finish = new Dictionary<int, string>();
        JsonElement? usage = null;
        foreach (var data in events.Where(e => e != "[DONE]"))
        {
            var root = JsonDocument.Parse(data).RootElement;
            if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
                usage = u.Clone();
            foreach (var choice in root.GetProperty("choices").EnumerateArray())
            {
                var index = choice.GetProperty("index").GetInt32();
                var piece = chat
                    ? choice.GetProperty("delta").TryGetProperty("content", out var c) ? c.GetString() : null
                    : choice.GetProperty("text").GetString();
                texts[index] = texts.GetValueOrDefault(index, "") + piece;
                if (choice.GetProperty("finish_reason").ValueKind == JsonValueKind.String)
                    finish[index] = choice.GetProperty("finish_reason").GetString()!;
            }
        }
        return (texts, finish, usage);
    }
}
