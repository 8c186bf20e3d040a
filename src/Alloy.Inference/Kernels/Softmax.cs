// Numerically stable softmax over one f32 vector, in place (attention scores, sampling). Vectorized through
// TensorPrimitives; the scalar loop is kept as the twin the tests compare it with.
using System.Numerics.Tensors;

namespace Alloy.Inference.Kernels;

/// <summary>Softmax: <c>p[i] = exp(x[i] − max x) / Σⱼ exp(x[j] − max x)</c>.</summary>
public static class Softmax
{
    /// <summary>
    /// Replaces <paramref name="values"/> by its softmax. −Inf entries get probability 0; if every entry
    /// is −Inf, or any is NaN or +Inf, the result is NaN. An empty span is left as is.
    /// </summary>
    public static void InPlace(Span<float> values)
    {
        if (values.IsEmpty)
            return;
        var max = TensorPrimitives.Max((ReadOnlySpan<float>)values);
        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp(values, values);
        var sum = TensorPrimitives.Sum((ReadOnlySpan<float>)values);
        TensorPrimitives.Multiply(values, 1f / sum, values);
    }

    /// <summary>The scalar twin of <see cref="InPlace"/> (MathF.Exp per element, sums in order), for tests.</summary>
    internal static void InPlaceScalar(Span<float> values)
    {
        if (values.IsEmpty)
            return;
        var max = float.NegativeInfinity;
        foreach (var v in values)
            max = MathF.Max(max, v);
        var sum = 0f;
        for (var i = 0; i < values.Length; i++)
        {
            var e = MathF.Exp(values[i] - max);
            values[i] = e;
            sum += e;
        }
        var inverse = 1f / sum;
        for (var i = 0; i < values.Length; i++)
            values[i] *= inverse;
    }
}
