// A small team of persistent worker threads for kernel calls that last tens of microseconds to milliseconds.
// It is not a general scheduler: one job at a time; a second concurrent caller is told to use the thread pool.
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Alloy.Inference.Kernels;

/// <summary>
/// Persistent workers that run the chunks of one <see cref="RowParallel.For"/> job together with the calling thread.
/// A decode step makes about 8 kernel calls per layer, 200–250 per token for a 28-layer model; handing each to
/// <see cref="Parallel.For(int, int, Action{int})"/> costs 3–30 µs (more when the pool's workers have gone to sleep
/// between calls), several milliseconds per token. Workers here spin for <see cref="SpinMicroseconds"/> after a job
/// before blocking, so a job that follows soon after starts at once. Chunks are taken from a shared counter, so a slow
/// or preempted thread does not hold the others back.
/// </summary>
internal sealed class KernelTeam
{
    /// <summary>How long an idle worker polls for the next job before it blocks (the gaps between a step's kernels are shorter).</summary>
    private const long SpinMicroseconds = 200;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    [ThreadStatic] private static bool _onWorker;

    private readonly SemaphoreSlim[] _wake;
    private readonly int[] _sleeping;
    private Job? _job;
    private int _generation;
    private int _busy;

    /// <summary>The process-wide team: one worker per core beyond the caller's.</summary>
    internal static KernelTeam Shared { get; } = new(Environment.ProcessorCount - 1);

    /// <summary>Starts <paramref name="workers"/> background threads (none when 0: every job then runs on the caller).</summary>
    internal KernelTeam(int workers)
    {
        Workers = Math.Max(0, workers);
        _wake = new SemaphoreSlim[Workers];
        _sleeping = new int[Workers];
        for (var i = 0; i < Workers; i++)
        {
            _wake[i] = new SemaphoreSlim(0);
            var index = i;
            new Thread(() => Work(index)) { IsBackground = true, Name = $"alloy-kernel-{i + 1}" }.Start();
        }
    }

    /// <summary>Worker threads (the caller of <see cref="TryRun"/> is one more).</summary>
    internal int Workers { get; }

    /// <summary>
    /// Runs body(chunk) for chunk in [0, chunks) on the caller and up to <paramref name="threads"/> − 1 workers and
    /// returns true once all have finished; returns false without running anything when the team is already running a
    /// job (another thread's, or this call is nested inside a chunk), so the caller can fall back to the thread pool.
    /// The first exception a chunk throws is rethrown here after every started chunk has finished.
    /// </summary>
    internal bool TryRun(int chunks, int threads, Action<int> body)
    {
        if (_onWorker || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            return false;
        try
        {
            var job = new Job(body, chunks, Math.Min(threads - 1, Workers));
            Volatile.Write(ref _job, job);
            Interlocked.Increment(ref _generation);
            for (var i = 0; i < job.Helpers; i++)
                if (Volatile.Read(ref _sleeping[i]) == 1)
                    _wake[i].Release();
            job.RunChunks();
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Remaining) > 0)
                spin.SpinOnce(sleep1Threshold: -1);
            if (job.Error is not null)
                ExceptionDispatchInfo.Capture(job.Error).Throw();
            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private void Work(int index)
    {
        _onWorker = true;
        var seen = 0;
        while (true)
        {
            var generation = Volatile.Read(ref _generation);
            if (generation == seen)
            {
                var since = Stopwatch.GetTimestamp();
                while ((generation = Volatile.Read(ref _generation)) == seen && Stopwatch.GetTimestamp() - since < SpinTicks)
                    Thread.SpinWait(20);
                if (generation == seen)
                {
                    // Announce the sleep, then look once more: a caller that published before seeing the flag has
                    // already bumped the generation, one that publishes after will see the flag and release us.
                    // A surplus release only causes a wake-up that finds nothing new.
                    Interlocked.Exchange(ref _sleeping[index], 1);
                    if (Volatile.Read(ref _generation) == seen)
                        _wake[index].Wait();
                    Volatile.Write(ref _sleeping[index], 0);
                    continue;
                }
            }
            seen = generation;
            var job = Volatile.Read(ref _job);
            if (job is not null && index < job.Helpers)
                job.RunChunks();
        }
    }

    /// <summary>One call's chunks: taken in order from <see cref="Next"/>; a stale job seen late has none left to take.</summary>
    private sealed class Job(Action<int> body, int chunks, int helpers)
    {
        private readonly Action<int> _body = body;
        public readonly int Helpers = helpers;
        public readonly int Chunks = chunks;
        public int Next;
        public int Remaining = chunks;
        public Exception? Error;

        public void RunChunks()
        {
            int chunk;
            while ((chunk = Interlocked.Increment(ref Next) - 1) < Chunks)
            {
                try
                {
                    _body(chunk);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, e, null);
                }
                Interlocked.Decrement(ref Remaining);
            }
        }
    }
}
