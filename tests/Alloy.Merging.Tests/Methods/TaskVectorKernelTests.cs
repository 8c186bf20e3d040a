// Each Vector256 kernel of the task-vector combine against its scalar twin, bit for bit, on data with NaN, ±∞, ±0,
// exact magnitude ties at the cuts and lengths that leave a scalar tail.
using Alloy.Merging.Methods;

namespace Alloy.Merging.Tests.Methods;

public sealed class TaskVectorKernelTests
{
    private static float[] Values(int n, int seed)
    {
        var random = new Random(seed);
        var values = new float[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (random.Next(12)) switch
            {
                0 => 0f,
                1 => -0f,
                2 => 0.25f,
                3 => -0.25f,
                4 => i % 7 == 0 ? float.NaN : 0.5f,
                5 => i % 11 == 0 ? float.PositiveInfinity : -0.5f,
                6 => i % 13 == 0 ? float.NegativeInfinity : 3e38f,
                _ => (float)((random.NextDouble() * 2) - 1),
            };
        }
        return values;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (var i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}: element {i}: scalar {expected[i]} vs vector {actual[i]}");
    }

    [Theory]
    [InlineData(61, 1)]
    [InlineData(1000, 2)]
    public void Magnitude_keep_vector_equals_scalar(int n, int seed)
    {
        var x = Values(n, seed);
        var b = Values(n, seed + 100);
        // Cuts at a key that occurs (0.5 − 0.25 = 0.25 and similar differences repeat), with a tie index inside the range.
        var keyOf = MagnitudeSelection.KeyOf(0.25f);
        foreach (var band in new[]
        {
            new TrimBand(new RankCut(keyOf, n / 2), RankCut.None),
            new TrimBand(new RankCut(MagnitudeSelection.KeyOf(0.1f), long.MaxValue), new RankCut(MagnitudeSelection.KeyOf(0.75f), n / 3)),
            new TrimBand(RankCut.All, RankCut.None),
            new TrimBand(RankCut.None, RankCut.None),
        })
        {
            var scalar = new float[n];
            var vector = new float[n];
            TaskVectorKernels.MagnitudeKeepScalar(x, b, 1000, band, 2f, scalar, 0);
            TaskVectorKernels.MagnitudeKeepVector(x, b, 1000, band, 2f, vector);
            AssertSameBits(scalar, vector, $"band {band}");
        }
    }

    [Fact]
    public void Weight_vector_equals_scalar()
    {
        const int n = 203;
        var x = Values(n, 3);
        var b = Values(n, 4);
        var scalar = Values(n, 5);
        var vector = (float[])scalar.Clone();
        TaskVectorKernels.WeightScalar(x, b, 1.37f, -0.6f, scalar, 0);
        TaskVectorKernels.Weight(x, b, 1.37f, -0.6f, vector);
        AssertSameBits(scalar, vector, "weight");
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(5, false)]
    public void Combine_vector_equals_scalar(int models, bool consensus)
    {
        const int count = 301, stride = 320;
        var deltas = Values(models * stride, 6 + models);
        var baseChunk = Values(count, 7);
        float[] weights = [.. Enumerable.Range(0, models).Select(i => i % 2 == 0 ? 0.4f : -0.4f)];
        foreach (var normalize in new[] { true, false })
        {
            var scalar = new float[count];
            var vector = new float[count];
            TaskVectorKernels.CombineScalar(deltas, models, stride, count, weights, consensus, normalize, 0.7f, 1.3f, baseChunk, scalar, 0);
            TaskVectorKernels.CombineVector(deltas, models, stride, count, weights, consensus, normalize, 0.7f, 1.3f, baseChunk, vector);
            AssertSameBits(scalar, vector, $"{models} models, consensus {consensus}, normalize {normalize}");
        }
    }

    [Theory]
    [InlineData(0.5f, 0L)]
    [InlineData(0.3f, 123_456_789L)]
    [InlineData(0.999f, 7L)]
    [InlineData(1e-7f, 0L)]
    [InlineData(0.0625f, 1L << 33)]
    public void Random_keep_vector_equals_scalar(float density, long start)
    {
        var random = new CounterRandom(42, "model.layers.0.mlp.up_proj.weight", 1);
        var scalar = new float[4099];
        var vector = new float[4099];
        TaskVectorKernels.RandomKeepScalar(random, start, density, 1f / density, scalar, 0);
        TaskVectorKernels.RandomKeepVector(random, start, density, 1f / density, vector);
        AssertSameBits(scalar, vector, $"density {density}");
    }
}

public sealed class NonFiniteCountTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(1001)]
    [InlineData(70_000)]
    public void Vector_count_equals_the_scalar_twin(int n)
    {
        var random = new Random(n);
        var values = new float[n];
        for (var i = 0; i < n; i++)
            values[i] = random.Next(6) switch
            {
                0 => float.NaN,
                1 => float.PositiveInfinity,
                2 => float.NegativeInfinity,
                3 => float.MaxValue,
                4 => BitConverter.Int32BitsToSingle(0x7F80_0001),
                _ => (float)random.NextDouble(),
            };
        Assert.Equal(Alloy.Merging.Execution.MergeExecutor.CountNonFiniteScalar(values), Alloy.Merging.Execution.MergeExecutor.CountNonFinite(values));
    }
}
