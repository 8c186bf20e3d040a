// How the matrix kernels read one weight element type: bf16 widened to f32 in registers (a 16-bit
// shift), or f32 as is. Used as generic arguments so the JIT emits one specialised loop per format.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Alloy.Inference.Kernels;

/// <summary>Element loads for one weight storage format; all loads return float32 lanes.</summary>
internal unsafe interface IWeightFormat
{
    /// <summary>Bytes per stored element.</summary>
    static abstract int ElementSize { get; }

    /// <summary>Element <paramref name="index"/> of the row at <paramref name="row"/>, widened.</summary>
    static abstract float Load(byte* row, int index);

    /// <summary>Elements [index, index + 16) as two 8-lane vectors (low = first 8).</summary>
    static abstract void Load16(byte* row, int index, out Vector256<float> low, out Vector256<float> high);

    /// <summary>Elements [index, index + 32) as two 16-lane vectors (low = first 16).</summary>
    static abstract void Load32(byte* row, int index, out Vector512<float> low, out Vector512<float> high);
}

/// <summary>bfloat16 weights: each 16-bit pattern shifted into the top half of a float32 (exact).</summary>
internal readonly unsafe struct Bf16Format : IWeightFormat
{
    public static int ElementSize => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(byte* row, int index) => BitConverter.UInt32BitsToSingle((uint)((ushort*)row)[index] << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load16(byte* row, int index, out Vector256<float> low, out Vector256<float> high)
    {
        var (lo, hi) = Vector256.Widen(Vector256.Load((ushort*)row + index));
        low = Vector256.ShiftLeft(lo, 16).AsSingle();
        high = Vector256.ShiftLeft(hi, 16).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load32(byte* row, int index, out Vector512<float> low, out Vector512<float> high)
    {
        var (lo, hi) = Vector512.Widen(Vector512.Load((ushort*)row + index));
        low = Vector512.ShiftLeft(lo, 16).AsSingle();
        high = Vector512.ShiftLeft(hi, 16).AsSingle();
    }
}

/// <summary>float32 weights, loaded as they are.</summary>
internal readonly unsafe struct F32Format : IWeightFormat
{
    public static int ElementSize => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(byte* row, int index) => ((float*)row)[index];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load16(byte* row, int index, out Vector256<float> low, out Vector256<float> high)
    {
        low = Vector256.Load((float*)row + index);
        high = Vector256.Load((float*)row + index + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load32(byte* row, int index, out Vector512<float> low, out Vector512<float> high)
    {
        low = Vector512.Load((float*)row + index);
        high = Vector512.Load((float*)row + index + 16);
    }
}
