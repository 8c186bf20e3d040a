// The gated activation of a SwiGLU MLP: silu(gate) · up, element-wise, in f32.
namespace Alloy.Inference.Kernels;

/// <summary><c>gate[i] ← silu(gate[i]) · up[i]</c> with <c>silu(z) = z / (1 + e^(−z))</c>.</summary>
public static class SiluGate
{
    /// <summary>
    /// Applies the gate in place. Large negative z gives −0 (e^(−z) overflows to +Inf); NaN propagates.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Apply(Span<float> gate, ReadOnlySpan<float> up)
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
