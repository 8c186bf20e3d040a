// A pool of large arrays reused across the tensors and chunks of one merge, so that the executor does not take fresh
// (page-faulting) memory per tensor. Not a general-purpose allocator: best fit, a retention cap, one lock.
namespace Alloy.Merging.Execution;

/// <summary>
/// Arrays of <typeparamref name="T"/> handed out for at least a requested length and taken back for reuse. A returned array
/// is kept while the arrays kept add up to at most the retention cap; beyond it the array is left to the GC.
/// </summary>
internal sealed class BufferPool<T>(long retainBytes) where T : unmanaged
{
    private static readonly int ElementSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
    private readonly List<T[]> _free = [];
    private long _retained;
    private long _retainBytes = retainBytes;

    /// <summary>
    /// The retention cap. Lowering it drops kept arrays (largest first) until the pool fits, so a run with a smaller budget
    /// does not inherit a larger run's arrays.
    /// </summary>
    public long RetainLimit
    {
        get
        {
            lock (_free)
                return _retainBytes;
        }
        set
        {
            lock (_free)
            {
                _retainBytes = value;
                _free.Sort((a, b) => a.Length.CompareTo(b.Length));
                while (_retained > _retainBytes && _free.Count > 0)
                {
                    _retained -= (long)_free[^1].Length * ElementSize;
                    _free.RemoveAt(_free.Count - 1);
                }
            }
        }
    }

    /// <summary>Bytes held by arrays in the pool (not those handed out).</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_free)
                return _retained;
        }
    }

    /// <summary>
    /// An array of at least <paramref name="length"/> elements (contents undefined): the smallest free one that is no more
    /// than twice as long, else a new one.
    /// </summary>
    public T[] Rent(long length)
    {
        var wanted = checked((int)Math.Max(length, 1));
        lock (_free)
        {
            var best = -1;
            for (var i = 0; i < _free.Count; i++)
            {
                var candidate = _free[i].Length;
                if (candidate >= wanted && candidate / 2 <= wanted && (best < 0 || candidate < _free[best].Length))
                    best = i;
            }
            if (best >= 0)
            {
                var found = _free[best];
                _free[best] = _free[^1];
                _free.RemoveAt(_free.Count - 1);
                _retained -= (long)found.Length * ElementSize;
                return found;
            }
        }
        return GC.AllocateUninitializedArray<T>(wanted);
    }

    /// <summary>Takes <paramref name="array"/> back; it must not be used afterwards.</summary>
    public void Return(T[]? array)
    {
        if (array == null)
            return;
        var bytes = (long)array.Length * ElementSize;
        lock (_free)
        {
            if (_retained + bytes > _retainBytes)
                return;
            _free.Add(array);
            _retained += bytes;
        }
    }
}
