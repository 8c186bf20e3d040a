// FP8 (E4M3 "fn" and E5M2) → binary32 dequantisation, through 256-entry tables built from the bit formulas.
// Read-only: Alloy never writes FP8, so there is no float → FP8 rounding here.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Alloy.Tensors.Conversions;

/// <summary>
/// Converts 8-bit floats (OCP FP8 formats, as safetensors stores them: one byte per element) to <see cref="float"/>.
/// Every FP8 value is exactly representable as a float, so all conversions are exact.
/// </summary>
/// <remarks>
/// <para>F8_E4M3 ("e4m3fn"): sign s, 4 exponent bits e (bias 7), 3 mantissa bits m. No infinities.
/// e = 0: (−1)^s · m · 2^−9 (subnormal, down to 2^−9); otherwise (−1)^s · (1 + m/8) · 2^(e−7), up to 448.
/// S.1111.111 (0x7F, 0xFF) is NaN; S.1111.000–S.1111.110 are ordinary finite values (256 to 448).</para>
/// <para>F8_E5M2: sign s, 5 exponent bits e (bias 15), 2 mantissa bits m, IEEE-like.
/// e = 0: (−1)^s · m · 2^−16; 0 &lt; e &lt; 31: (−1)^s · (1 + m/4) · 2^(e−15), up to 57344;
/// e = 31, m = 0: ±Inf; e = 31, m ≠ 0: NaN.</para>
/// <para>A NaN becomes the quiet float NaN with the same sign (payload not kept). ±0 keep their sign.</para>
/// </remarks>
public static class Float8Conversions
{
    private const uint QuietNaNBits = 0x7FC0_0000u;

    private static readonly float[] E4M3Table = BuildTable(E4M3ToSingle);
    private static readonly float[] E5M2Table = BuildTable(E5M2ToSingle);

    /// <summary>Decodes one F8_E4M3 (fn) byte by the bit formula (the scalar twin of the table lookup).</summary>
    public static float E4M3ToSingle(byte bits)
    {
        uint sign = (uint)(bits >> 7) << 31;
        int exponent = (bits >> 3) & 0xF;
        int mantissa = bits & 0x7;
        if (exponent == 0xF && mantissa == 0x7)
            return BitConverter.UInt32BitsToSingle(sign | QuietNaNBits);
        float magnitude = exponent == 0
            ? MathF.ScaleB(mantissa, 1 - 7 - 3)
            : MathF.ScaleB(8 + mantissa, exponent - 7 - 3);
        return WithSign(magnitude, sign);
    }

    /// <summary>Decodes one F8_E5M2 byte by the bit formula (the scalar twin of the table lookup).</summary>
    public static float E5M2ToSingle(byte bits)
    {
        uint sign = (uint)(bits >> 7) << 31;
        int exponent = (bits >> 2) & 0x1F;
        int mantissa = bits & 0x3;
        if (exponent == 0x1F)
            return mantissa == 0
                ? WithSign(float.PositiveInfinity, sign)
                : BitConverter.UInt32BitsToSingle(sign | QuietNaNBits);
        float magnitude = exponent == 0
            ? MathF.ScaleB(mantissa, 1 - 15 - 2)
            : MathF.ScaleB(4 + mantissa, exponent - 15 - 2);
        return WithSign(magnitude, sign);
    }

    /// <summary>Decodes F8_E4M3 (fn) bytes to floats (exact; NaN as described on the class). source [n] → destination [n].</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void E4M3ToSingle(ReadOnlySpan<byte> source, Span<float> destination) =>
        LookUp(E4M3Table, source, destination);

    /// <summary>Decodes F8_E5M2 bytes to floats (exact; Inf and NaN as described on the class). source [n] → destination [n].</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void E5M2ToSingle(ReadOnlySpan<byte> source, Span<float> destination) =>
        LookUp(E5M2Table, source, destination);

    private static void LookUp(float[] table, ReadOnlySpan<byte> source, Span<float> destination)
    {
        ConversionChecks.RequireSameLength(source.Length, destination.Length);
        // The table has 256 entries, so any byte index is in range: skip the bounds checks.
        ref float tableRef = ref MemoryMarshal.GetArrayDataReference(table);
        for (int i = 0; i < source.Length; i++)
            destination[i] = Unsafe.Add(ref tableRef, source[i]);
    }

    private static float WithSign(float magnitude, uint sign) =>
        BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(magnitude) | sign);

    private static float[] BuildTable(Func<byte, float> decode)
    {
        var table = new float[256];
        for (int code = 0; code < 256; code++)
            table[code] = decode((byte)code);
        return table;
    }
}
