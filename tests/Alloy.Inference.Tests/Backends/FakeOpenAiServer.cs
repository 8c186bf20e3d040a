// A loopback HTTP server (Kestrel on 127.0.0.1, a free port) that answers like vLLM's OpenAI API, with scripted faults.
// It is a test double for the wire protocol only: it samples nothing; a response's text echoes the seed it was sent.
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alloy.Inference.Tests.Backends;

/// <summary>What the fake server does with one request.</summary>
internal enum Fault
{
    None,
    Http500,
    Http429,
    Http400,
    Slow,
    MalformedJson,
    MissingFinishReason,
    DropMidResponse,
    Huge,
}

/// <summary>One request the fake server received.</summary>
internal sealed record ReceivedRequest(string Path, JsonObject Body);

internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Fault> scripted = new();
    private int served;
    private int inFlight;
    private int maxInFlight;

    private FakeOpenAiServer(WebApplication app) => this.app = app;

    /// <summary>Requests in arrival order.</summary>
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>The API base, e.g. http://127.0.0.1:41234/v1.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>After this many requests every further one has its connection aborted (the server "died").</summary>
    public int DieAfter { get; set; } = int.MaxValue;

    /// <summary>Delay before answering a normal request (lets concurrent requests overlap).</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>When true the reply splits the reasoning out as vLLM's reasoning parser does.</summary>
    public string? ReasoningField { get; set; }

    /// <summary>When false the reply carries no usage object.</summary>
    public bool SendUsage { get; set; } = true;

    /// <summary>The finish_reason of normal replies.</summary>
    public string FinishReason { get; set; } = "stop";

    /// <summary>Most requests seen in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeOpenAiServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>Queues faults for the next requests, in order; requests after them are served normally.</summary>
    public void Script(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            scripted.Enqueue(fault);
        }
    }

    /// <summary>A URL on 127.0.0.1 where nothing listens (connections are refused).</summary>
    public static Uri DeadUrl()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/v1");
    }

    public async ValueTask DisposeAsync()
    {
        using var stopWithin = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stopWithin.Token);
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref inFlight);
        for (var seen = Volatile.Read(ref maxInFlight); now > seen; seen = Volatile.Read(ref maxInFlight))
        {
            if (Interlocked.CompareExchange(ref maxInFlight, now, seen) == seen)
            {
                break;
            }
        }
        try
        {
            await ServeAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        Requests.Enqueue(new ReceivedRequest(context.Request.Path.Value!, body));
        if (Interlocked.Increment(ref served) > DieAfter)
        {
            context.Abort();
            return;
        }
        var fault = scripted.TryDequeue(out var next) ? next : Fault.None;
        switch (fault)
        {
            case Fault.Http500:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("{\"error\":\"engine crashed\"}");
                return;
            case Fault.Http429:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "0";
                await context.Response.WriteAsync("{\"error\":\"too many requests\"}");
                return;
            case Fault.Http400:
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("{\"error\":\"unknown field top_k\"}");
                return;
            case Fault.Slow:
                // Never answers: the request ends only when the client gives up (or after a minute, with no body).
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                context.Abort();
                return;
            case Fault.MalformedJson:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"choices\": [ {\"message\": ");
                return;
            case Fault.DropMidResponse:
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 4000;
                await context.Response.WriteAsync("{\"id\":\"cmpl-1\",\"choices\":[");
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            case Fault.Huge:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"pad\":\"" + new string('x', 64 * 1024) + "\"}");
                return;
        }
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, context.RequestAborted);
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Reply(context.Request.Path.Value!, body, fault == Fault.MissingFinishReason));
    }

    /// <summary>A vLLM-shaped reply whose text says which seed it was sent.</summary>
    private string Reply(string path, JsonObject request, bool omitFinishReason)
    {
        var seed = request["seed"]!.GetValue<long>();
        var answer = $"The answer for seed {seed} is 42.";
        var reasoning = $"Thinking with seed {seed}.";
        var choice = new JsonObject { ["index"] = 0 };
        if (!omitFinishReason)
        {
            choice["finish_reason"] = FinishReason;
        }
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            var message = new JsonObject { ["role"] = "assistant" };
            if (ReasoningField is { } field)
            {
                message[field] = reasoning;
                message["content"] = FinishReason == "length" ? null : answer;
            }
            else
            {
                message["content"] = $"<think>{reasoning}</think>{answer}";
            }
            choice["message"] = message;
        }
        else
        {
            choice["text"] = answer;
        }
        var reply = new JsonObject
        {
            ["id"] = "cmpl-" + seed,
            ["object"] = "chat.completion",
            ["model"] = request["model"]!.GetValue<string>(),
            ["choices"] = new JsonArray(choice),
        };
        if (SendUsage)
        {
            reply["usage"] = new JsonObject { ["prompt_tokens"] = 11, ["completion_tokens"] = 100 + (int)seed, ["total_tokens"] = 111 + (int)seed };
        }
        return reply.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
