// Splits a kernel's output rows into contiguous chunks run on the kernel team (or the thread pool when the team is
// busy). Small jobs run inline on the caller's thread; this and KernelTeam are the only places kernels touch threads.
namespace Alloy.Inference.Kernels;

/// <summary>Runs a row-range body over [0, rows) in parallel chunks.</summary>
internal static class RowParallel
{
    /// <summary>Below this many multiply-adds a job runs on the calling thread (threading costs more).</summary>
    internal const long InlineWorkLimit = 1 << 16;

    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>Most threads one kernel call uses (process-wide; default: every core). Values below 1 become 1.</summary>
    internal static int MaxThreads
    {
        get => _maxThreads;
        set => _maxThreads = Math.Max(1, value);
    }

    /// <summary>
    /// Calls <paramref name="body"/>(start, end) over disjoint chunks covering [0, rows). Chunk starts are
    /// multiples of <paramref name="alignment"/>. <paramref name="workPerRow"/> sizes the split; the body
    /// must only write rows in its range. One delegate is allocated per call by the caller's lambda. The first exception
    /// a chunk throws is rethrown (on the thread pool path, wrapped in an AggregateException).
    /// </summary>
    public static void For(int rows, long workPerRow, int alignment, Action<int, int> body)
    {
        var threads = MaxThreads;
        if (rows <= alignment || threads <= 1 || rows * workPerRow < InlineWorkLimit)
        {
            body(0, rows);
            return;
        }
        // A few chunks per thread balance uneven cores without making chunks too small.
        var chunks = Math.Min(threads * 4, (rows + alignment - 1) / alignment);
        var rowsPerChunk = (rows + chunks - 1) / chunks;
        rowsPerChunk = (rowsPerChunk + alignment - 1) / alignment * alignment;
        chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        void Chunk(int chunk)
        {
            var start = chunk * rowsPerChunk;
            body(start, Math.Min(rows, start + rowsPerChunk));
        }
        if (!KernelTeam.Shared.TryRun(chunks, threads, Chunk))
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Chunk);
    }
}
