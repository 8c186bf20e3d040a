// The hot element-wise loops of the task-vector combine (magnitude keep mask, weighted deltas, sign election and mean),
// each as a scalar reference and a Vector256 twin that must give the same bits. Not the merge logic itself.
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Alloy.Merging.Methods;

/// <summary>
/// Kernels of <see cref="TaskArithmeticFamily"/>. The Vector256 versions do the same fp32 operations in the same order as
/// the scalar ones (no fused multiply-add), so the results are bit-identical; tests compare the twins.
/// </summary>
internal static class TaskVectorKernels
{
    /// <summary>Whether the vector twins run (else the scalar ones).</summary>
    public static bool UseVectors { get; } = Vector256.IsHardwareAccelerated;

    /// <summary>m[j] = band.Contains(x[j] − b[j], start + j) ? kept : 0.</summary>
    public static void MagnitudeKeep(ReadOnlySpan<float> x, ReadOnlySpan<float> b, long start, TrimBand band, float kept, Span<float> m)
    {
        if (UseVectors) MagnitudeKeepVector(x, b, start, band, kept, m);
        else MagnitudeKeepScalar(x, b, start, band, kept, m, 0);
    }

    /// <summary>Scalar twin of <see cref="MagnitudeKeep"/> from element <paramref name="from"/> on.</summary>
    public static void MagnitudeKeepScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> b, long start, TrimBand band, float kept, Span<float> m, int from)
    {
        for (int j = from; j < m.Length; j++)
            m[j] = band.Contains(x[j] - b[j], start + j) ? kept : 0f;
    }

    /// <summary>Vector twin of <see cref="MagnitudeKeep"/>; a block holding an entry equal to a cut's key goes the scalar way (index tie-break).</summary>
    public static void MagnitudeKeepVector(ReadOnlySpan<float> x, ReadOnlySpan<float> b, long start, TrimBand band, float kept, Span<float> m)
    {
        int n = m.Length, w = Vector256<float>.Count, j = 0;
        var keepKey = Vector256.Create(band.Keep.Key);
        var outKey = Vector256.Create(band.Outliers.Key);
        var magnitude = Vector256.Create(0x7FFF_FFFFu);
        var keptValue = Vector256.Create(kept);
        for (; j + w <= n; j += w)
        {
            var delta = Vector256.Create(x.Slice(j, w)) - Vector256.Create(b.Slice(j, w));
            var key = delta.AsUInt32() & magnitude;
            var ties = Vector256.Equals(key, keepKey) | Vector256.Equals(key, outKey);
            if (ties != Vector256<uint>.Zero)
            {
                for (int e = j; e < j + w; e++) m[e] = band.Contains(x[e] - b[e], start + e) ? kept : 0f;
                continue;
            }
            var inBand = Vector256.GreaterThan(key, keepKey) & ~Vector256.GreaterThan(key, outKey);
            (inBand.AsSingle() & keptValue).CopyTo(m.Slice(j, w));
        }
        MagnitudeKeepScalar(x, b, start, band, kept, m, j);
    }

    /// <summary>d[j] = weight · ((x[j] − b[j]) · (d[j] · factor)): the keep multiplier in d becomes the weighted sparse delta.</summary>
    public static void Weight(ReadOnlySpan<float> x, ReadOnlySpan<float> b, float factor, float weight, Span<float> d)
    {
        int j = 0;
        if (UseVectors)
        {
            int w = Vector256<float>.Count;
            var f = Vector256.Create(factor);
            var wt = Vector256.Create(weight);
            for (; j + w <= d.Length; j += w)
            {
                var delta = Vector256.Create(x.Slice(j, w)) - Vector256.Create(b.Slice(j, w));
                (wt * (delta * (Vector256.Create(d.Slice(j, w)) * f))).CopyTo(d.Slice(j, w));
            }
        }
        WeightScalar(x, b, factor, weight, d, j);
    }

    /// <summary>Scalar twin of <see cref="Weight"/> from element <paramref name="from"/> on.</summary>
    public static void WeightScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> b, float factor, float weight, Span<float> d, int from)
    {
        for (int j = from; j < d.Length; j++) d[j] = weight * ((x[j] - b[j]) * (d[j] * factor));
    }

    /// <summary>
    /// The combine over <paramref name="count"/> elements: model i's weighted deltas are deltas[i·stride ..]. With
    /// <paramref name="consensus"/>, TIES sign election over the fp64 order-free sum and the disjoint mean; else the plain
    /// sum over <paramref name="plainDivisor"/>. output[j] = base[j] + mixed·λ.
    /// </summary>
    public static void Combine(ReadOnlySpan<float> deltas, int models, int stride, int count, ReadOnlySpan<float> weights, bool consensus,
        bool normalize, float plainDivisor, float lambda, ReadOnlySpan<float> baseChunk, Span<float> output)
    {
        // The fp32 election sum has the sign (and NaN-ness) of the fp64 one only for one or two models.
        if (UseVectors && (!consensus || models <= 2))
            CombineVector(deltas, models, stride, count, weights, consensus, normalize, plainDivisor, lambda, baseChunk, output);
        else
            CombineScalar(deltas, models, stride, count, weights, consensus, normalize, plainDivisor, lambda, baseChunk, output, 0);
    }

    /// <summary>Scalar twin of <see cref="Combine"/> from element <paramref name="from"/> on (the reference semantics).</summary>
    public static void CombineScalar(ReadOnlySpan<float> deltas, int models, int stride, int count, ReadOnlySpan<float> weights, bool consensus,
        bool normalize, float plainDivisor, float lambda, ReadOnlySpan<float> baseChunk, Span<float> output, int from)
    {
        Span<float> d = stackalloc float[models];
        Span<float> sumWork = stackalloc float[models];
        for (int j = from; j < count; j++)
        {
            for (int i = 0; i < models; i++) d[i] = deltas[i * stride + j];
            double electionSum = OrderFreeSum.Sum(d, sumWork);
            float mixed;
            if (double.IsNaN(electionSum))
            {
                mixed = float.NaN;
            }
            else if (consensus)
            {
                bool positive = electionSum >= 0;
                float sum = 0, divisor = 0;
                for (int i = 0; i < models; i++)
                {
                    float v = d[i];
                    if (positive ? v > 0 : v < 0)
                    {
                        sum += v;
                        divisor += weights[i];
                    }
                }
                if (divisor == 0) divisor = 1;
                mixed = normalize ? sum / divisor : sum;
            }
            else
            {
                float sum = 0;
                for (int i = 0; i < models; i++) sum += d[i];
                mixed = normalize ? sum / plainDivisor : sum;
            }
            output[j] = baseChunk[j] + mixed * lambda;
        }
    }

    /// <summary>
    /// Vector twin of <see cref="Combine"/>. Adding +0 for a model that does not agree leaves the fp32 sums unchanged (they
    /// start at +0 and never become −0), so masking equals the scalar's skipping.
    /// </summary>
    public static void CombineVector(ReadOnlySpan<float> deltas, int models, int stride, int count, ReadOnlySpan<float> weights, bool consensus,
        bool normalize, float plainDivisor, float lambda, ReadOnlySpan<float> baseChunk, Span<float> output)
    {
        int w = Vector256<float>.Count, j = 0;
        var zero = Vector256<float>.Zero;
        var one = Vector256.Create(1f);
        var nan = Vector256.Create(float.NaN);
        var lam = Vector256.Create(lambda);
        var plain = Vector256.Create(plainDivisor);
        for (; j + w <= count; j += w)
        {
            Vector256<float> election = zero, sum = zero, divisor = zero;
            for (int i = 0; i < models; i++) election += Vector256.Create(deltas.Slice(i * stride + j, w));
            var isNaN = ~Vector256.Equals(election, election);
            Vector256<float> mixed;
            if (consensus)
            {
                var positive = Vector256.GreaterThanOrEqual(election, zero);
                for (int i = 0; i < models; i++)
                {
                    var v = Vector256.Create(deltas.Slice(i * stride + j, w));
                    var agree = Vector256.ConditionalSelect(positive, Vector256.GreaterThan(v, zero), Vector256.LessThan(v, zero));
                    sum += v & agree;
                    divisor += Vector256.Create(weights[i]) & agree;
                }
                divisor = Vector256.ConditionalSelect(Vector256.Equals(divisor, zero), one, divisor);
                mixed = normalize ? sum / divisor : sum;
            }
            else
            {
                for (int i = 0; i < models; i++) sum += Vector256.Create(deltas.Slice(i * stride + j, w));
                mixed = normalize ? sum / plain : sum;
            }
            mixed = Vector256.ConditionalSelect(isNaN, nan, mixed);
            (Vector256.Create(baseChunk.Slice(j, w)) + (mixed * lam)).CopyTo(output.Slice(j, w));
        }
        CombineScalar(deltas, models, stride, count, weights, consensus, normalize, plainDivisor, lambda, baseChunk, output, j);
    }

    /// <summary>m[j] = random.Uniform(start + j) &lt; density ? kept : 0 (DARE's Bernoulli keep).</summary>
    public static void RandomKeep(in CounterRandom random, long start, float density, float kept, Span<float> m)
    {
        if (UseVectors) RandomKeepVector(random, start, density, kept, m);
        else RandomKeepScalar(random, start, density, kept, m, 0);
    }

    /// <summary>Scalar twin of <see cref="RandomKeep"/> from element <paramref name="from"/> on.</summary>
    public static void RandomKeepScalar(in CounterRandom random, long start, float density, float kept, Span<float> m, int from)
    {
        for (int j = from; j < m.Length; j++)
            m[j] = random.Uniform(start + j) < density ? kept : 0f;
    }

    /// <summary>
    /// Vector twin of <see cref="RandomKeep"/>: the draw is h/2²⁴ with the integer h = Mix(…) &gt;&gt; 40, so u &lt; density
    /// exactly when h &lt; ⌈density·2²⁴⌉ (both sides exact); the SplitMix64 steps run on four 64-bit lanes.
    /// </summary>
    public static void RandomKeepVector(in CounterRandom random, long start, float density, float kept, Span<float> m)
    {
        int n = m.Length, j = 0;
        var threshold = Vector256.Create((ulong)Math.Ceiling(density * 16777216.0));
        var key = Vector256.Create(random.Key);
        var gamma = Vector256.Create(CounterRandom.Increment);
        var lanes = Vector256.Create(1UL, 2UL, 3UL, 4UL);
        var four = Vector256.Create(4UL);
        var keptValue = Vector256.Create(kept);
        for (; j + 8 <= n; j += 8)
        {
            var first = Vector256.Create((ulong)(start + j)) + lanes;
            var low = Keep(key + (first * gamma), threshold);
            var high = Keep(key + ((first + four) * gamma), threshold);
            var mask = Vector256.Narrow(low, high).AsSingle();
            (mask & keptValue).CopyTo(m.Slice(j, 8));
        }
        RandomKeepScalar(random, start, density, kept, m, j);

        static Vector256<ulong> Keep(Vector256<ulong> z, Vector256<ulong> threshold)
        {
            z = (z ^ Vector256.ShiftRightLogical(z, 30)) * Vector256.Create(0xBF58476D1CE4E5B9UL);
            z = (z ^ Vector256.ShiftRightLogical(z, 27)) * Vector256.Create(0x94D049BB133111EBUL);
            z ^= Vector256.ShiftRightLogical(z, 31);
            return Vector256.LessThan(Vector256.ShiftRightLogical(z, 40), threshold);
        }
    }
}
