// The parallel histogram top-k of the chunked trims against the sequential MagnitudeSelection.TopK, with many exact
// magnitude ties so the in-order tie scan is exercised.
using Alloy.Merging.Methods;

namespace Alloy.Merging.Tests.Methods;

public sealed class ParallelTopKTests
{
    private sealed class Ranges(float[] model, float[] baseValues) : ITensorRanges
    {
        public long Length => model.Length;
        public int ModelCount => 1;
        public void ReadModel(int index, long start, Span<float> destination) => model.AsSpan((int)start, destination.Length).CopyTo(destination);
        public void ReadBase(long start, Span<float> destination) => baseValues.AsSpan((int)start, destination.Length).CopyTo(destination);
    }

    [Theory]
    [InlineData(5000, 0.5, 64)]
    [InlineData(4097, 0.1, 100)]
    [InlineData(1000, 0.999, 7)]
    [InlineData(1000, 0.001, 33)]
    public void Parallel_cut_equals_the_sequential_one(int n, double density, int window)
    {
        var random = new Random(n);
        // Magnitudes from a handful of values: almost every cut falls inside a run of ties.
        float[] levels = [0f, 0.125f, -0.125f, 0.25f, -0.5f, 0.5f, 1f];
        var x = Enumerable.Range(0, n).Select(_ => levels[random.Next(levels.Length)]).ToArray();
        var b = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? 0.125f : 0f).ToArray();
        var k = MagnitudeSelection.CountForFraction(density, n);
        var expected = MagnitudeSelection.TopK(new DifferenceSource(x, b), k, new long[MagnitudeSelection.BinCount]);
        var actual = TaskArithmeticFamily.ParallelTopK(new Ranges(x, b), 0, k, window, 3);
        Assert.Equal(expected, actual);
    }
}
