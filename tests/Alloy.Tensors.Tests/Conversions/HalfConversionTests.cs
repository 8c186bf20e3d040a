// Tests of binary16 <-> float: every half value, TensorPrimitives' vectorised spans vs the scalar casts, rounding edges.
// Expected values come from the binary16 field formula or hand-worked bits, not from the code under test.
using System.Buffers.Binary;
using Alloy.Tensors.Conversions;
using static Alloy.Tensors.Tests.Conversions.ConversionTestData;

namespace Alloy.Tensors.Tests.Conversions;

public class HalfConversionTests
{
    // Independent definition of binary16 → value: (−1)^s · 2^(e−15) · (1 + m/1024), subnormals 2^−14 · m/1024.
    private static double ReferenceValue(ushort bits)
    {
        int exponent = (bits >> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        double magnitude = exponent switch
        {
            0 => Math.ScaleB(mantissa / 1024.0, -14),
            0x1F => mantissa == 0 ? double.PositiveInfinity : double.NaN,
            _ => Math.ScaleB(1 + mantissa / 1024.0, exponent - 15),
        };
        return (bits & 0x8000) != 0 ? -magnitude : magnitude;
    }

    private static bool IsHalfNaN(int bits) => (bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0;

    [Fact]
    public void Every_half_value_widens_exactly_and_the_span_path_equals_the_scalar_twin()
    {
        ushort[] all = AllUInt16();
        var vectorised = new float[all.Length];
        var scalar = new float[all.Length];
        HalfConversions.ToSingle(all, vectorised);
        HalfConversions.ToSingleScalar(all, scalar);
        for (int i = 0; i < all.Length; i++)
        {
            double expected = ReferenceValue(all[i]);
            if (double.IsNaN(expected))
            {
                Assert.True(float.IsNaN(vectorised[i]) && float.IsNaN(scalar[i]), $"half 0x{i:X4} should widen to NaN");
                Assert.Equal((uint)(i >> 15), Bits(vectorised[i]) >> 31);
                Assert.Equal((uint)(i >> 15), Bits(scalar[i]) >> 31);
            }
            else
            {
                Assert.True(expected == vectorised[i] && double.IsNegative(expected) == float.IsNegative(vectorised[i]),
                    $"half 0x{i:X4} widened to {vectorised[i]:R}, expected {expected:R}");
                Assert.Equal(Bits(scalar[i]), Bits(vectorised[i]));
            }
        }
    }

    [Fact]
    public void Every_half_value_round_trips_through_float()
    {
        ushort[] all = AllUInt16();
        var widened = new float[all.Length];
        HalfConversions.ToSingle(all, widened);
        var back = new ushort[all.Length];
        HalfConversions.FromSingle(widened, back);
        for (int i = 0; i < all.Length; i++)
        {
            if (IsHalfNaN(i))
            {
                Assert.True(IsHalfNaN(back[i]), $"NaN 0x{i:X4} came back as 0x{back[i]:X4}");
                Assert.Equal(i & 0x8000, back[i] & 0x8000);
            }
            else
            {
                Assert.True(i == back[i], $"0x{i:X4} came back as 0x{back[i]:X4}");
            }
        }
    }

    [Theory]
    [InlineData(0x477F_E000u, (ushort)0x7BFF)] // 65504, the largest finite half
    [InlineData(0x477F_EFFFu, (ushort)0x7BFF)] // just below 65520 stays finite
    [InlineData(0x477F_F000u, (ushort)0x7C00)] // 65520: halfway to 2^16, odd neighbour below, so +Inf
    [InlineData(0xC77F_F000u, (ushort)0xFC00)] // -65520 → -Inf
    [InlineData(0x3380_0000u, (ushort)0x0001)] // 2^-24, the smallest half subnormal
    [InlineData(0x3300_0000u, (ushort)0x0000)] // 2^-25: halfway between 0 and 2^-24, even → 0
    [InlineData(0x3340_0000u, (ushort)0x0001)] // 1.5 · 2^-25 rounds up
    [InlineData(0x3F80_1000u, (ushort)0x3C00)] // 1 + 2^-11: tie, even neighbour below
    [InlineData(0x3F80_3000u, (ushort)0x3C02)] // 1 + 3 · 2^-11: tie, even neighbour above
    [InlineData(0x8000_0000u, (ushort)0x8000)] // -0
    [InlineData(0x7F80_0000u, (ushort)0x7C00)] // +Inf
    public void Narrowing_rounds_hand_made_cases(uint floatBits, ushort expectedBits)
    {
        float value = BitConverter.UInt32BitsToSingle(floatBits);
        Assert.Equal(expectedBits, HalfConversions.FromSingle(value));
        var destination = new ushort[1];
        HalfConversions.FromSingle([value], destination);
        Assert.Equal(expectedBits, destination[0]);
    }

    [Fact]
    public void Vectorised_narrowing_equals_the_scalar_twin_on_random_bit_patterns_and_specials()
    {
        float[] values = RandomFloatBits(1_000_000, seed: 5);
        SpecialFloats().CopyTo(values, 0);
        var vectorised = new ushort[values.Length];
        var scalar = new ushort[values.Length];
        HalfConversions.FromSingle(values, vectorised);
        HalfConversions.FromSingleScalar(values, scalar);
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]))
            {
                Assert.True(IsHalfNaN(vectorised[i]) && IsHalfNaN(scalar[i]), $"NaN {Hex(Bits(values[i]))} did not stay NaN");
                Assert.Equal(Bits(values[i]) >> 31, (uint)vectorised[i] >> 15);
            }
            else
            {
                Assert.True(scalar[i] == vectorised[i], $"{Hex(Bits(values[i]))}: vectorised 0x{vectorised[i]:X4}, scalar 0x{scalar[i]:X4}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(OddLengthData), MemberType = typeof(ConversionTestData))]
    public void Spans_of_odd_length_convert_every_element_and_nothing_past_the_end(int length)
    {
        float[] values = MixedFloats(length, seed: length + 100);
        var narrowed = new ushort[length + 40];
        narrowed.AsSpan().Fill(0xABCD);
        HalfConversions.FromSingle(values, narrowed.AsSpan(0, length));
        var widened = new float[length + 40];
        widened.AsSpan().Fill(-7.25f);
        HalfConversions.ToSingle(narrowed.AsSpan(0, length), widened.AsSpan(0, length));
        for (int i = 0; i < length; i++)
        {
            ushort expected = HalfConversions.FromSingle(values[i]);
            Assert.True(expected == narrowed[i] || (IsHalfNaN(expected) && IsHalfNaN(narrowed[i])), $"length {length}, index {i}");
            Assert.Equal(Bits(HalfConversions.ToSingle(narrowed[i])), Bits(widened[i]));
        }
        Assert.True(narrowed.AsSpan(length).IndexOfAnyExcept((ushort)0xABCD) < 0, "narrowing wrote past the end");
        Assert.True(widened.AsSpan(length).IndexOfAnyExcept(-7.25f) < 0, "widening wrote past the end");
    }

    [Fact]
    public void Raw_little_endian_bytes_give_the_same_result_as_typed_values_even_when_misaligned()
    {
        ushort[] values = RandomUInt16(999, seed: 8);
        var bytes = new byte[1 + values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1 + i * 2), values[i]);
        var fromBytes = new float[values.Length];
        HalfConversions.ToSingle(bytes.AsSpan(1), fromBytes);
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(Bits(HalfConversions.ToSingle(values[i])), Bits(fromBytes[i]));

        var narrowedBytes = new byte[1 + values.Length * 2];
        HalfConversions.FromSingle(fromBytes, narrowedBytes.AsSpan(1));
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(HalfConversions.FromSingle(fromBytes[i]), BinaryPrimitives.ReadUInt16LittleEndian(narrowedBytes.AsSpan(1 + i * 2)));
    }

    [Fact]
    public void Mismatched_lengths_throw_argument_exceptions()
    {
        Assert.Throws<ArgumentException>(() => HalfConversions.ToSingle(new ushort[5], new float[6]));
        Assert.Throws<ArgumentException>(() => HalfConversions.ToSingle(new byte[10], new float[4]));
        Assert.Throws<ArgumentException>(() => HalfConversions.FromSingle(new float[5], new Half[4]));
        Assert.Throws<ArgumentException>(() => HalfConversions.FromSingle(new float[5], new byte[9]));
    }
}
