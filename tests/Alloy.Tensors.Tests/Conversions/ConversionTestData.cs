// Inputs shared by the conversion tests: span lengths that exercise vector tails, special floats, random bit patterns.
// Test data only; the expected results come from each test's own reference, never from here.
namespace Alloy.Tensors.Tests.Conversions;

internal static class ConversionTestData
{
    /// <summary>Lengths around the 16- and 32-element vector steps, so the scalar tail runs with every remainder class.</summary>
    public static readonly int[] OddLengths = [0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1003];

    public static TheoryData<int> OddLengthData()
    {
        var data = new TheoryData<int>();
        foreach (int length in OddLengths)
            data.Add(length);
        return data;
    }

    /// <summary>Float bit patterns that conversions treat specially.</summary>
    public static readonly uint[] SpecialFloatBits =
    [
        0x0000_0000, 0x8000_0000,                   // ±0
        0x0000_0001, 0x8000_0001,                   // smallest subnormals
        0x0000_8000, 0x0001_8000, 0x0000_8001,      // subnormal ties and near-ties at the bf16 boundary
        0x007F_FFFF, 0x807F_FFFF,                   // largest subnormals (round up into the normals)
        0x0080_0000, 0x8080_0000,                   // smallest normals
        0x3F80_0000, 0xBF80_0000,                   // ±1
        0x3F80_8000, 0x3F81_8000, 0xBF80_8000, 0xBF81_8000, // exact bf16 halfway cases, both tie directions
        0x3F80_7FFF, 0x3F80_8001,                   // just below and above a halfway case
        0x7F7F_FFFF, 0xFF7F_FFFF,                   // ±float.MaxValue (round up to ±Inf in bf16)
        0x7F7F_7FFF, 0x7F7F_8000, 0xFF7F_8000,      // below and at the bf16 overflow threshold
        0x477F_E000, 0x477F_F000, 0x477F_EFFF,      // around the binary16 overflow threshold (65504, 65520)
        0x3380_0000, 0x3300_0000, 0x3340_0000,      // 2^-24, 2^-25, 1.5 · 2^-25 (binary16 subnormal edge)
        0x7F80_0000, 0xFF80_0000,                   // ±Inf
        0x7FC0_0000, 0xFFC0_0000,                   // quiet NaNs
        0x7F80_0001, 0xFF80_0001, 0x7F80_FFFF,      // signalling NaNs with payload only in the low 16 bits
        0x7FA0_0000, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x7FBF_FFFF, // other NaN payloads and signs
    ];

    public static float[] SpecialFloats() => Array.ConvertAll(SpecialFloatBits, BitConverter.UInt32BitsToSingle);

    /// <summary>Uniformly random 32-bit patterns as floats (every class: NaNs, subnormals, infinities, normals).</summary>
    public static float[] RandomFloatBits(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
        return values;
    }

    /// <summary>Random floats of ordinary magnitude mixed with the special values, for tail tests.</summary>
    public static float[] MixedFloats(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.Next(4) == 0
                ? BitConverter.UInt32BitsToSingle(SpecialFloatBits[random.Next(SpecialFloatBits.Length)])
                : (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 30)));
        }
        return values;
    }

    public static ushort[] RandomUInt16(int count, int seed)
    {
        var random = new Random(seed);
        var values = new ushort[count];
        for (int i = 0; i < count; i++)
            values[i] = (ushort)random.Next(0x1_0000);
        return values;
    }

    public static ushort[] AllUInt16()
    {
        var values = new ushort[0x1_0000];
        for (int i = 0; i < values.Length; i++)
            values[i] = (ushort)i;
        return values;
    }

    public static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);

    public static string Hex(uint bits) => $"0x{bits:X8}";
}
