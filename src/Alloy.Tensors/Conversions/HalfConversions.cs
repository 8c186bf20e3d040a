// IEEE binary16 <-> binary32 conversions over spans, through System.Half and TensorPrimitives (vectorised there).
// Not a rounding implementation of its own: the runtime's Half conversion defines the results.
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Alloy.Tensors.Conversions;

/// <summary>
/// Converts between IEEE 754 binary16 (as <see cref="Half"/>, raw bits or little-endian bytes) and <see cref="float"/>.
/// </summary>
/// <remarks>
/// <para>Widening (half → float) is exact for every value: subnormal halves become normal floats, ±Inf stay ±Inf,
/// a NaN stays a NaN with its sign.</para>
/// <para>Narrowing (float → half) rounds to nearest, ties to even. Finite magnitudes at or above 65520 (the midpoint
/// between the largest finite half, 65504, and the next power of two) become ±Inf; tiny magnitudes round to half
/// subnormals or ±0 (no flush to zero). A NaN stays a NaN with its sign (quiet).</para>
/// <para>The span methods call <see cref="TensorPrimitives.ConvertToSingle(ReadOnlySpan{Half}, Span{float})"/> and
/// <see cref="TensorPrimitives.ConvertToHalf(ReadOnlySpan{float}, Span{Half})"/>, which are vectorised; the scalar
/// twins are the C# casts <c>(float)half</c> and <c>(Half)value</c>. Spans must not overlap.</para>
/// </remarks>
public static class HalfConversions
{
    /// <summary>Widens one binary16 bit pattern to the float it denotes (exact).</summary>
    public static float ToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>Narrows one float to binary16 bits (round to nearest even; overflow gives ±Inf; NaN stays NaN).</summary>
    public static ushort FromSingle(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>Widens halves to floats (exact).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination)
    {
        ConversionChecks.RequireSameLength(source.Length, destination.Length);
        TensorPrimitives.ConvertToSingle(source, destination);
    }

    /// <summary>Widens binary16 bit patterns to floats (exact).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination) =>
        ToSingle(MemoryMarshal.Cast<ushort, Half>(source), destination);

    /// <summary>Widens binary16 values stored as little-endian bytes (2 per element) to floats (exact).</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not exactly 2 bytes per destination element.</exception>
    public static void ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        ConversionChecks.RequireByteLength(source.Length, destination.Length, sizeof(ushort), nameof(source));
        ToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
    }

    /// <summary>Narrows floats to halves (round to nearest even; overflow gives ±Inf; NaN stays NaN).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void FromSingle(ReadOnlySpan<float> source, Span<Half> destination)
    {
        ConversionChecks.RequireSameLength(source.Length, destination.Length);
        TensorPrimitives.ConvertToHalf(source, destination);
    }

    /// <summary>Narrows floats to binary16 bit patterns, with the rules of <see cref="FromSingle(float)"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination) =>
        FromSingle(source, MemoryMarshal.Cast<ushort, Half>(destination));

    /// <summary>Narrows floats to binary16 written as little-endian bytes (2 per element), with the rules of <see cref="FromSingle(float)"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly 2 bytes per source element.</exception>
    public static void FromSingle(ReadOnlySpan<float> source, Span<byte> destination)
    {
        ConversionChecks.RequireByteLength(destination.Length, source.Length, sizeof(ushort), nameof(destination));
        FromSingle(source, MemoryMarshal.Cast<byte, Half>(destination));
    }

    // Scalar twin of ToSingle(span): source [n] binary16 bits, destination [n] floats. Lengths already checked equal.
    internal static void ToSingleScalar(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
            destination[i] = ToSingle(source[i]);
    }

    // Scalar twin of FromSingle(span): source [n] floats, destination [n] binary16 bits. Lengths already checked equal.
    internal static void FromSingleScalar(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        for (int i = 0; i < source.Length; i++)
            destination[i] = FromSingle(source[i]);
    }
}
