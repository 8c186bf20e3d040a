// Tests of FP8 (E4M3 fn, E5M2) → float: all 256 codes of each format against the golden file from
// tools/fixtures/dtypes/float8_reference.py (exact rationals from the format definitions), plus span tails.
using System.Globalization;
using System.Text.Json;
using Alloy.Tensors.Conversions;
using static Alloy.Tensors.Tests.Conversions.ConversionTestData;

namespace Alloy.Tensors.Tests.Conversions;

public class Float8ConversionTests
{
    private delegate float DecodeOne(byte code);
    private delegate void DecodeSpan(ReadOnlySpan<byte> source, Span<float> destination);

    private static (DecodeOne One, DecodeSpan Span) Decoders(string format) => format switch
    {
        "F8_E4M3" => (Float8Conversions.E4M3ToSingle, Float8Conversions.E4M3ToSingle),
        "F8_E5M2" => (Float8Conversions.E5M2ToSingle, Float8Conversions.E5M2ToSingle),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    private static JsonElement ReferenceValues(string format)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "dtypes", "float8_reference.json");
        Assert.True(File.Exists(path), $"golden file missing: {path} (made by tools/fixtures/dtypes/float8_reference.py)");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("formats").GetProperty(format).GetProperty("values").Clone();
    }

    [Theory]
    [InlineData("F8_E4M3")]
    [InlineData("F8_E5M2")]
    public void All_256_codes_decode_to_the_reference_value(string format)
    {
        var (decodeOne, decodeSpan) = Decoders(format);
        JsonElement values = ReferenceValues(format);
        Assert.Equal(256, values.GetArrayLength());

        var codes = new byte[256];
        for (int i = 0; i < 256; i++)
            codes[i] = (byte)i;
        var decoded = new float[256];
        decodeSpan(codes, decoded);

        foreach (JsonElement entry in values.EnumerateArray())
        {
            int code = entry.GetProperty("code").GetInt32();
            string kind = entry.GetProperty("kind").GetString()!;
            bool negative = entry.GetProperty("negative").GetBoolean();
            foreach (float actual in new[] { decodeOne((byte)code), decoded[code] })
            {
                if (kind == "nan")
                {
                    Assert.True(float.IsNaN(actual), $"{format} code 0x{code:X2} should be NaN, got {actual:R}");
                    Assert.Equal(negative, float.IsNegative(actual));
                }
                else
                {
                    uint expectedBits = uint.Parse(entry.GetProperty("float32_bits").GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    Assert.True(expectedBits == Bits(actual),
                        $"{format} code 0x{code:X2} ({kind}): expected {Hex(expectedBits)}, got {Hex(Bits(actual))} ({actual:R})");
                }
            }
        }
    }

    [Theory]
    [InlineData("F8_E4M3", 0x7E, 448f)]
    [InlineData("F8_E4M3", 0xFE, -448f)]
    [InlineData("F8_E4M3", 0x78, 256f)]       // S.1111.000 is finite in the fn variant
    [InlineData("F8_E4M3", 0x01, 0.001953125f)] // 2^-9
    [InlineData("F8_E4M3", 0x38, 1f)]
    [InlineData("F8_E5M2", 0x7B, 57344f)]
    [InlineData("F8_E5M2", 0x7C, float.PositiveInfinity)]
    [InlineData("F8_E5M2", 0xFC, float.NegativeInfinity)]
    [InlineData("F8_E5M2", 0x01, 1.52587890625e-05f)] // 2^-16
    [InlineData("F8_E5M2", 0x3C, 1f)]
    public void Landmark_codes_decode_to_hand_worked_values(string format, int code, float expected)
    {
        Assert.Equal(Bits(expected), Bits(Decoders(format).One((byte)code)));
    }

    [Theory]
    [MemberData(nameof(OddLengthData), MemberType = typeof(ConversionTestData))]
    public void Spans_of_odd_length_match_the_bit_formula_and_write_nothing_past_the_end(int length)
    {
        var random = new Random(length);
        var codes = new byte[length];
        random.NextBytes(codes);
        foreach (string format in new[] { "F8_E4M3", "F8_E5M2" })
        {
            var (decodeOne, decodeSpan) = Decoders(format);
            var buffer = new float[length + 8];
            buffer.AsSpan().Fill(-7.25f);
            decodeSpan(codes, buffer.AsSpan(0, length));
            for (int i = 0; i < length; i++)
                Assert.Equal(Bits(decodeOne(codes[i])), Bits(buffer[i]));
            Assert.True(buffer.AsSpan(length).IndexOfAnyExcept(-7.25f) < 0, $"{format}: wrote past the end");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw_argument_exceptions()
    {
        Assert.Throws<ArgumentException>(() => Float8Conversions.E4M3ToSingle(new byte[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Float8Conversions.E5M2ToSingle(new byte[5], new float[4]));
    }
}
