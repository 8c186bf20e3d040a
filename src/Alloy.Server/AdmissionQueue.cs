// The bound on work the server holds: requests generating or waiting for the engine. A request that finds it full is
// refused at once (HTTP 429) instead of queueing without limit. It does not schedule; the engine does.
namespace Alloy.Server;

/// <summary>
/// Counts admitted requests against a capacity. <see cref="TryEnter"/> takes a slot or says the server is full; the
/// slot is released when the returned lease is disposed (when the response has been written).
/// </summary>
public sealed class AdmissionQueue
{
    private int _count;

    /// <summary>Creates a queue of <paramref name="capacity"/> slots (≥ 1).</summary>
    public AdmissionQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Most requests admitted at once.</summary>
    public int Capacity { get; }

    /// <summary>Requests admitted now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes a slot, or returns null when all <see cref="Capacity"/> are taken.</summary>
    public IDisposable? TryEnter()
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return null;
        }
        return new Lease(this);
    }

    private sealed class Lease(AdmissionQueue queue) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                Interlocked.Decrement(ref queue._count);
        }
    }
}
