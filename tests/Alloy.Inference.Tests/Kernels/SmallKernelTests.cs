// RMSNorm, rotary, softmax, SiLU gate and the attention pieces against direct double-precision formulas; the
// vectorized SiLU gate against its scalar twin.
using Alloy.Inference.Kernels;

namespace Alloy.Inference.Tests.Kernels;

public class SmallKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(133)]
    public void RmsNorm_matches_the_formula(int n)
    {
        var random = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        var w = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() + 0.5)).ToArray();
        var y = new float[n];
        RmsNorm.Apply(x, w, 1e-6f, y);
        var rms = Math.Sqrt(x.Sum(v => (double)v * v) / n + 1e-6);
        for (var i = 0; i < n; i++)
            Assert.Equal(w[i] * x[i] / rms, y[i], 1e-5);
    }

    [Fact]
    public void Rotary_rotates_pairs_of_halves_and_keeps_their_length()
    {
        var inv = Rotary.InverseFrequencies(8, 10000, null);
        Assert.Equal(1f, inv[0]);
        Assert.Equal(1 / Math.Pow(10000, 6.0 / 8), inv[3], 1e-6);
        var cos = new float[4];
        var sin = new float[4];
        Rotary.Angles(3, inv, cos, sin);
        float[] head = [1, 2, 3, 4, 5, 6, 7, 8];
        var rotated = (float[])head.Clone();
        Rotary.Apply(rotated, cos, sin);
        for (var i = 0; i < 4; i++)
        {
            var angle = 3.0 * inv[i];
            Assert.Equal(head[i] * Math.Cos(angle) - head[i + 4] * Math.Sin(angle), rotated[i], 1e-5);
            Assert.Equal(head[i + 4] * Math.Cos(angle) + head[i] * Math.Sin(angle), rotated[i + 4], 1e-5);
        }
        Rotary.Angles(0, inv, cos, sin);
        var atZero = (float[])head.Clone();
        Rotary.Apply(atZero, cos, sin);
        Assert.Equal(head, atZero);
    }

    [Fact]
    public void Llama3_scaling_divides_low_frequencies_and_keeps_high_ones()
    {
        var plain = Rotary.InverseFrequencies(128, 500000, null);
        var scaled = Rotary.InverseFrequencies(128, 500000, new Llama3RopeScaling(8, 1, 4, 8192));
        Assert.Equal(plain[0], scaled[0]);                  // wavelength 2π: far below 8192/4
        Assert.Equal(plain[63] / 8, scaled[63], 1e-12);    // wavelength far above 8192
        for (var i = 0; i < 64; i++)
            Assert.InRange(scaled[i], plain[i] / 8 * (1 - 1e-6), plain[i] * (1 + 1e-6));
    }

    [Fact]
    public void Softmax_is_a_distribution_and_ignores_minus_infinity()
    {
        float[] v = [1, 2, float.NegativeInfinity, 3];
        Softmax.InPlace(v);
        var z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(Math.Exp(1) / z, v[0], 1e-6);
        Assert.Equal(0f, v[2]);
        Assert.Equal(1.0, v.Sum(), 1e-6);
        float[] large = [1000, 1000];
        Softmax.InPlace(large);
        Assert.Equal([0.5f, 0.5f], large);
    }

    [Fact]
    public void SiluGate_matches_the_formula_and_saturates_without_nan()
    {
        float[] gate = [-2, 0, 1.5f, -200, 200];
        float[] up = [3, 4, 2, 1, 0.5f];
        SiluGate.Apply(gate, up);
        Assert.Equal(-2 / (1 + Math.Exp(2)) * 3, gate[0], 1e-6);
        Assert.Equal(0f, gate[1]);
        Assert.Equal(1.5 / (1 + Math.Exp(-1.5)) * 2, gate[2], 1e-6);
        Assert.Equal(0f, gate[3]);
        Assert.Equal(100f, gate[4]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(3072 * 8 + 5)]
    public void SiluGate_equals_its_scalar_twin(int n)
    {
        var random = new Random(n);
        var gate = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 60 - 30)).ToArray();
        var up = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        if (n > 4)
        {
            gate[1] = -200;
            gate[2] = 200;
            gate[3] = float.NaN;
        }
        var scalar = gate.ToArray();
        SiluGate.Apply(gate, up);
        SiluGate.ApplyScalar(scalar, up);
        for (var i = 0; i < n; i++)
        {
            if (float.IsNaN(scalar[i]))
                Assert.True(float.IsNaN(gate[i]));
            else
                Assert.Equal(scalar[i], gate[i], Math.Max(1e-30f, Math.Abs(scalar[i]) * 2e-6f));
        }
    }

    [Fact]
    public void Attention_pieces_pick_their_kv_head()
    {
        // 2 positions × 2 kv heads × head dim 2.
        float[] keys = [1, 0, 9, 9, 0, 1, 9, 9];
        float[] values = [1, 2, 7, 7, 3, 4, 7, 7];
        var scores = new float[2];
        Attention.Scores([2, 3], keys, 0, 2, 0.5f, scores);
        Assert.Equal([1f, 1.5f], scores);
        var output = new float[2];
        Attention.AccumulateValues([0.25f, 0.75f], values, 0, 2, output);
        Assert.Equal([0.25f * 1 + 0.75f * 3, 0.25f * 2 + 0.75f * 4], output);
    }
}
