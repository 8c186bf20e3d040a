// The two-head attention kernels against their per-head twins (Attention.Scores / AccumulateValues) on f32 and bf16 rows,
// for row counts that leave every tail of the 4-row score loop and head widths 64 and 128; and the vectorized softmax
// against its scalar twin, NaN and infinities included.
using Alloy.Inference.Kernels;
using Alloy.Tensors.Conversions;

namespace Alloy.Inference.Tests.Kernels;

public unsafe class PairAttentionTests
{
    public static TheoryData<int, int, bool> Shapes()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (var n in new[] { 1, 3, 4, 5, 7, 64, 67 })
            foreach (var d in new[] { 64, 128 })
                foreach (var bf16 in new[] { false, true })
                    data.Add(n, d, bf16);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Pair_kernels_equal_the_per_head_kernels(int n, int d, bool bf16)
    {
        if (!PairAttention.Supports(d))
            return; // no 512-bit vectors here: the model uses the per-head kernels, which the other tests cover
        const int kvHeads = 3, kvHead = 1;
        var random = new Random(n * 1000 + d + (bf16 ? 1 : 0));
        float Next() => (float)(random.NextDouble() * 2 - 1);
        var rows = Enumerable.Range(0, n * kvHeads * d).Select(_ => Next()).ToArray();
        var bits = new ushort[rows.Length];
        BFloat16Conversions.FromSingle(rows, bits);
        if (bf16)
            BFloat16Conversions.ToSingle(bits, rows); // the f32 twin sees the widened values
        var q0 = Enumerable.Range(0, d).Select(_ => Next()).ToArray();
        var q1 = Enumerable.Range(0, d).Select(_ => Next()).ToArray();
        const float scale = 0.125f;

        var expected0 = new float[n];
        var expected1 = new float[n];
        Attention.Scores(q0, rows, kvHead, kvHeads, scale, expected0);
        Attention.Scores(q1, rows, kvHead, kvHeads, scale, expected1);
        var actual0 = new float[n];
        var actual1 = new float[n];
        var weights0 = Enumerable.Range(0, n).Select(_ => Next()).ToArray();
        var weights1 = Enumerable.Range(0, n).Select(_ => Next()).ToArray();
        var sums0 = new float[d];
        var sums1 = new float[d];
        var elementSize = bf16 ? 2 : 4;
        var stride = (nint)kvHeads * d * elementSize;
        fixed (float* f = rows, p0 = q0, p1 = q1, a0 = actual0, a1 = actual1, w0 = weights0, w1 = weights1, o0 = sums0, o1 = sums1)
        fixed (ushort* b = bits)
        {
            var start = bf16 ? (byte*)b + kvHead * d * 2 : (byte*)f + kvHead * d * 4;
            if (bf16)
            {
                PairAttention.Scores<Bf16Format>(p0, p1, start, stride, n, d, scale, a0, a1);
                PairAttention.AccumulateValues<Bf16Format>(w0, w1, start, stride, n, d, o0, o1);
            }
            else
            {
                PairAttention.Scores<F32Format>(p0, p1, start, stride, n, d, scale, a0, a1);
                PairAttention.AccumulateValues<F32Format>(w0, w1, start, stride, n, d, o0, o1);
            }
        }
        for (var j = 0; j < n; j++)
        {
            Assert.Equal(expected0[j], actual0[j], 1e-5f);
            Assert.Equal(expected1[j], actual1[j], 1e-5f);
        }
        var reference0 = new float[d];
        var reference1 = new float[d];
        Attention.AccumulateValues(weights0, rows, kvHead, kvHeads, reference0);
        Attention.AccumulateValues(weights1, rows, kvHead, kvHeads, reference1);
        if (bf16)
        {
            // Same widening, same order of fused multiply-adds per element as the bf16 per-head form.
            var referenceBits0 = new float[d];
            Attention.AccumulateValues(weights0, bits, kvHead, kvHeads, referenceBits0);
            Assert.Equal(referenceBits0, sums0);
        }
        for (var i = 0; i < d; i++)
        {
            Assert.Equal(reference0[i], sums0[i], 1e-5f);
            Assert.Equal(reference1[i], sums1[i], 1e-5f);
        }
    }

    [Fact]
    public void A_head_passed_twice_gets_its_own_sums()
    {
        if (!PairAttention.Supports(64))
            return;
        const int n = 9, d = 64;
        var random = new Random(3);
        var rows = Enumerable.Range(0, n * d).Select(_ => (float)random.NextDouble()).ToArray();
        var q = Enumerable.Range(0, d).Select(_ => (float)random.NextDouble()).ToArray();
        var w = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        var expectedScores = new float[n];
        Attention.Scores(q, rows, 0, 1, 1f, expectedScores);
        var expectedSums = new float[d];
        Attention.AccumulateValues(w, rows, 0, 1, expectedSums);
        var scores = new float[n];
        var sums = new float[d];
        fixed (float* r = rows, p = q, s = scores, ws = w, o = sums)
        {
            PairAttention.Scores<F32Format>(p, p, (byte*)r, d * 4, n, d, 1f, s, s);
            PairAttention.AccumulateValues<F32Format>(ws, ws, (byte*)r, d * 4, n, d, o, o);
        }
        for (var j = 0; j < n; j++)
            Assert.Equal(expectedScores[j], scores[j], 1e-5f);
        for (var i = 0; i < d; i++)
            Assert.Equal(expectedSums[i], sums[i], 1e-5f);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(1042)]
    [InlineData(151_936)]
    public void Softmax_equals_its_scalar_twin(int n)
    {
        var random = new Random(n);
        var values = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 40 - 20)).ToArray();
        if (n > 3)
            values[2] = float.NegativeInfinity;
        var scalar = values.ToArray();
        Softmax.InPlace(values);
        Softmax.InPlaceScalar(scalar);
        for (var i = 0; i < n; i++)
            Assert.Equal(scalar[i], values[i], Math.Max(1e-7f, scalar[i] * 1e-5f));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Softmax_of_nan_or_plus_infinity_is_nan_like_its_twin(float poison)
    {
        float[] values = [1, 2, poison, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
        var scalar = values.ToArray();
        Softmax.InPlace(values);
        Softmax.InPlaceScalar(scalar);
        Assert.All(values, v => Assert.True(float.IsNaN(v)));
        Assert.All(scalar, v => Assert.True(float.IsNaN(v)));
        float[] minus = [float.NegativeInfinity, float.NegativeInfinity];
        Softmax.InPlace(minus);
        Assert.All(minus, v => Assert.True(float.IsNaN(v)));
    }
}
