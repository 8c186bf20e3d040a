// bfloat16 <-> binary32 conversion kernels over spans: widening is exact, narrowing rounds to nearest even.
// bfloat16 values stay raw 16-bit patterns (ushort or little-endian bytes); this is not a number type.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Alloy.Tensors.Conversions;

/// <summary>
/// Converts between bfloat16 (raw bit patterns) and <see cref="float"/>.
/// bfloat16 is the upper half of a binary32: 1 sign bit, 8 exponent bits (bias 127), 7 mantissa bits.
/// </summary>
/// <remarks>
/// <para>Widening (bfloat16 → float): <c>float bits = bf16 bits &lt;&lt; 16</c>. Exact for every input,
/// including subnormals, ±0, ±Inf and NaN (whose sign and payload are kept as they are).</para>
/// <para>Narrowing (float → bfloat16), round to nearest, ties to even:
/// <c>bf16 = (bits + 0x7FFF + ((bits &gt;&gt; 16) &amp; 1)) &gt;&gt; 16</c>.
/// Finite values whose magnitude rounds past the largest finite bfloat16 (≈ 3.3895e38) become ±Inf, as
/// round-to-nearest-even prescribes (so <see cref="float.MaxValue"/> becomes +Inf). ±Inf stay ±Inf.
/// Subnormal floats round like any other value (no flush to zero). A NaN stays a NaN: its sign and its
/// upper 7 payload bits are kept and the quiet bit (0x0040) is set, so a signalling NaN whose payload lies
/// only in the lower 16 bits does not turn into Inf.</para>
/// <para>Span methods use Vector512 when <see cref="Vector512.IsHardwareAccelerated"/>, else Vector256 when
/// accelerated, else a scalar loop; all three give bit-identical results. Spans must not overlap.</para>
/// </remarks>
public static class BFloat16Conversions
{
    /// <summary>Widens one bfloat16 bit pattern to the float it denotes (exact).</summary>
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>
    /// Narrows one float to bfloat16 bits, rounding to nearest with ties to even; overflow gives ±Inf;
    /// NaN gives a quiet NaN with the same sign and upper payload bits. This is the scalar twin of the span kernels.
    /// </summary>
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u)
            return (ushort)((bits | 0x0040_0000u) >> 16);
        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Widens bfloat16 bit patterns to floats (exact). <paramref name="source"/>[i] → <paramref name="destination"/>[i].</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        ConversionChecks.RequireSameLength(source.Length, destination.Length);
        if (Vector512.IsHardwareAccelerated)
            ToSingleVector512(source, destination);
        else if (Vector256.IsHardwareAccelerated)
            ToSingleVector256(source, destination);
        else
            ToSingleScalar(source, destination);
    }

    /// <summary>
    /// Widens bfloat16 values stored as little-endian bytes (2 per element, as in a safetensors file) to floats (exact).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not exactly 2 bytes per destination element.</exception>
    public static void ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        ConversionChecks.RequireByteLength(source.Length, destination.Length, sizeof(ushort), nameof(source));
        ToSingle(MemoryMarshal.Cast<byte, ushort>(source), destination);
    }

    /// <summary>Narrows floats to bfloat16 bit patterns, with the rounding, overflow and NaN rules of <see cref="FromSingle(float)"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        ConversionChecks.RequireSameLength(source.Length, destination.Length);
        if (Vector512.IsHardwareAccelerated)
            FromSingleVector512(source, destination);
        else if (Vector256.IsHardwareAccelerated)
            FromSingleVector256(source, destination);
        else
            FromSingleScalar(source, destination);
    }

    /// <summary>
    /// Narrows floats to bfloat16 written as little-endian bytes (2 per element), with the rules of <see cref="FromSingle(float)"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly 2 bytes per source element.</exception>
    public static void FromSingle(ReadOnlySpan<float> source, Span<byte> destination)
    {
        ConversionChecks.RequireByteLength(destination.Length, source.Length, sizeof(ushort), nameof(destination));
        FromSingle(source, MemoryMarshal.Cast<byte, ushort>(destination));
    }

    // source: [n] bf16 bits, destination: [n] floats. Lengths already checked equal.
    internal static void ToSingleScalar(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
            destination[i] = ToSingle(source[i]);
    }

    // source: [n] floats, destination: [n] bf16 bits. Lengths already checked equal.
    internal static void FromSingleScalar(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        for (int i = 0; i < source.Length; i++)
            destination[i] = FromSingle(source[i]);
    }

    // 32 bf16 per step: zero-extend each 16-bit lane to 32 bits, then shift it into the upper half.
    internal static void ToSingleVector512(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        ref ushort sourceRef = ref MemoryMarshal.GetReference(source);
        ref uint destinationRef = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        int length = source.Length;
        int i = 0;
        for (; i <= length - Vector512<ushort>.Count; i += Vector512<ushort>.Count)
        {
            Vector512<ushort> bf16 = Vector512.LoadUnsafe(ref sourceRef, (nuint)i);
            (Vector512<uint> lower, Vector512<uint> upper) = Vector512.Widen(bf16);
            (lower << 16).StoreUnsafe(ref destinationRef, (nuint)i);
            (upper << 16).StoreUnsafe(ref destinationRef, (nuint)(i + Vector512<uint>.Count));
        }
        ToSingleScalar(source[i..], destination[i..]);
    }

    // 16 bf16 per step; same method as the Vector512 kernel.
    internal static void ToSingleVector256(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        ref ushort sourceRef = ref MemoryMarshal.GetReference(source);
        ref uint destinationRef = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        int length = source.Length;
        int i = 0;
        for (; i <= length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
        {
            Vector256<ushort> bf16 = Vector256.LoadUnsafe(ref sourceRef, (nuint)i);
            (Vector256<uint> lower, Vector256<uint> upper) = Vector256.Widen(bf16);
            (lower << 16).StoreUnsafe(ref destinationRef, (nuint)i);
            (upper << 16).StoreUnsafe(ref destinationRef, (nuint)(i + Vector256<uint>.Count));
        }
        ToSingleScalar(source[i..], destination[i..]);
    }

    // 32 floats per step: round two vectors of 16 to bf16 bits in their low halves, then narrow to one vector of 32.
    internal static void FromSingleVector512(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        ref uint sourceRef = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
        ref ushort destinationRef = ref MemoryMarshal.GetReference(destination);
        int length = source.Length;
        int i = 0;
        for (; i <= length - Vector512<ushort>.Count; i += Vector512<ushort>.Count)
        {
            Vector512<uint> lower = RoundToBFloat16(Vector512.LoadUnsafe(ref sourceRef, (nuint)i));
            Vector512<uint> upper = RoundToBFloat16(Vector512.LoadUnsafe(ref sourceRef, (nuint)(i + Vector512<uint>.Count)));
            Vector512.Narrow(lower, upper).StoreUnsafe(ref destinationRef, (nuint)i);
        }
        FromSingleScalar(source[i..], destination[i..]);
    }

    // 16 floats per step; same method as the Vector512 kernel.
    internal static void FromSingleVector256(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        ref uint sourceRef = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
        ref ushort destinationRef = ref MemoryMarshal.GetReference(destination);
        int length = source.Length;
        int i = 0;
        for (; i <= length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
        {
            Vector256<uint> lower = RoundToBFloat16(Vector256.LoadUnsafe(ref sourceRef, (nuint)i));
            Vector256<uint> upper = RoundToBFloat16(Vector256.LoadUnsafe(ref sourceRef, (nuint)(i + Vector256<uint>.Count)));
            Vector256.Narrow(lower, upper).StoreUnsafe(ref destinationRef, (nuint)i);
        }
        FromSingleScalar(source[i..], destination[i..]);
    }

    // Lane-wise FromSingle(float): float bits in, bf16 bits in the low 16 bits of each lane out.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RoundToBFloat16(Vector512<uint> bits)
    {
        Vector512<uint> roundingBias = Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One);
        Vector512<uint> isNaN = Vector512.GreaterThan(bits & Vector512.Create(0x7FFF_FFFFu), Vector512.Create(0x7F80_0000u));
        Vector512<uint> rounded = Vector512.ConditionalSelect(isNaN, bits | Vector512.Create(0x0040_0000u), bits + roundingBias);
        return rounded >> 16;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RoundToBFloat16(Vector256<uint> bits)
    {
        Vector256<uint> roundingBias = Vector256.Create(0x7FFFu) + ((bits >> 16) & Vector256<uint>.One);
        Vector256<uint> isNaN = Vector256.GreaterThan(bits & Vector256.Create(0x7FFF_FFFFu), Vector256.Create(0x7F80_0000u));
        Vector256<uint> rounded = Vector256.ConditionalSelect(isNaN, bits | Vector256.Create(0x0040_0000u), bits + roundingBias);
        return rounded >> 16;
    }
}
