// Dispatch from a safetensors dtype to the right conversion kernel, raw little-endian bytes <-> float.
// The merge engine and inference call this; the per-format rules live in the format's own file.
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Alloy.Tensors.Conversions;

/// <summary>
/// Converts tensor data held as raw little-endian bytes (as a safetensors file stores it) to and from <see cref="float"/>.
/// </summary>
public static class DTypeConversions
{
    /// <summary>
    /// Converts <paramref name="source"/>, holding <c>destination.Length</c> elements of <paramref name="dtype"/>
    /// as little-endian bytes, to floats. Shapes: source [n · SizeOf(dtype)] bytes → destination [n].
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>F32: copied bit for bit (NaN payloads included).</item>
    /// <item>F64: rounded to nearest float, ties to even; magnitudes that round past <see cref="float.MaxValue"/>
    /// become ±Inf; magnitudes of at most 2^−150 (half the smallest float subnormal) become ±0; NaN stays NaN.</item>
    /// <item>F16, BF16, F8_E4M3, F8_E5M2: exact (every value is a float); see <see cref="HalfConversions"/>,
    /// <see cref="BFloat16Conversions"/>, <see cref="Float8Conversions"/> for Inf and NaN.</item>
    /// <item>I8, U8, I16, U16: exact. I32, U32, I64, U64: exact when |x| ≤ 2^24 (and whenever x fits in 24
    /// significant bits), otherwise rounded once to the nearest float, ties to even; no integer overflows a float.</item>
    /// <item>Bool: byte 0 → 0, any other byte → 1.</item>
    /// </list>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not exactly <c>destination.Length · SizeOf(dtype)</c>
    /// bytes, or <paramref name="dtype"/> is not a defined value.</exception>
    public static void ToFloat32(ReadOnlySpan<byte> source, DType dtype, Span<float> destination)
    {
        ConversionChecks.RequireByteLength(source.Length, destination.Length, dtype.SizeOf(), nameof(source));
        switch (dtype)
        {
            case DType.F32:
                source.CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case DType.F64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, double>(source), destination);
                break;
            case DType.F16:
                HalfConversions.ToSingle(source, destination);
                break;
            case DType.BF16:
                BFloat16Conversions.ToSingle(source, destination);
                break;
            case DType.F8_E4M3:
                Float8Conversions.E4M3ToSingle(source, destination);
                break;
            case DType.F8_E5M2:
                Float8Conversions.E5M2ToSingle(source, destination);
                break;
            case DType.I64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, long>(source), destination);
                break;
            case DType.I32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(source), destination);
                break;
            case DType.I16:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, short>(source), destination);
                break;
            case DType.I8:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, sbyte>(source), destination);
                break;
            case DType.U64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ulong>(source), destination);
                break;
            case DType.U32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, uint>(source), destination);
                break;
            case DType.U16:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            case DType.U8:
                TensorPrimitives.ConvertTruncating(source, destination);
                break;
            case DType.Bool:
                for (int i = 0; i < source.Length; i++)
                    destination[i] = source[i] == 0 ? 0f : 1f;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype");
        }
    }

    /// <summary>
    /// Converts floats to <paramref name="dtype"/> written as little-endian bytes. Shapes: source [n] → destination
    /// [n · SizeOf(dtype)] bytes. Only the compute types are writable: F32 (copied bit for bit), F16 and BF16
    /// (rounded to nearest, ties to even; finite values that round past the format's largest finite value become ±Inf;
    /// NaN stays a quiet NaN with its sign; see <see cref="HalfConversions"/> and <see cref="BFloat16Conversions"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not F32, F16 or BF16 (a programmer error:
    /// check <see cref="DTypes.IsComputeType"/> first), or <paramref name="destination"/> is not exactly
    /// <c>source.Length · SizeOf(dtype)</c> bytes.</exception>
    public static void FromFloat32(ReadOnlySpan<float> source, DType dtype, Span<byte> destination)
    {
        if (!dtype.IsComputeType())
            throw new ArgumentException(
                $"FromFloat32 writes F32, F16 or BF16, not {dtype}; convert to one of those instead.", nameof(dtype));
        ConversionChecks.RequireByteLength(destination.Length, source.Length, dtype.SizeOf(), nameof(destination));
        switch (dtype)
        {
            case DType.F32:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            case DType.F16:
                HalfConversions.FromSingle(source, destination);
                break;
            case DType.BF16:
                BFloat16Conversions.FromSingle(source, destination);
                break;
        }
    }
}
