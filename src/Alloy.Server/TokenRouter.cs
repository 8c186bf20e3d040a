// Per-request streaming over the engine's one token callback: EmbeddedGeneratorOptions.OnToken reports every token of
// every request with the request object, and this routes it to the listener registered for that object.
using System.Collections.Concurrent;
using Alloy.Inference.Backends;

namespace Alloy.Server;

/// <summary>
/// Routes <see cref="GeneratedToken"/>s to per-request listeners, keyed by the request's reference identity
/// (<see cref="GenerationRequest"/> is a record, so value equality would confuse two equal requests). Tokens of
/// requests with no listener are dropped. <see cref="Dispatch"/> runs on the engine's worker thread: listeners must be quick.
/// </summary>
internal sealed class TokenRouter
{
    private readonly ConcurrentDictionary<GenerationRequest, Action<GeneratedToken>> _listeners = new(ReferenceEqualityComparer.Instance);

    /// <summary>Sends the request's tokens to <paramref name="listener"/> until the returned handle is disposed.</summary>
    public IDisposable Listen(GenerationRequest request, Action<GeneratedToken> listener)
    {
        if (!_listeners.TryAdd(request, listener))
            throw new InvalidOperationException("this request object already has a listener");
        return new Registration(this, request);
    }

    /// <summary>Called with every token before it is routed (tests use it to hold the engine mid-generation).</summary>
    internal Action<GeneratedToken>? Observer { get; set; }

    /// <summary>The engine's OnToken callback.</summary>
    public void Dispatch(GeneratedToken token)
    {
        Observer?.Invoke(token);
        if (_listeners.TryGetValue(token.Request, out var listener))
            listener(token);
    }

    private sealed class Registration(TokenRouter router, GenerationRequest request) : IDisposable
    {
        public void Dispose() => router._listeners.TryRemove(request, out _);
    }
}
