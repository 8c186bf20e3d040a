// The request handlers of the OpenAI-compatible API: /v1/chat/completions and /v1/completions (whole or streamed),
// /v1/models and /health. They admit, parse, call the engine and write answers; the host wiring is in AlloyServer.
using System.Threading.Channels;
using Alloy.Inference.Backends;
using Alloy.Tensors;
using Microsoft.AspNetCore.Http;

namespace Alloy.Server;

/// <summary>
/// Handles one HTTP request at a time per call; any number run concurrently and meet in the engine's batches.
/// A completion request takes a slot of the <see cref="AdmissionQueue"/> (429 when none is free) for its whole life.
/// Its engine work is cancelled when the client disconnects or when the server gives up draining at shutdown
/// (whole answers then get 503; streams end their open choices with finish_reason "abort").
/// </summary>
internal sealed class CompletionEndpoints(
    EmbeddedGenerator generator,
    CompletionRequestParser parser,
    TokenRouter router,
    AdmissionQueue admission,
    string model,
    Func<bool> stopping,
    CancellationToken abandon,
    TextWriter? log)
{
    private const int MaxBodyBytes = 16 * 1024 * 1024;
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private long _submitted;

    /// <summary>Requests handed to the engine so far (tests wait on it to know a request is queued there).</summary>
    public long Submitted => Interlocked.Read(ref _submitted);

    /// <summary>GET /health: 200 while serving, 503 once shutdown began.</summary>
    public Task HealthAsync(HttpContext context) => stopping()
        ? WriteErrorAsync(context, ShuttingDown())
        : WriteJsonAsync(context, 200, "{\"status\":\"ok\"}"u8.ToArray());

    /// <summary>GET /v1/models: the one served model.</summary>
    public Task ModelsAsync(HttpContext context) =>
        WriteJsonAsync(context, 200, CompletionJson.Models(model, _created, generator.ContextLength));

    /// <summary>Any other path: an OpenAI-style 404.</summary>
    public Task NotFoundAsync(HttpContext context) =>
        WriteErrorAsync(context, new ApiError(404, $"No route {context.Request.Method} {context.Request.Path}: use POST /v1/chat/completions, POST /v1/completions, GET /v1/models or GET /health.", "not_found_error"));

    /// <summary>POST /v1/chat/completions (<paramref name="chat"/> true) or /v1/completions.</summary>
    public async Task CompleteAsync(HttpContext context, bool chat)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (stopping())
        {
            await WriteErrorAsync(context, ShuttingDown()).ConfigureAwait(false);
            return;
        }
        using var slot = admission.TryEnter();
        if (slot is null)
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteErrorAsync(context, new ApiError(429,
                $"The server is full: {admission.Capacity} requests are already generating or waiting (--max-queue {admission.Capacity}). Retry later.",
                "rate_limit_error")).ConfigureAwait(false);
            return;
        }
        CompletionRequest request;
        try
        {
            request = parser.Parse(await ReadBodyAsync(context).ConfigureAwait(false), chat);
        }
        catch (ApiError error)
        {
            await WriteErrorAsync(context, error).ConfigureAwait(false);
            return;
        }
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, abandon);
        try
        {
            if (request.Stream)
                await StreamAsync(context, request, cancel.Token).ConfigureAwait(false);
            else
                await AnswerAsync(context, request, cancel.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client went away; its engine work was cancelled with it.
        }
    }

    private async Task AnswerAsync(HttpContext context, CompletionRequest request, CancellationToken cancellationToken)
    {
        var id = NewId(request.Chat);
        EmbeddedGeneration result;
        try
        {
            var work = generator.GenerateWithStatisticsAsync(request.ToGenerationRequest(), cancellationToken);
            Interlocked.Increment(ref _submitted);
            result = await work.ConfigureAwait(false);
        }
        catch (AlloyInputException e)
        {
            await WriteErrorAsync(context, new ApiError(400, e.Message)).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            await WriteErrorAsync(context, ShuttingDown()).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await WriteErrorAsync(context, Failed(e)).ConfigureAwait(false);
            return;
        }
        await WriteJsonAsync(context, 200, CompletionJson.Response(request, id, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), result)).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext context, CompletionRequest request, CancellationToken cancellationToken)
    {
        var id = NewId(request.Chat);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var generation = request.ToGenerationRequest();
        var tokens = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var listening = router.Listen(generation, token => tokens.Writer.TryWrite(token));
        Task<EmbeddedGeneration> work;
        try
        {
            work = generator.GenerateWithStatisticsAsync(generation, cancellationToken);
            Interlocked.Increment(ref _submitted);
        }
        catch (AlloyInputException e)
        {
            await WriteErrorAsync(context, new ApiError(400, e.Message)).ConfigureAwait(false);
            return;
        }
        _ = work.ContinueWith(_ => tokens.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var sse = new SseWriter(context.Response);
        var aborted = context.RequestAborted;
        await sse.StartAsync(aborted).ConfigureAwait(false);
        for (var i = 0; i < request.SampleCount; i++)
            await sse.WriteEventAsync(CompletionJson.Chunk(request, id, created, i, request.Chat ? string.Empty : null, first: true, null), aborted).ConfigureAwait(false);
        // Each choice's finish_reason goes out with its last token, as it ends, not when the whole request does.
        var finished = new bool[request.SampleCount];
        await foreach (var token in tokens.Reader.ReadAllAsync(aborted).ConfigureAwait(false))
        {
            if (token.Text.Length > 0)
                await sse.WriteEventAsync(CompletionJson.Chunk(request, id, created, token.SampleIndex, token.Text, first: false, null), aborted).ConfigureAwait(false);
            if (token.Finish is { } finish && (uint)token.SampleIndex < (uint)finished.Length && !finished[token.SampleIndex])
            {
                finished[token.SampleIndex] = true;
                await sse.WriteEventAsync(CompletionJson.Chunk(request, id, created, token.SampleIndex, null, first: false, CompletionJson.FinishName(finish)), aborted).ConfigureAwait(false);
            }
        }

        EmbeddedGeneration result;
        try
        {
            result = await work.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            for (var i = 0; i < request.SampleCount; i++)
                if (!finished[i])
                    await sse.WriteEventAsync(CompletionJson.Chunk(request, id, created, i, null, first: false, "abort"), aborted).ConfigureAwait(false);
            await sse.WriteDoneAsync(aborted).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await sse.WriteEventAsync(CompletionJson.Error(Failed(e)), aborted).ConfigureAwait(false);
            return;
        }
        for (var i = 0; i < result.Samples.Count; i++)
            if (!finished[i])
                await sse.WriteEventAsync(CompletionJson.Chunk(request, id, created, i, null, first: false, CompletionJson.FinishName(result.Samples[i].FinishReason)), aborted).ConfigureAwait(false);
        if (request.IncludeUsage)
            await sse.WriteEventAsync(CompletionJson.UsageChunk(request, id, created, result), aborted).ConfigureAwait(false);
        await sse.WriteDoneAsync(aborted).ConfigureAwait(false);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength is > MaxBodyBytes)
            throw new ApiError(413, $"The request body is {context.Request.ContentLength} bytes, over the {MaxBodyBytes}-byte limit.");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
                return buffer.ToArray();
            if (buffer.Length + read > MaxBodyBytes)
                throw new ApiError(413, $"The request body is over the {MaxBodyBytes}-byte limit.");
            buffer.Write(chunk, 0, read);
        }
    }

    private ApiError Failed(Exception e)
    {
        log?.WriteLine($"request failed: {e}");
        return new ApiError(500, $"Generation failed: {e.Message}", "server_error");
    }

    private static ApiError ShuttingDown() =>
        new(503, "The server is shutting down; the request was not completed. Retry on another server or after a restart.", "server_error");

    private static string NewId(bool chat) => (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");

    private static Task WriteErrorAsync(HttpContext context, ApiError error) =>
        WriteJsonAsync(context, error.Status, CompletionJson.Error(error));

    private static async Task WriteJsonAsync(HttpContext context, int status, byte[] json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
