// Chooses which endpoint serves the next request: least busy first, a concurrency limit per endpoint, and retirement
// of endpoints that keep failing. It sends nothing itself; OpenAiGenerator leases a slot, uses it and returns it.
namespace Alloy.Inference.Backends;

/// <summary>
/// Endpoint scheduling. A lease goes to the live endpoint with the lowest load <c>inFlight / MaxConcurrency</c> among
/// those with a free slot (ties: the lower position in the list), so a faster server naturally takes more work.
/// When every live endpoint is full the caller waits for a slot. An endpoint whose consecutive failures reach the
/// limit is retired; when none is left, leasing throws <see cref="GeneratorException"/> listing each one's last failure.
/// </summary>
internal sealed class EndpointPool
{
    private readonly object gate = new();
    private readonly EndpointState[] endpoints;
    private readonly int maxConsecutiveFailures;
    private TaskCompletionSource slotChanged = NewSignal();

    public EndpointPool(IReadOnlyList<OpenAiEndpoint> endpoints, int maxConsecutiveFailures)
    {
        this.endpoints = endpoints.Select(endpoint => new EndpointState(endpoint)).ToArray();
        this.maxConsecutiveFailures = maxConsecutiveFailures;
    }

    /// <summary>
    /// Waits for a free slot on a live endpoint and takes it. Endpoints in <paramref name="avoid"/> (those that already
    /// failed this sample) are skipped while another live endpoint exists; if all live ones are in it, it is ignored.
    /// </summary>
    public async Task<EndpointState> LeaseAsync(IReadOnlySet<EndpointState> avoid, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (gate)
            {
                var avoiding = endpoints.Any(endpoint => !endpoint.Retired && !avoid.Contains(endpoint));
                EndpointState? best = null;
                foreach (var candidate in endpoints)
                {
                    if (candidate.Retired || candidate.InFlight >= candidate.Endpoint.MaxConcurrency
                        || (avoiding && avoid.Contains(candidate)))
                    {
                        continue;
                    }
                    if (best is null || candidate.Load < best.Load)
                    {
                        best = candidate;
                    }
                }
                if (best is not null)
                {
                    best.InFlight++;
                    return best;
                }
                if (endpoints.All(endpoint => endpoint.Retired))
                {
                    throw AllRetired();
                }
                changed = slotChanged.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Returns a slot and records the attempt's outcome: a success resets the endpoint's consecutive failures, a
    /// failure (its description) adds one, and neither (the caller cancelled) changes nothing.
    /// </summary>
    public void Release(EndpointState state, bool succeeded, string? failure)
    {
        TaskCompletionSource toSignal;
        lock (gate)
        {
            state.InFlight--;
            if (succeeded)
            {
                state.ConsecutiveFailures = 0;
            }
            else if (failure is not null)
            {
                state.ConsecutiveFailures++;
                state.LastFailure = failure;
                if (state.ConsecutiveFailures >= maxConsecutiveFailures)
                {
                    state.Retired = true;
                }
            }
            toSignal = slotChanged;
            slotChanged = NewSignal();
        }
        toSignal.TrySetResult();
    }

    /// <summary>True while at least one endpoint is live.</summary>
    public bool AnyLive
    {
        get
        {
            lock (gate)
            {
                return endpoints.Any(endpoint => !endpoint.Retired);
            }
        }
    }

    /// <summary>The error thrown when no endpoint is left.</summary>
    public GeneratorException AllRetired()
    {
        lock (gate)
        {
            var details = string.Join("; ", endpoints.Select(endpoint =>
                $"{endpoint.Endpoint.BaseUrl} failed {endpoint.ConsecutiveFailures} times in a row, last: {endpoint.LastFailure ?? "no failure recorded"}"));
            return new GeneratorException($"Every endpoint is unreachable or failing, so the run stopped (it can be resumed): {details}.")
            {
                Endpoint = endpoints.Length == 1 ? endpoints[0].Endpoint.BaseUrl : null,
            };
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Mutable bookkeeping of one endpoint; guarded by the pool's lock.</summary>
internal sealed class EndpointState(OpenAiEndpoint endpoint)
{
    public OpenAiEndpoint Endpoint { get; } = endpoint;

    public int InFlight { get; set; }

    public int ConsecutiveFailures { get; set; }

    public string? LastFailure { get; set; }

    public bool Retired { get; set; }

    public double Load => (double)InFlight / Endpoint.MaxConcurrency;
}
