// The gated activation of a SwiGLU MLP: silu(gate) · up, element-wise, in f32. Vectorized through TensorPrimitives;
// the scalar loop is kept as the twin the tests compare it with.
using System.Numerics.Tensors;

namespace Alloy.Inference.Kernels;

/// <summary><c>gate[i] ← silu(gate[i]) · up[i]</c> with <c>silu(z) = z / (1 + e^(−z)) = z · sigmoid(z)</c>.</summary>
public static class SiluGate
{
    /// <summary>Elements per pass through the stack buffer that holds sigmoid(z).</summary>
    private const int Block = 512;

    /// <summary>
    /// Applies the gate in place. Large negative z gives −0 (sigmoid underflows to 0); NaN propagates.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Apply(Span<float> gate, ReadOnlySpan<float> up)
    {
        if (gate.Length != up.Length)
            throw new ArgumentException($"gate and up must have one length; got {gate.Length} and {up.Length}");
        Span<float> sigmoid = stackalloc float[Block];
        for (var start = 0; start < gate.Length; start += Block)
        {
            var n = Math.Min(Block, gate.Length - start);
            var z = gate.Slice(start, n);
            var s = sigmoid[..n];
            TensorPrimitives.Sigmoid(z, s);
            TensorPrimitives.Multiply(z, s, z);
            TensorPrimitives.Multiply(z, up.Slice(start, n), z);
        }
    }

    /// <summary>The scalar twin of <see cref="Apply"/> (MathF.Exp per element), for tests.</summary>
    internal static void ApplyScalar(Span<float> gate, ReadOnlySpan<float> up)
    {
        if (gate.Length != up.Length)
            throw new ArgumentException($"gate and up must have one length; got {gate.Length} and {up.Length}");
        for (var i = 0; i < gate.Length; i++)
        {
            var z = gate[i];
            gate[i] = z / (1f + MathF.Exp(-z)) * up[i];
        }
    }
}
