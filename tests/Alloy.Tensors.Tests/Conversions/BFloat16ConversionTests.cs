// Tests of bfloat16 <-> float: every bf16 value, rounding against an arithmetic reference, and each SIMD path vs the scalar twin.
// The reference rounds by comparing distances in double arithmetic; it shares no code or bit tricks with the kernels.
using System.Buffers.Binary;
using Alloy.Tensors.Conversions;
using static Alloy.Tensors.Tests.Conversions.ConversionTestData;

namespace Alloy.Tensors.Tests.Conversions;

public class BFloat16ConversionTests
{
    private delegate void Widen(ReadOnlySpan<ushort> source, Span<float> destination);
    private delegate void Narrow(ReadOnlySpan<float> source, Span<ushort> destination);

    private static readonly (string Name, Widen Run)[] WidenPaths =
    [
        ("scalar", BFloat16Conversions.ToSingleScalar),
        ("Vector256", BFloat16Conversions.ToSingleVector256),
        ("Vector512", BFloat16Conversions.ToSingleVector512),
        ("dispatch", BFloat16Conversions.ToSingle),
    ];

    private static readonly (string Name, Narrow Run)[] NarrowPaths =
    [
        ("scalar", BFloat16Conversions.FromSingleScalar),
        ("Vector256", BFloat16Conversions.FromSingleVector256),
        ("Vector512", BFloat16Conversions.FromSingleVector512),
        ("dispatch", BFloat16Conversions.FromSingle),
    ];

    // Independent definition of bf16 → value: (−1)^s · 2^(e−127) · (1 + m/128), subnormals 2^−126 · m/128.
    private static double ReferenceValue(ushort bits)
    {
        int sign = bits >> 15;
        int exponent = (bits >> 7) & 0xFF;
        int mantissa = bits & 0x7F;
        double magnitude = exponent switch
        {
            0 => Math.ScaleB(mantissa / 128.0, -126),
            0xFF => mantissa == 0 ? double.PositiveInfinity : double.NaN,
            _ => Math.ScaleB(1 + mantissa / 128.0, exponent - 127),
        };
        return sign == 1 ? -magnitude : magnitude;
    }

    // Independent definition of float → bf16, for non-NaN input: pick the nearer of the two bf16 neighbours of |x|
    // (measured in double, where these differences are exact); on a tie pick the one with an even last mantissa bit.
    // Above the largest finite bf16 the upper neighbour is 2^128, which IEEE rounding treats as overflow to Inf.
    private static ushort ReferenceRound(float value)
    {
        Assert.False(float.IsNaN(value));
        ushort sign = (ushort)(value < 0 || (value == 0 && float.IsNegative(value)) ? 0x8000 : 0);
        double magnitude = Math.Abs((double)value);
        if (double.IsPositiveInfinity(magnitude))
            return (ushort)(sign | 0x7F80);
        // Binary search for the largest finite bf16 magnitude <= |x| (codes 0..0x7F7F are increasing in value).
        int lower = 0, upper = 0x7F7F;
        if (ReferenceValue((ushort)upper) <= magnitude)
            lower = upper;
        while (upper - lower > 1)
        {
            int middle = (lower + upper) / 2;
            if (ReferenceValue((ushort)middle) <= magnitude)
                lower = middle;
            else
                upper = middle;
        }
        double below = ReferenceValue((ushort)lower);
        double above = lower == 0x7F7F ? Math.ScaleB(1.0, 128) : ReferenceValue((ushort)(lower + 1));
        double distanceBelow = magnitude - below;
        double distanceAbove = above - magnitude;
        int chosen = distanceBelow < distanceAbove ? lower
            : distanceAbove < distanceBelow ? lower + 1
            : (lower & 1) == 0 ? lower : lower + 1;
        return (ushort)(sign | chosen);
    }

    [Fact]
    public void Every_bf16_value_widens_to_its_exact_value()
    {
        ushort[] all = AllUInt16();
        foreach (var (name, run) in WidenPaths)
        {
            var widened = new float[all.Length];
            run(all, widened);
            for (int i = 0; i < all.Length; i++)
            {
                double expected = ReferenceValue(all[i]);
                if (double.IsNaN(expected))
                {
                    Assert.True(float.IsNaN(widened[i]), $"{name}: bf16 0x{i:X4} should widen to NaN");
                    Assert.Equal((uint)i << 16, Bits(widened[i])); // sign and payload kept
                }
                else
                {
                    Assert.True(expected == widened[i] && double.IsNegative(expected) == float.IsNegative(widened[i]),
                        $"{name}: bf16 0x{i:X4} widened to {widened[i]:R}, expected {expected:R}");
                }
            }
        }
    }

    [Fact]
    public void Every_bf16_value_round_trips_through_float()
    {
        ushort[] all = AllUInt16();
        var widened = new float[all.Length];
        BFloat16Conversions.ToSingle(all, widened);
        foreach (var (name, run) in NarrowPaths)
        {
            var back = new ushort[all.Length];
            run(widened, back);
            for (int i = 0; i < all.Length; i++)
            {
                bool isNaN = (i & 0x7F80) == 0x7F80 && (i & 0x7F) != 0;
                if (isNaN)
                {
                    Assert.True((back[i] & 0x7F80) == 0x7F80 && (back[i] & 0x7F) != 0, $"{name}: NaN 0x{i:X4} came back as 0x{back[i]:X4}");
                    Assert.Equal(i & 0x8000, back[i] & 0x8000);
                }
                else
                {
                    Assert.True(i == back[i], $"{name}: 0x{i:X4} came back as 0x{back[i]:X4}");
                }
            }
        }
    }

    [Theory]
    [InlineData(0x3F80_0000u, (ushort)0x3F80)] // 1
    [InlineData(0x3F80_8000u, (ushort)0x3F80)] // 1 + 2^-8: halfway, even neighbour below
    [InlineData(0x3F81_8000u, (ushort)0x3F82)] // halfway between 0x3F81 and 0x3F82: even neighbour above
    [InlineData(0xBF80_8000u, (ushort)0xBF80)] // negative tie, down in magnitude
    [InlineData(0xBF81_8000u, (ushort)0xBF82)] // negative tie, up in magnitude
    [InlineData(0x3F80_7FFFu, (ushort)0x3F80)] // just below halfway
    [InlineData(0x3F80_8001u, (ushort)0x3F81)] // just above halfway
    [InlineData(0x3FFF_FFFFu, (ushort)0x4000)] // carry into the exponent
    [InlineData(0x7F7F_7FFFu, (ushort)0x7F7F)] // largest value that stays finite
    [InlineData(0x7F7F_8000u, (ushort)0x7F80)] // overflow threshold: odd neighbour below, so up to +Inf
    [InlineData(0x7F7F_FFFFu, (ushort)0x7F80)] // float.MaxValue → +Inf
    [InlineData(0xFF7F_FFFFu, (ushort)0xFF80)] // float.MinValue → -Inf
    [InlineData(0x7F80_0000u, (ushort)0x7F80)] // +Inf
    [InlineData(0xFF80_0000u, (ushort)0xFF80)] // -Inf
    [InlineData(0x0000_0000u, (ushort)0x0000)] // +0
    [InlineData(0x8000_0000u, (ushort)0x8000)] // -0 keeps its sign
    [InlineData(0x0000_0001u, (ushort)0x0000)] // smallest subnormal rounds to +0
    [InlineData(0x8000_0001u, (ushort)0x8000)] // ... and its negative to -0
    [InlineData(0x0000_8000u, (ushort)0x0000)] // subnormal tie, even below
    [InlineData(0x0001_8000u, (ushort)0x0002)] // subnormal tie, even above
    [InlineData(0x0000_8001u, (ushort)0x0001)] // just above a subnormal tie
    [InlineData(0x807F_FFFFu, (ushort)0x8080)] // largest negative subnormal rounds into the normals
    [InlineData(0x7FC0_0000u, (ushort)0x7FC0)] // quiet NaN
    [InlineData(0xFFC0_0000u, (ushort)0xFFC0)] // negative quiet NaN
    [InlineData(0x7F80_0001u, (ushort)0x7FC0)] // signalling NaN with a low payload: quieted, not Inf
    [InlineData(0xFF80_0001u, (ushort)0xFFC0)] // ... with its sign
    [InlineData(0x7FA0_0000u, (ushort)0x7FE0)] // signalling NaN: upper payload kept, quiet bit set
    [InlineData(0xFFFF_FFFFu, (ushort)0xFFFF)] // all-ones NaN does not carry out of the sign bit
    public void Scalar_twin_rounds_hand_made_cases(uint floatBits, ushort expectedBits)
    {
        float value = BitConverter.UInt32BitsToSingle(floatBits);
        Assert.Equal(expectedBits, BFloat16Conversions.FromSingle(value));
        if (!float.IsNaN(value))
            Assert.Equal(expectedBits, ReferenceRound(value));
    }

    [Fact]
    public void Scalar_twin_agrees_with_the_arithmetic_reference_on_random_floats()
    {
        float[] values = RandomFloatBits(200_000, seed: 11);
        foreach (float value in values)
        {
            ushort actual = BFloat16Conversions.FromSingle(value);
            if (float.IsNaN(value))
            {
                Assert.True((actual & 0x7F80) == 0x7F80 && (actual & 0x7F) != 0, $"NaN {Hex(Bits(value))} gave 0x{actual:X4}");
                Assert.Equal(Bits(value) >> 31, (uint)actual >> 15);
            }
            else
            {
                ushort expected = ReferenceRound(value);
                Assert.True(expected == actual, $"{Hex(Bits(value))}: scalar 0x{actual:X4}, reference 0x{expected:X4}");
            }
        }
    }

    [Fact]
    public void Vector_paths_equal_the_scalar_twin_on_millions_of_random_bit_patterns()
    {
        float[] values = RandomFloatBits(3_000_000, seed: 7);
        SpecialFloats().CopyTo(values, 0);
        var expected = new ushort[values.Length];
        BFloat16Conversions.FromSingleScalar(values, expected);
        foreach (var (name, run) in NarrowPaths)
        {
            var actual = new ushort[values.Length];
            run(values, actual);
            int mismatch = actual.AsSpan().SequenceEqual(expected) ? -1 : FirstMismatch(actual, expected);
            Assert.True(mismatch < 0, $"{name} differs from the scalar twin at {mismatch}: " +
                $"{(mismatch < 0 ? "" : $"{Hex(Bits(values[mismatch]))} → 0x{actual[mismatch]:X4} vs 0x{expected[mismatch]:X4}")}");
        }
    }

    [Fact]
    public void Vector_paths_equal_the_scalar_twin_on_special_values_in_every_lane()
    {
        // Rotate the specials through the positions of a 64-element span so each lands in every lane of both halves.
        float[] specials = SpecialFloats();
        var values = new float[64 * specials.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = specials[(i + i / 64) % specials.Length];
        var expected = new ushort[values.Length];
        BFloat16Conversions.FromSingleScalar(values, expected);
        foreach (var (name, run) in NarrowPaths)
        {
            var actual = new ushort[values.Length];
            run(values, actual);
            Assert.True(actual.AsSpan().SequenceEqual(expected), $"{name} differs from the scalar twin on special values");
        }
    }

    [Theory]
    [MemberData(nameof(OddLengthData), MemberType = typeof(ConversionTestData))]
    public void Narrowing_paths_handle_odd_lengths_and_write_nothing_past_the_end(int length)
    {
        float[] values = MixedFloats(length, seed: length);
        var expected = new ushort[length];
        for (int i = 0; i < length; i++)
            expected[i] = BFloat16Conversions.FromSingle(values[i]);
        foreach (var (name, run) in NarrowPaths)
        {
            var buffer = new ushort[length + 40];
            buffer.AsSpan().Fill(0xABCD);
            run(values, buffer.AsSpan(0, length));
            Assert.True(buffer.AsSpan(0, length).SequenceEqual(expected), $"{name}, length {length}: differs from the scalar twin");
            Assert.True(buffer.AsSpan(length).IndexOfAnyExcept((ushort)0xABCD) < 0, $"{name}, length {length}: wrote past the end");
        }
    }

    [Theory]
    [MemberData(nameof(OddLengthData), MemberType = typeof(ConversionTestData))]
    public void Widening_paths_handle_odd_lengths_and_write_nothing_past_the_end(int length)
    {
        ushort[] values = RandomUInt16(length, seed: length);
        foreach (var (name, run) in WidenPaths)
        {
            var buffer = new float[length + 40];
            buffer.AsSpan().Fill(-7.25f);
            run(values, buffer.AsSpan(0, length));
            for (int i = 0; i < length; i++)
                Assert.True((uint)values[i] << 16 == Bits(buffer[i]), $"{name}, length {length}, index {i}");
            Assert.True(buffer.AsSpan(length).IndexOfAnyExcept(-7.25f) < 0, $"{name}, length {length}: wrote past the end");
        }
    }

    [Fact]
    public void Raw_little_endian_bytes_give_the_same_result_as_typed_values_even_when_misaligned()
    {
        ushort[] values = RandomUInt16(1001, seed: 3);
        var bytes = new byte[1 + values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1 + i * 2), values[i]);
        var fromBytes = new float[values.Length];
        var fromTyped = new float[values.Length];
        BFloat16Conversions.ToSingle(bytes.AsSpan(1), fromBytes);
        BFloat16Conversions.ToSingle(values, fromTyped);
        Assert.Equal(fromTyped.Select(Bits), fromBytes.Select(Bits));

        var narrowedBytes = new byte[1 + values.Length * 2];
        BFloat16Conversions.FromSingle(fromTyped, narrowedBytes.AsSpan(1));
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(BFloat16Conversions.FromSingle(fromTyped[i]), BinaryPrimitives.ReadUInt16LittleEndian(narrowedBytes.AsSpan(1 + i * 2)));
    }

    [Fact]
    public void Mismatched_lengths_throw_argument_exceptions()
    {
        Assert.Throws<ArgumentException>(() => BFloat16Conversions.ToSingle(new ushort[5], new float[4]));
        Assert.Throws<ArgumentException>(() => BFloat16Conversions.ToSingle(new byte[9], new float[4]));
        Assert.Throws<ArgumentException>(() => BFloat16Conversions.FromSingle(new float[5], new ushort[6]));
        Assert.Throws<ArgumentException>(() => BFloat16Conversions.FromSingle(new float[5], new byte[11]));
    }

    private static int FirstMismatch(ushort[] actual, ushort[] expected)
    {
        for (int i = 0; i < actual.Length; i++)
            if (actual[i] != expected[i])
                return i;
        return -1;
    }
}
