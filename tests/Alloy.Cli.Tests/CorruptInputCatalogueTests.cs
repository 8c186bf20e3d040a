// The catalogue of corrupt checkpoints: each must make `alloy inspect` exit with code 2 and print one
// line that names the file and the problem, never a stack trace.
using System.Buffers.Binary;
using System.Text;

namespace Alloy.Cli.Tests;

public class CorruptInputCatalogueTests
{
    private const string OneTensor = """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    /// <summary>Bytes of a safetensors file with the given header text and data section.</summary>
    internal static byte[] RawFile(string header, byte[] data, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    /// <summary>A case: writes its files into a folder and returns the MODEL argument, the file the message must name and a phrase it must contain.</summary>
    public sealed record Case(string Name, Func<string, (string Model, string Names, string Phrase)> Make)
    {
        public override string ToString() => Name;
    }

    private static (string, string, string) SingleFile(string folder, byte[] bytes, string phrase)
    {
        var path = Path.Combine(folder, "model.safetensors");
        File.WriteAllBytes(path, bytes);
        return (folder, path, phrase);
    }

    private static (string, string, string) Sharded(string folder, string index, string phrase, params (string Name, byte[] Bytes)[] shards)
    {
        foreach (var (name, bytes) in shards)
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        var indexPath = Path.Combine(folder, "model.safetensors.index.json");
        File.WriteAllText(indexPath, index);
        return (folder, indexPath, phrase);
    }

    private static readonly byte[] Valid = RawFile(OneTensor, new byte[8]);

    public static TheoryData<Case> Cases => new()
    {
        new Case("empty file", f => SingleFile(f, [], "the file is empty")),
        new Case("shorter than the length prefix", f => SingleFile(f, [1, 2, 3], "starts with an 8-byte header length")),
        new Case("truncated in the data section", f => SingleFile(f, Valid[..^3], "run past the end of the data section")),
        new Case("header length past the end", f => SingleFile(f, RawFile(OneTensor, new byte[8], 5000), "only")),
        new Case("huge header length", f => SingleFile(f, RawFile(OneTensor, new byte[8], ulong.MaxValue / 3), "over the 100000000-byte limit")),
        new Case("header is not JSON", f => SingleFile(f, RawFile("{not json at all", new byte[8]), "not valid JSON")),
        new Case("header is not UTF-8", f => SingleFile(f, RawFile("{\"w\":1}", []) is var b ? Patch(b, 10, 0xC3, 0x28) : b, "not valid UTF-8")),
        new Case("header is a JSON array", f => SingleFile(f, RawFile("[1,2,3]", []), "must be a JSON object")),
        new Case("unknown dtype", f => SingleFile(f, RawFile("""{"w":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}}""", new byte[8]), "unknown dtype 'F128'")),
        new Case("negative dimension", f => SingleFile(f, RawFile("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", new byte[8]), "non-negative integers")),
        new Case("offsets out of range", f => SingleFile(f, RawFile("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", new byte[8]), "run past the end")),
        new Case("offsets end before they begin", f => SingleFile(f, RawFile("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", new byte[8]), "end before they begin")),
        new Case("overlapping tensors", f => SingleFile(f, RawFile("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]), "overlap")),
        new Case("hole between tensors", f => SingleFile(f, RawFile("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", new byte[12]), "belong to no tensor")),
        new Case("trailing bytes after the last tensor", f => SingleFile(f, RawFile(OneTensor, new byte[12]), "trailing bytes")),
        new Case("numel mismatch", f => SingleFile(f, RawFile("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]), "needs 12 bytes")),
        new Case("shape overflows", f => SingleFile(f, RawFile("""{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}""", new byte[8]), "too many elements")),
        new Case("duplicate names", f => SingleFile(f, RawFile("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]), "appears twice")),
        new Case("metadata value not a string", f => SingleFile(f, RawFile("""{"__metadata__":{"format":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", new byte[8]), "__metadata__ entry 'format' must be a string")),
        new Case("tensor entry without data_offsets", f => SingleFile(f, RawFile("""{"w":{"dtype":"F32","shape":[2]}}""", new byte[8]), "'data_offsets' must be an array")),
        new Case("index points to a missing shard", f => Sharded(f, """{"weight_map":{"w":"model-00001-of-00002.safetensors"}}""", "missing")),
        new Case("index points outside the folder", f => Sharded(f, """{"weight_map":{"w":"../outside.safetensors"}}""", "not a plain file name")),
        new Case("index uses an absolute shard path", f => Sharded(f, """{"weight_map":{"w":"/etc/passwd"}}""", "not a plain file name")),
        new Case("index names a tensor its shard lacks", f => Sharded(f, """{"weight_map":{"w":"a.safetensors","ghost":"a.safetensors"}}""", "does not contain it", ("a.safetensors", Valid))),
        new Case("shard holds a tensor the index does not list", f => Sharded(f, """{"weight_map":{"x":"a.safetensors"}}""", "does not list", ("a.safetensors", Valid))),
        new Case("index is not JSON", f => Sharded(f, "{weight_map:", "not valid JSON")),
        new Case("index without weight_map", f => Sharded(f, """{"metadata":{}}""", "weight_map")),
        new Case("config.json is not JSON", f =>
        {
            File.WriteAllBytes(Path.Combine(f, "model.safetensors"), Valid);
            var config = Path.Combine(f, "config.json");
            File.WriteAllText(config, "{\"hidden_size\": 64,,,");
            return (f, config, "not valid JSON");
        }),
        new Case("config.json field of the wrong type", f =>
        {
            File.WriteAllBytes(Path.Combine(f, "model.safetensors"), Valid);
            var config = Path.Combine(f, "config.json");
            File.WriteAllText(config, "{\"hidden_size\": \"wide\"}");
            return (f, config, "'hidden_size' must be an integer");
        }),
        new Case("folder without weights", f =>
        {
            File.WriteAllText(Path.Combine(f, "pytorch_model.bin"), "x");
            return (f, f, "Alloy reads only safetensors");
        }),
        new Case("several files and no index", f =>
        {
            File.WriteAllBytes(Path.Combine(f, "a.safetensors"), Valid);
            File.WriteAllBytes(Path.Combine(f, "b.safetensors"), Valid);
            return (f, f, "no model.safetensors.index.json");
        }),
        new Case("missing model folder", f => (Path.Combine(f, "nope"), Path.Combine(f, "nope"), "no such model folder")),
    };

    private static byte[] Patch(byte[] bytes, int at, params byte[] with)
    {
        with.CopyTo(bytes, at);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Corrupt_input_exits_2_with_one_line_naming_the_file_and_the_problem(Case corruption)
    {
        using var temp = new TempFolder();
        var (model, names, phrase) = corruption.Make(temp.Path);
        foreach (var json in new[] { false, true })
        {
            var result = json ? CliRunner.Run("inspect", model, "--json") : CliRunner.Run("inspect", model);
            Assert.Equal(2, result.ExitCode);
            Assert.Equal("", result.Stdout);
            var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
            Assert.Contains(names, lines[0], StringComparison.Ordinal);
            Assert.Contains(phrase, lines[0], StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_catalogue_has_at_least_fifteen_cases()
    {
        Assert.True(Cases.Count >= 15);
    }
}
