// The bounded admission count: slots are taken up to the capacity, refused beyond it, and freed exactly once.
namespace Alloy.Server.Tests;

public class AdmissionQueueTests
{
    [Fact]
    public void Slots_are_refused_beyond_capacity_and_freed_once_each()
    {
        var queue = new AdmissionQueue(2);
        var a = queue.TryEnter();
        var b = queue.TryEnter();
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Null(queue.TryEnter());
        Assert.Equal(2, queue.Count);
        a!.Dispose();
        a.Dispose();
        Assert.Equal(1, queue.Count);
        Assert.NotNull(queue.TryEnter());
        Assert.Null(queue.TryEnter());
    }

    [Fact]
    public void Concurrent_entries_never_exceed_capacity()
    {
        var queue = new AdmissionQueue(5);
        var admitted = 0;
        var most = 0;
        Parallel.For(0, 2000, _ =>
        {
            using var slot = queue.TryEnter();
            if (slot is null)
                return;
            var now = Interlocked.Increment(ref admitted);
            InterlockedMax(ref most, now);
            Interlocked.Decrement(ref admitted);
        });
        Assert.InRange(most, 1, 5);
        Assert.Equal(0, queue.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
                return;
    }
}
