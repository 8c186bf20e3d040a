// Settings of `alloy serve`: where to listen, the served model name, engine batch and thread knobs, the bound on
// admitted requests and how long shutdown waits for in-flight work. It opens nothing itself.
using System.Net;
using Alloy.Tensors;

namespace Alloy.Server;

/// <summary>Options of <see cref="AlloyServer"/>.</summary>
public sealed record AlloyServerOptions
{
    /// <summary>The IP address to listen on (<c>127.0.0.1</c>, <c>0.0.0.0</c>, <c>::</c>) or <c>localhost</c> (= 127.0.0.1).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port, or 0 for a free one (read the bound one from <see cref="AlloyServer.BaseUrl"/>).</summary>
    public int Port { get; init; } = 8000;

    /// <summary>The name clients send as <c>model</c> and /v1/models lists; null: the model folder's name.</summary>
    public string? ModelName { get; init; }

    /// <summary>Most sequences the engine decodes in one batched step (<see cref="Inference.Backends.EmbeddedGeneratorOptions.MaxBatchSize"/>).</summary>
    public int MaxBatchSize { get; init; } = 16;

    /// <summary>Most requests admitted at once, generating or waiting; more are refused with HTTP 429.</summary>
    public int MaxQueue { get; init; } = 256;

    /// <summary>Kernel threads, or null for every core.</summary>
    public int? Threads { get; init; }

    /// <summary>Where one line per failed request (HTTP 500) goes; null for nowhere.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Checks every field; throws <see cref="AlloyInputException"/> naming the option and what would be right.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
            throw new AlloyInputException($"--port {Port} is invalid: use 0 (any free port) to 65535.");
        if (MaxBatchSize < 1)
            throw new AlloyInputException($"--max-batch {MaxBatchSize} is invalid: use at least 1.");
        if (MaxQueue < 1)
            throw new AlloyInputException($"--max-queue {MaxQueue} is invalid: use at least 1.");
        if (Threads is < 1)
            throw new AlloyInputException($"--threads {Threads} is invalid: use at least 1.");
        if (ModelName is { Length: 0 })
            throw new AlloyInputException("--name is empty: give the model name clients will send, or leave it out.");
        _ = ListenAddress();
    }

    /// <summary><see cref="Host"/> as an address.</summary>
    internal IPAddress ListenAddress()
    {
        if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase))
            return IPAddress.Loopback;
        return IPAddress.TryParse(Host, out var address)
            ? address
            : throw new AlloyInputException($"--host '{Host}' is not an IP address: use 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or another address of this machine.");
    }
}
