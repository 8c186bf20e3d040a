// Whole-span reductions accumulated in fp64 (dot products, norms, L1 sums) for the methods whose math needs them.
// Scalar code with four independent accumulators; element-wise work stays in the methods.
namespace Alloy.Merging.Methods;

/// <summary>Reductions over fp32 spans with fp64 accumulation. NaN or ∞ in an input gives NaN or ∞, as IEEE arithmetic does.</summary>
public static class Reductions
{
    /// <summary>Σ aᵢ·bᵢ.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("spans differ in length");
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= a.Length; i += 4)
        {
            s0 += (double)a[i] * b[i];
            s1 += (double)a[i + 1] * b[i + 1];
            s2 += (double)a[i + 2] * b[i + 2];
            s3 += (double)a[i + 3] * b[i + 3];
        }
        for (; i < a.Length; i++) s0 += (double)a[i] * b[i];
        return (s0 + s1) + (s2 + s3);
    }

    /// <summary>Σ aᵢ².</summary>
    public static double SumOfSquares(ReadOnlySpan<float> a) => Dot(a, a);

    /// <summary>‖a‖₂.</summary>
    public static double Norm(ReadOnlySpan<float> a) => Math.Sqrt(Dot(a, a));

    /// <summary>Σ (aᵢ − cᵢ)·(bᵢ − cᵢ), each difference rounded to fp32 first (the deltas the methods use).</summary>
    public static double DotOfDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        if (a.Length != b.Length || a.Length != c.Length) throw new ArgumentException("spans differ in length");
        double s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 2 <= a.Length; i += 2)
        {
            s0 += (double)(a[i] - c[i]) * (b[i] - c[i]);
            s1 += (double)(a[i + 1] - c[i + 1]) * (b[i + 1] - c[i + 1]);
        }
        for (; i < a.Length; i++) s0 += (double)(a[i] - c[i]) * (b[i] - c[i]);
        return s0 + s1;
    }

    /// <summary>Σ |aᵢ − bᵢ| with each difference rounded to fp32 first.</summary>
    public static double SumAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("spans differ in length");
        double s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 2 <= a.Length; i += 2)
        {
            s0 += Math.Abs(a[i] - b[i]);
            s1 += Math.Abs(a[i + 1] - b[i + 1]);
        }
        for (; i < a.Length; i++) s0 += Math.Abs(a[i] - b[i]);
        return s0 + s1;
    }
}

/// <summary>
/// <see cref="Reductions.Dot"/> over a span fed in consecutive parts: every part but the last must have a length that is a
/// multiple of 4, so each element lands in the same one of the four accumulators and the result has the same bits.
/// </summary>
internal struct DotAccumulator
{
    private double s0, s1, s2, s3;
    private bool ended;

    /// <summary>Adds the next part (a·b element-wise).</summary>
    public void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("spans differ in length");
        if (ended) throw new InvalidOperationException("a part whose length is not a multiple of 4 must be the last");
        int i = 0;
        for (; i + 4 <= a.Length; i += 4)
        {
            s0 += (double)a[i] * b[i];
            s1 += (double)a[i + 1] * b[i + 1];
            s2 += (double)a[i + 2] * b[i + 2];
            s3 += (double)a[i + 3] * b[i + 3];
        }
        for (; i < a.Length; i++) s0 += (double)a[i] * b[i];
        ended = a.Length % 4 != 0;
    }

    /// <summary>Σ aᵢ·bᵢ over all parts.</summary>
    public readonly double Result => (s0 + s1) + (s2 + s3);
}
