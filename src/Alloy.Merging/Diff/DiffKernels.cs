// Kernels for weight differences: sums of squares, dot products and task-vector sign agreement
// over fp32 spans, with a Vector256 path and a scalar twin. No allocation, no I/O.
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Alloy.Merging.Diff;

/// <summary>
/// Running sums for comparing tensors A and B (and optionally their task vectors against a base C):
/// Σa², Σb², Σ(b−a)², Σab; with a base, Σδa², Σδb², Σδaδb for δa = a − c, δb = b − c, and counts
/// of entries where both task-vector entries are non-zero and where their signs agree.
/// Sums are in double; a NaN or Inf in the input makes the affected sums NaN/Inf.
/// </summary>
public struct DiffSums
{
    /// <summary>Σ a².</summary>
    public double SumA2;
    /// <summary>Σ b².</summary>
    public double SumB2;
    /// <summary>Σ (b − a)².</summary>
    public double SumD2;
    /// <summary>Σ a·b.</summary>
    public double SumAB;
    /// <summary>Σ (a − c)², with a base.</summary>
    public double SumTa2;
    /// <summary>Σ (b − c)², with a base.</summary>
    public double SumTb2;
    /// <summary>Σ (a − c)(b − c), with a base.</summary>
    public double SumTaTb;
    /// <summary>Entries where a − c and b − c are both non-zero, with a base.</summary>
    public long BothNonZero;
    /// <summary>Entries where a − c and b − c are non-zero with the same sign, with a base.</summary>
    public long SignsAgree;
    /// <summary>Entries accumulated.</summary>
    public long Count;

    /// <summary>Adds another set of sums to this one.</summary>
    public void Add(in DiffSums o)
    {
        SumA2 += o.SumA2; SumB2 += o.SumB2; SumD2 += o.SumD2; SumAB += o.SumAB;
        SumTa2 += o.SumTa2; SumTb2 += o.SumTb2; SumTaTb += o.SumTaTb;
        BothNonZero += o.BothNonZero; SignsAgree += o.SignsAgree; Count += o.Count;
    }

    /// <summary>‖b − a‖ / ‖a‖; NaN when ‖a‖ = 0 and ‖b − a‖ = 0 is 0 → 0, else +Inf for ‖a‖ = 0.</summary>
    public readonly double RelativeL2 => SumA2 > 0 ? Math.Sqrt(SumD2 / SumA2) : SumD2 == 0 ? 0 : double.PositiveInfinity;

    /// <summary>a·b / (‖a‖‖b‖); 1 when both are zero, NaN when only one is.</summary>
    public readonly double Cosine => SumA2 > 0 && SumB2 > 0 ? SumAB / Math.Sqrt(SumA2 * SumB2) : SumA2 == 0 && SumB2 == 0 ? 1 : double.NaN;

    /// <summary>Cosine of the two task vectors (with a base); NaN when either is zero.</summary>
    public readonly double TaskCosine => SumTa2 > 0 && SumTb2 > 0 ? SumTaTb / Math.Sqrt(SumTa2 * SumTb2) : double.NaN;

    /// <summary>Share of entries with both task-vector entries non-zero whose signs agree; NaN when there are none.</summary>
    public readonly double SignAgreement => BothNonZero > 0 ? (double)SignsAgree / BothNonZero : double.NaN;
}

/// <summary>Accumulation kernels for <see cref="DiffSums"/>.</summary>
public static class DiffKernels
{
    /// <summary>Elements summed in fp32 lanes before the partial sums are added to the double totals.</summary>
    private const int Block = 1024;

    /// <summary>Accumulates Σa², Σb², Σ(b−a)², Σab over <paramref name="a"/>, <paramref name="b"/> (same length n).</summary>
    public static void Accumulate(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ref DiffSums sums)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"lengths differ: {a.Length} vs {b.Length}", nameof(b));
        if (Vector256.IsHardwareAccelerated)
            AccumulateVector256(a, b, ref sums);
        else
            AccumulateScalar(a, b, ref sums);
    }

    /// <summary>Scalar twin of <see cref="Accumulate(ReadOnlySpan{float}, ReadOnlySpan{float}, ref DiffSums)"/>, in double throughout.</summary>
    public static void AccumulateScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ref DiffSums sums)
    {
        for (var i = 0; i < a.Length; i++)
        {
            double x = a[i], y = b[i], d = y - x;
            sums.SumA2 += x * x;
            sums.SumB2 += y * y;
            sums.SumD2 += d * d;
            sums.SumAB += x * y;
        }
        sums.Count += a.Length;
    }

    internal static void AccumulateVector256(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ref DiffSums sums)
    {
        var n = a.Length;
        var i = 0;
        while (n - i >= Vector256<float>.Count)
        {
            var end = Math.Min(n, i + Block) - Vector256<float>.Count;
            Vector256<float> aa = default, bb = default, dd = default, ab = default;
            for (; i <= end; i += Vector256<float>.Count)
            {
                var x = Vector256.Create(a.Slice(i, Vector256<float>.Count));
                var y = Vector256.Create(b.Slice(i, Vector256<float>.Count));
                var d = y - x;
                aa = Vector256.FusedMultiplyAdd(x, x, aa);
                bb = Vector256.FusedMultiplyAdd(y, y, bb);
                dd = Vector256.FusedMultiplyAdd(d, d, dd);
                ab = Vector256.FusedMultiplyAdd(x, y, ab);
            }
            sums.SumA2 += Sum(aa);
            sums.SumB2 += Sum(bb);
            sums.SumD2 += Sum(dd);
            sums.SumAB += Sum(ab);
        }
        sums.Count += i;
        AccumulateScalar(a[i..], b[i..], ref sums);
    }

    /// <summary>
    /// Accumulates everything <see cref="Accumulate(ReadOnlySpan{float}, ReadOnlySpan{float}, ref DiffSums)"/> does plus
    /// the task-vector sums against base <paramref name="c"/> (all three the same length).
    /// </summary>
    public static void AccumulateWithBase(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ref DiffSums sums)
    {
        if (a.Length != b.Length || a.Length != c.Length)
            throw new ArgumentException($"lengths differ: {a.Length}, {b.Length}, {c.Length}", nameof(c));
        Accumulate(a, b, ref sums);
        if (Vector256.IsHardwareAccelerated)
            AccumulateTaskVector256(a, b, c, ref sums);
        else
            AccumulateTaskScalar(a, b, c, ref sums);
    }

    /// <summary>Scalar twin of the task-vector part of <see cref="AccumulateWithBase"/>, in double.</summary>
    public static void AccumulateTaskScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ref DiffSums sums)
    {
        for (var i = 0; i < a.Length; i++)
        {
            float ta = a[i] - c[i], tb = b[i] - c[i];
            sums.SumTa2 += (double)ta * ta;
            sums.SumTb2 += (double)tb * tb;
            sums.SumTaTb += (double)ta * tb;
            if (ta != 0 && tb != 0)
            {
                sums.BothNonZero++;
                if ((ta < 0) == (tb < 0))
                    sums.SignsAgree++;
            }
        }
    }

    internal static void AccumulateTaskVector256(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ref DiffSums sums)
    {
        var n = a.Length;
        var i = 0;
        while (n - i >= Vector256<float>.Count)
        {
            var end = Math.Min(n, i + Block) - Vector256<float>.Count;
            Vector256<float> aa = default, bb = default, ab = default;
            for (; i <= end; i += Vector256<float>.Count)
            {
                var z = Vector256.Create(c.Slice(i, Vector256<float>.Count));
                var x = Vector256.Create(a.Slice(i, Vector256<float>.Count)) - z;
                var y = Vector256.Create(b.Slice(i, Vector256<float>.Count)) - z;
                aa = Vector256.FusedMultiplyAdd(x, x, aa);
                bb = Vector256.FusedMultiplyAdd(y, y, bb);
                ab = Vector256.FusedMultiplyAdd(x, y, ab);
                var nonZero = ~Vector256.Equals(x, Vector256<float>.Zero) & ~Vector256.Equals(y, Vector256<float>.Zero);
                var agree = nonZero & ~(Vector256.LessThan(x, Vector256<float>.Zero) ^ Vector256.LessThan(y, Vector256<float>.Zero));
                sums.BothNonZero += BitOperations.PopCount(nonZero.ExtractMostSignificantBits());
                sums.SignsAgree += BitOperations.PopCount(agree.ExtractMostSignificantBits());
            }
            sums.SumTa2 += Sum(aa);
            sums.SumTb2 += Sum(bb);
            sums.SumTaTb += Sum(ab);
        }
        AccumulateTaskScalar(a[i..], b[i..], c[i..], ref sums);
    }

    private static double Sum(Vector256<float> v)
    {
        double s = 0;
        for (var k = 0; k < Vector256<float>.Count; k++)
            s += v[k];
        return s;
    }
}
