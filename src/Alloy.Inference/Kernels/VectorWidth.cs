// Which instruction width a SIMD kernel runs at. Kernels pick the widest accelerated one; tests force
// each width to compare it with the scalar twin.
using System.Runtime.Intrinsics;

namespace Alloy.Inference.Kernels;

/// <summary>The code path of a SIMD kernel.</summary>
public enum VectorWidth
{
    /// <summary>Plain scalar loop (the reference twin).</summary>
    Scalar,
    /// <summary>256-bit vectors (AVX2 on x64, or emulated where not accelerated).</summary>
    Vector256,
    /// <summary>512-bit vectors (AVX-512 on x64).</summary>
    Vector512,
}

/// <summary>Picks the widest accelerated <see cref="VectorWidth"/>.</summary>
public static class VectorWidths
{
    /// <summary>The width kernels use by default on this machine.</summary>
    public static VectorWidth Best { get; } =
        Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
        : Vector256.IsHardwareAccelerated ? VectorWidth.Vector256
        : VectorWidth.Scalar;

    /// <summary>True when <paramref name="width"/> runs in hardware here (scalar always does).</summary>
    public static bool IsAccelerated(VectorWidth width) => width switch
    {
        VectorWidth.Vector512 => Vector512.IsHardwareAccelerated,
        VectorWidth.Vector256 => Vector256.IsHardwareAccelerated,
        _ => true,
    };
}
