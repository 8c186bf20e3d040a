// Server-sent events framing for streamed completions: "data: <json>\n\n" per event and "data: [DONE]\n\n" at the end,
// flushed at once so each token reaches the client as it is made. It knows nothing of the JSON inside.
using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Alloy.Server;

/// <summary>Writes the SSE stream of one response.</summary>
internal sealed class SseWriter(HttpResponse response)
{
    private static readonly byte[] Prefix = "data: "u8.ToArray();
    private static readonly byte[] Suffix = "\n\n"u8.ToArray();
    private static readonly byte[] Done = Encoding.ASCII.GetBytes("data: [DONE]\n\n");

    /// <summary>Sets the status and headers of an event stream (200, text/event-stream, no caching) and sends them.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one event holding <paramref name="json"/> and flushes it.</summary>
    public async Task WriteEventAsync(byte[] json, CancellationToken cancellationToken)
    {
        var body = response.BodyWriter;
        body.Write(Prefix);
        body.Write(json);
        body.Write(Suffix);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the closing <c>data: [DONE]</c> event.</summary>
    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        response.BodyWriter.Write(Done);
        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
