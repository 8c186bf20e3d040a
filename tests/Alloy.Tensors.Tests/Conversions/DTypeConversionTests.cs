// Tests of the dtype dispatcher: raw little-endian bytes of every dtype to float and back for the compute types.
// Integer expectations come from an exact round-to-nearest-even reference written here, not from a cast.
using System.Buffers.Binary;
using Alloy.Tensors.Conversions;
using static Alloy.Tensors.Tests.Conversions.ConversionTestData;

namespace Alloy.Tensors.Tests.Conversions;

public class DTypeConversionTests
{
    // Reference integer → float: keep the top 24 significant bits, round the rest to nearest with ties to even.
    private static float ReferenceRound(ulong magnitude, bool negative)
    {
        int significantBits = 64 - (int)ulong.LeadingZeroCount(magnitude);
        int dropped = Math.Max(0, significantBits - 24);
        ulong kept = magnitude >> dropped;
        if (dropped > 0)
        {
            ulong remainder = magnitude & ((1UL << dropped) - 1);
            ulong half = 1UL << (dropped - 1);
            if (remainder > half || (remainder == half && (kept & 1) == 1))
                kept++;
        }
        float result = MathF.ScaleB(kept, dropped); // kept ≤ 2^24, exact as a float
        return negative ? -result : result;
    }

    private static float ReferenceRound(long value) =>
        value < 0 ? ReferenceRound((ulong)(-(value + 1)) + 1, negative: true) : ReferenceRound((ulong)value, negative: false);

    private static float[] Convert(byte[] bytes, DType dtype)
    {
        var destination = new float[bytes.Length / dtype.SizeOf()];
        DTypeConversions.ToFloat32(bytes, dtype, destination);
        return destination;
    }

    [Fact]
    public void F32_bytes_are_copied_bit_for_bit_including_NaN_payloads()
    {
        float[] values = RandomFloatBits(1003, seed: 21);
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), Bits(values[i]));
        Assert.Equal(values.Select(Bits), Convert(bytes, DType.F32).Select(Bits));

        var back = new byte[bytes.Length];
        DTypeConversions.FromFloat32(values, DType.F32, back);
        Assert.Equal(bytes, back);
    }

    [Fact]
    public void F64_rounds_to_nearest_even_overflows_to_infinity_and_keeps_NaN()
    {
        double[] values =
        [
            1.0 + Math.ScaleB(1, -24),                     // tie → 1 (even)
            1.0 + Math.ScaleB(1, -24) + Math.ScaleB(1, -50), // just above the tie → 1 + 2^-23
            1.0 + Math.ScaleB(3, -24),                     // tie → 1 + 2^-22 (even)
            1e39, -1e39, double.MaxValue,                  // overflow
            Math.ScaleB(1, -160), -Math.ScaleB(1, -160),   // underflow to ±0
            Math.ScaleB(1, -149),                          // smallest float subnormal, exact
            double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.1,
        ];
        float[] expected =
        [
            1f, 1f + MathF.ScaleB(1, -23), 1f + MathF.ScaleB(1, -22),
            float.PositiveInfinity, float.NegativeInfinity, float.PositiveInfinity,
            0f, -0f, float.Epsilon,
            float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0.1f,
        ];
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        float[] actual = Convert(bytes, DType.F64);
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(expected[i]))
                Assert.True(float.IsNaN(actual[i]));
            else
                Assert.True(Bits(expected[i]) == Bits(actual[i]), $"{values[i]:R} → {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    [Fact]
    public void F64_of_odd_length_matches_the_scalar_cast()
    {
        foreach (int length in OddLengths)
        {
            var random = new Random(length);
            var values = new double[length];
            var bytes = new byte[length * 8];
            for (int i = 0; i < length; i++)
            {
                values[i] = (random.NextDouble() - 0.5) * Math.ScaleB(1, random.Next(-140, 140));
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
            }
            float[] actual = Convert(bytes, DType.F64);
            for (int i = 0; i < length; i++)
                Assert.Equal(Bits((float)values[i]), Bits(actual[i]));
        }
    }

    [Fact]
    public void Small_integers_convert_exactly_for_every_value()
    {
        var u8 = new byte[256];
        for (int i = 0; i < 256; i++)
            u8[i] = (byte)i;
        float[] asU8 = Convert(u8, DType.U8);
        float[] asI8 = Convert(u8, DType.I8);
        for (int i = 0; i < 256; i++)
        {
            Assert.Equal(i, asU8[i]);
            Assert.Equal(i < 128 ? i : i - 256, asI8[i]);
        }

        var u16 = new byte[0x1_0000 * 2];
        for (int i = 0; i < 0x1_0000; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(u16.AsSpan(i * 2), (ushort)i);
        float[] asU16 = Convert(u16, DType.U16);
        float[] asI16 = Convert(u16, DType.I16);
        for (int i = 0; i < 0x1_0000; i++)
        {
            Assert.Equal(i, asU16[i]);
            Assert.Equal(i < 0x8000 ? i : i - 0x1_0000, asI16[i]);
        }
    }

    public static TheoryData<long> SignedEdges => new()
    {
        0, 1, -1, (1L << 24) + 1, (1L << 24) + 3, -((1L << 24) + 1), (1L << 25) + 2, (1L << 25) + 6,
        int.MaxValue, int.MinValue, int.MaxValue - 64, long.MaxValue, long.MinValue, long.MinValue + 1,
        (1L << 62) + (1L << 38) + 1,  // rounding through double first would tie and go down; correct result goes up
        (1L << 62) + (1L << 38),      // exact tie, even neighbour below
        (1L << 62) + (3L << 38),      // exact tie, even neighbour above
    };

    [Theory]
    [MemberData(nameof(SignedEdges))]
    public void Signed_integers_round_once_to_nearest_even(long value)
    {
        var i64 = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(i64, value);
        Assert.Equal(Bits(ReferenceRound(value)), Bits(Convert(i64, DType.I64)[0]));
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            var i32 = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(i32, (int)value);
            Assert.Equal(Bits(ReferenceRound(value)), Bits(Convert(i32, DType.I32)[0]));
        }
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData((1UL << 24) + 1)]
    [InlineData(uint.MaxValue)]
    [InlineData(ulong.MaxValue)]
    [InlineData((1UL << 63) + (1UL << 39) + 1)] // the double-rounding trap for unsigned 64-bit
    [InlineData((1UL << 63) + (1UL << 39))]
    public void Unsigned_integers_round_once_to_nearest_even(ulong value)
    {
        var u64 = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(u64, value);
        Assert.Equal(Bits(ReferenceRound(value, negative: false)), Bits(Convert(u64, DType.U64)[0]));
        if (value <= uint.MaxValue)
        {
            var u32 = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)value);
            Assert.Equal(Bits(ReferenceRound(value, negative: false)), Bits(Convert(u32, DType.U32)[0]));
        }
    }

    [Fact]
    public void Random_wide_integers_of_odd_lengths_match_the_reference()
    {
        foreach (int length in OddLengths)
        {
            var random = new Random(length + 7);
            var bytes = new byte[length * 8];
            random.NextBytes(bytes);
            float[] asI64 = Convert(bytes, DType.I64);
            float[] asU64 = Convert(bytes, DType.U64);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(Bits(ReferenceRound(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8)))), Bits(asI64[i]));
                Assert.Equal(Bits(ReferenceRound(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 8)), negative: false)), Bits(asU64[i]));
            }
            float[] asI32 = Convert(bytes, DType.I32);
            float[] asU32 = Convert(bytes, DType.U32);
            for (int i = 0; i < length * 2; i++)
            {
                Assert.Equal(Bits(ReferenceRound(BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4)))), Bits(asI32[i]));
                Assert.Equal(Bits(ReferenceRound(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4)), negative: false)), Bits(asU32[i]));
            }
        }
    }

    [Fact]
    public void Bool_bytes_become_zero_or_one()
    {
        Assert.Equal([0f, 1f, 1f, 1f, 0f], Convert([0, 1, 2, 255, 0], DType.Bool));
    }

    [Theory]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    [InlineData(DType.F8_E4M3)]
    [InlineData(DType.F8_E5M2)]
    public void Float_formats_dispatch_to_their_kernels(DType dtype)
    {
        var bytes = new byte[1003 * dtype.SizeOf()];
        new Random(31).NextBytes(bytes);
        float[] actual = Convert(bytes, dtype);
        for (int i = 0; i < actual.Length; i++)
        {
            float expected = dtype switch
            {
                DType.F16 => HalfConversions.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2))),
                DType.BF16 => BFloat16Conversions.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2))),
                DType.F8_E4M3 => Float8Conversions.E4M3ToSingle(bytes[i]),
                _ => Float8Conversions.E5M2ToSingle(bytes[i]),
            };
            Assert.Equal(Bits(expected), Bits(actual[i]));
        }
    }

    [Theory]
    [InlineData(DType.F16)]
    [InlineData(DType.BF16)]
    public void Compute_types_are_written_as_little_endian_bytes(DType dtype)
    {
        float[] values = MixedFloats(1003, seed: 41);
        var bytes = new byte[values.Length * 2];
        DTypeConversions.FromFloat32(values, dtype, bytes);
        for (int i = 0; i < values.Length; i++)
        {
            ushort expected = dtype == DType.F16 ? HalfConversions.FromSingle(values[i]) : BFloat16Conversions.FromSingle(values[i]);
            Assert.Equal(expected, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2)));
        }
    }

    [Theory]
    [InlineData(DType.F64)]
    [InlineData(DType.F8_E4M3)]
    [InlineData(DType.F8_E5M2)]
    [InlineData(DType.I64)]
    [InlineData(DType.I8)]
    [InlineData(DType.U8)]
    [InlineData(DType.Bool)]
    public void Writing_a_non_compute_type_throws_and_names_it(DType dtype)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            DTypeConversions.FromFloat32(new float[4], dtype, new byte[4 * dtype.SizeOf()]));
        Assert.Contains(dtype.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DType.F64)]
    [InlineData(DType.F32)]
    [InlineData(DType.BF16)]
    [InlineData(DType.F8_E4M3)]
    [InlineData(DType.I32)]
    [InlineData(DType.Bool)]
    public void Byte_counts_that_do_not_match_the_element_count_throw(DType dtype)
    {
        Assert.Throws<ArgumentException>(() => DTypeConversions.ToFloat32(new byte[4 * dtype.SizeOf() + 1], dtype, new float[4]));
        Assert.Throws<ArgumentException>(() => DTypeConversions.ToFloat32(new byte[4 * dtype.SizeOf()], dtype, new float[3]));
        if (dtype.IsComputeType())
            Assert.Throws<ArgumentException>(() => DTypeConversions.FromFloat32(new float[4], dtype, new byte[3 * dtype.SizeOf()]));
    }
}
