// Root-mean-square layer normalisation in f32 (Llama/Qwen RMSNorm). A static span kernel; it does not
// know which tensor it normalises.
using System.Numerics.Tensors;

namespace Alloy.Inference.Kernels;

/// <summary>RMSNorm: <c>y[i] = weight[i] · x[i] / sqrt(mean(x²) + eps)</c>, all f32.</summary>
public static class RmsNorm
{
    /// <summary>
    /// Normalises one vector. <paramref name="x"/> and <paramref name="y"/> may be the same span.
    /// NaN or Inf in x make every output NaN; an all-zero x gives zeros (eps keeps the root positive).
    /// </summary>
    /// <param name="x">Input, [n].</param>
    /// <param name="weight">Per-feature scale, [n].</param>
    /// <param name="eps">Added to the mean square (rms_norm_eps), &gt; 0.</param>
    /// <param name="y">Output, [n].</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<float> y)
    {
        if (weight.Length != x.Length || y.Length != x.Length)
            throw new ArgumentException($"x, weight and y must have one length; got {x.Length}, {weight.Length}, {y.Length}");
        var meanSquare = TensorPrimitives.SumOfSquares(x) / x.Length;
        var inverseRoot = 1f / MathF.Sqrt(meanSquare + eps);
        TensorPrimitives.Multiply(x, inverseRoot, y);
        TensorPrimitives.Multiply(y, weight, y);
    }

    /// <summary>Normalises each of <paramref name="count"/> consecutive vectors of <c>weight.Length</c> floats in place.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is shorter than count × weight.Length.</exception>
    public static void ApplyRows(Span<float> values, int count, ReadOnlySpan<float> weight, float eps)
    {
        var n = weight.Length;
        if ((long)count * n > values.Length)
            throw new ArgumentException($"{count} rows of {n} need {(long)count * n} floats; got {values.Length}", nameof(values));
        for (var r = 0; r < count; r++)
        {
            var row = values.Slice(r * n, n);
            Apply(row, weight, eps, row);
        }
    }
}
