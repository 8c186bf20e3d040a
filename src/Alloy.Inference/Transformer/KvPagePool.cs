// Reuses the byte arrays of released KV-cache pages, so that a new sequence's pages come from memory the process has
// already touched: a fresh large array faults in 4 KB at a time on first write, about 10 µs per fault on this
// project's VM. Not a general allocator: free lists by array length, a retention cap, one lock.
namespace Alloy.Inference.Transformer;

/// <summary>
/// Process-wide free lists of KV page arrays by length. Contents of a rented array are undefined: a cache only reads
/// positions it has written.
/// </summary>
internal static class KvPagePool
{
    private static readonly Dictionary<int, Stack<byte[]>> Free = [];
    private static long _retained;

    /// <summary>Most bytes kept for reuse (default 1 GiB); arrays returned beyond it are left to the GC.</summary>
    internal static long RetainLimit { get; set; } = 1L << 30;

    /// <summary>Bytes held in the free lists.</summary>
    internal static long RetainedBytes
    {
        get
        {
            lock (Free)
                return _retained;
        }
    }

    /// <summary>An array of exactly <paramref name="length"/> bytes: a released one if any, else a new one.</summary>
    internal static byte[] Rent(int length)
    {
        lock (Free)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                _retained -= length;
                return stack.Pop();
            }
        }
        return GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>Takes back an array no cache refers to any more.</summary>
    internal static void Return(byte[] array)
    {
        lock (Free)
        {
            if (_retained + array.Length > RetainLimit)
                return;
            if (!Free.TryGetValue(array.Length, out var stack))
                Free[array.Length] = stack = new Stack<byte[]>();
            stack.Push(array);
            _retained += array.Length;
        }
    }

    /// <summary>Drops every kept array (tests).</summary>
    internal static void Clear()
    {
        lock (Free)
        {
            Free.Clear();
            _retained = 0;
        }
    }
}
