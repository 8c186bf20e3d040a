// Reads the files written by the independent numpy writer (tools/fixtures/safetensors) and checks
// every tensor's dtype, shape, bytes (sha256) and decoded values.
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Tensors.Tests.SafeTensors;

public class IndependentWriterTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixtures("safetensors", "expected.json"))).RootElement;

    [Theory]
    [InlineData("numpy_single", 1)]
    [InlineData("numpy_sharded", 2)]
    public void Every_tensor_reads_back_exactly(string folder, int shards)
    {
        using var checkpoint = Checkpoint.Open(TestPaths.Fixtures("safetensors", folder));
        Assert.Equal(shards, checkpoint.Files.Count);
        Assert.Equal(Expected.EnumerateObject().Count(), checkpoint.Tensors.Length);
        foreach (var property in Expected.EnumerateObject())
        {
            var tensor = checkpoint.GetTensor(property.Name);
            var expected = property.Value;
            Assert.Equal(expected.GetProperty("dtype").GetString(), tensor.DType.ToSafetensorsName());
            Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), tensor.Info.Shape);
            var bytes = tensor.GetBytes();
            Assert.Equal(expected.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            if (expected.TryGetProperty("values", out var values))
                Assert.Equal(values.EnumerateArray().Select(ParseValue), Decode(tensor.DType, bytes));
        }
    }

    [Fact]
    public void Config_metadata_and_tied_embeddings_are_read()
    {
        using var checkpoint = Checkpoint.Open(TestPaths.Fixtures("safetensors", "numpy_sharded"));
        var config = checkpoint.RequireConfig();
        Assert.Equal("Qwen3ForCausalLM", config.ArchitectureName);
        Assert.Equal(8, config.HiddenSize);
        Assert.Equal([3, 4], config.EosTokenIds.ToArray());
        Assert.True(checkpoint.TiedEmbeddings);
        Assert.Equal("pt", checkpoint.Files[0].Metadata["format"]);
        Assert.Equal(checkpoint.DataBytes, checkpoint.Index!.TotalSize);
    }

    private static double ParseValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => double.NaN,
        JsonValueKind.String => e.GetString() == "inf" ? double.PositiveInfinity : double.NegativeInfinity,
        _ => e.GetDouble(),
    };

    // Decoding here is deliberately naive (one element at a time) so it is independent of the SIMD conversions.
    private static IEnumerable<double> Decode(DType dtype, ReadOnlySpan<byte> bytes) => dtype switch
    {
        DType.F64 => MemoryMarshal.Cast<byte, double>(bytes).ToArray(),
        DType.F32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(v => (double)v),
        DType.F16 => MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(v => (double)v),
        DType.BF16 => MemoryMarshal.Cast<byte, ushort>(bytes).ToArray().Select(v => (double)BitConverter.Int32BitsToSingle(v << 16)),
        DType.I64 => MemoryMarshal.Cast<byte, long>(bytes).ToArray().Select(v => (double)v),
        DType.I32 => MemoryMarshal.Cast<byte, int>(bytes).ToArray().Select(v => (double)v),
        DType.I16 => MemoryMarshal.Cast<byte, short>(bytes).ToArray().Select(v => (double)v),
        DType.I8 => MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray().Select(v => (double)v),
        DType.U8 or DType.Bool => bytes.ToArray().Select(v => (double)v),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };
}
