// The persistent kernel team: every chunk runs exactly once, exceptions reach the caller, a busy team or a nested call
// is refused (so RowParallel falls back to the thread pool), and many callers on many threads all get correct results.
using Alloy.Inference.Kernels;
using Xunit;

namespace Alloy.Inference.Tests.Kernels;

public class KernelTeamTests
{
    [Theory]
    [InlineData(0, 1, 7)]
    [InlineData(1, 2, 1)]
    [InlineData(3, 4, 64)]
    [InlineData(3, 2, 33)]
    public void EveryChunkRunsExactlyOnce(int workers, int threads, int chunks)
    {
        var team = new KernelTeam(workers);
        for (var call = 0; call < 200; call++)
        {
            var runs = new int[chunks];
            Assert.True(team.TryRun(chunks, threads, c => Interlocked.Increment(ref runs[c])));
            Assert.All(runs, r => Assert.Equal(1, r));
            if (call % 50 == 49)
                Thread.Sleep(2); // let the workers fall asleep, so that waking them is exercised too
        }
    }

    [Fact]
    public void AChunkExceptionReachesTheCallerAfterTheOtherChunksFinish()
    {
        var team = new KernelTeam(2);
        var finished = 0;
        var error = Assert.Throws<InvalidOperationException>(() => team.TryRun(40, 3, c =>
        {
            if (c == 5)
                throw new InvalidOperationException("chunk 5");
            Interlocked.Increment(ref finished);
        }));
        Assert.Equal("chunk 5", error.Message);
        Assert.Equal(39, finished);
        // The team stays usable.
        var runs = 0;
        Assert.True(team.TryRun(10, 3, _ => Interlocked.Increment(ref runs)));
        Assert.Equal(10, runs);
    }

    [Fact]
    public void ANestedCallIsRefusedSoTheCallerCanUseThePool()
    {
        var team = new KernelTeam(1);
        var nested = new bool[4];
        Assert.True(team.TryRun(4, 2, c => nested[c] = team.TryRun(1, 2, _ => { })));
        Assert.All(nested, n => Assert.False(n));
    }

    [Fact]
    public void RowParallelFromManyThreadsGivesEveryRowOnce()
    {
        // Callers race for the shared team; the losers take the thread-pool path. Either way every row is covered once.
        Parallel.For(0, 16, _ =>
        {
            for (var call = 0; call < 50; call++)
            {
                var rows = 1000 + call;
                var hits = new int[rows];
                RowParallel.For(rows, 1 << 12, 4, (start, end) =>
                {
                    Assert.Equal(0, start % 4);
                    for (var r = start; r < end; r++)
                        Interlocked.Increment(ref hits[r]);
                });
                Assert.All(hits, h => Assert.Equal(1, h));
            }
        });
    }
}
