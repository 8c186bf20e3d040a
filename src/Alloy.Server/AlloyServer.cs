// The host of `alloy serve`: opens the embedded engine, starts Kestrel on the given address, maps the OpenAI routes
// and stops gracefully. It is the only file that knows ASP.NET Core's builder; handlers live in CompletionEndpoints.
using Alloy.Inference.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Alloy.Server;

/// <summary>
/// An OpenAI-compatible HTTP server over one <see cref="EmbeddedGenerator"/>: POST /v1/chat/completions and
/// /v1/completions (whole or streamed as server-sent events), GET /v1/models and GET /health. Concurrent requests
/// share the engine's continuous batches. <see cref="StopAsync"/> stops listening, lets in-flight requests finish
/// for a drain period, then cancels what is left, and releases the model.
/// </summary>
public sealed class AlloyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmbeddedGenerator _generator;
    private readonly CancellationTokenSource _abandon;
    private readonly Lock _gate = new();
    private Task? _stopping;

    private AlloyServer(WebApplication app, EmbeddedGenerator generator, AdmissionQueue admission, TokenRouter router, string model, CancellationTokenSource abandon)
    {
        Router = router;
        _abandon = abandon;
        _app = app;
        _generator = generator;
        Admission = admission;
        ModelName = model;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:8000</c> (the API is under <c>/v1</c>); the real port when 0 was asked.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The name clients send as <c>model</c>.</summary>
    public string ModelName { get; }

    /// <summary>The engine (for figures such as its context length).</summary>
    public EmbeddedGenerator Generator => _generator;

    /// <summary>The bound on admitted requests.</summary>
    internal AdmissionQueue Admission { get; }

    /// <summary>The per-request token routing of streamed answers.</summary>
    internal TokenRouter Router { get; }

    /// <summary>Cancelled when the drain period of <see cref="StopAsync"/> has passed and the remaining work is abandoned.</summary>
    internal CancellationToken Abandoned => _abandon.Token;

    /// <summary>True once <see cref="StopAsync"/> was called: new requests get 503.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) is not null;

    /// <summary>Opens <paramref name="modelFolder"/> with the embedded engine and starts listening.</summary>
    /// <exception cref="Alloy.Tensors.AlloyInputException">Bad options, or a model folder the engine cannot open.</exception>
    /// <exception cref="IOException">The address is in use or cannot be bound.</exception>
    public static async Task<AlloyServer> StartAsync(string modelFolder, AlloyServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelFolder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var address = options.ListenAddress();
        var model = options.ModelName ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelFolder)));
        var router = new TokenRouter();
        var generator = EmbeddedGenerator.Open(modelFolder, new EmbeddedGeneratorOptions
        {
            Threads = options.Threads,
            MaxBatchSize = options.MaxBatchSize,
            OnToken = router.Dispatch,
        });
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(address, options.Port);
            });
            builder.Services.AddRoutingCore();
            builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
            // A backstop only: StopAsync cancels the engine work itself after its drain period.
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(10));
            var app = builder.Build();
            var admission = new AdmissionQueue(options.MaxQueue);
            var abandon = new CancellationTokenSource();
            var server = new AlloyServer(app, generator, admission, router, model, abandon);
            var endpoints = new CompletionEndpoints(
                generator,
                new CompletionRequestParser(model, generator.Defaults, generator.ContextLength),
                router,
                admission,
                model,
                () => server.IsStopping,
                abandon.Token,
                options.Log);
            app.MapPost("/v1/chat/completions", context => endpoints.CompleteAsync(context, chat: true));
            app.MapPost("/v1/completions", context => endpoints.CompleteAsync(context, chat: false));
            app.MapGet("/v1/models", endpoints.ModelsAsync);
            app.MapGet("/health", endpoints.HealthAsync);
            app.MapFallback(endpoints.NotFoundAsync);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.BaseUrl = new Uri(bound);
            return server;
        }
        catch
        {
            generator.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops listening at once (new connections are refused, requests on open connections get 503), waits up to
    /// <paramref name="drain"/> for in-flight requests to finish, cancels the rest (whole answers: 503; streams: the
    /// open choices end with finish_reason "abort"), then releases the model. Later calls wait for the first.
    /// </summary>
    public Task StopAsync(TimeSpan drain)
    {
        lock (_gate)
        {
            _stopping ??= StopOnceAsync(drain);
            return _stopping;
        }
    }

    private async Task StopOnceAsync(TimeSpan drain)
    {
        var stopped = _app.StopAsync(CancellationToken.None);
        if (await Task.WhenAny(stopped, Task.Delay(drain)).ConfigureAwait(false) != stopped)
            await _abandon.CancelAsync().ConfigureAwait(false);
        await stopped.ConfigureAwait(false);
        _generator.Dispose();
    }

    /// <summary>Stops with no drain period (if not stopped yet) and disposes the host.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _abandon.Dispose();
    }
}
