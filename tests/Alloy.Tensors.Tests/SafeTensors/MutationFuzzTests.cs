// Mutation fuzzing of the reader: random byte flips, overwrites and truncations of valid files must
// end in success or SafetensorsFormatException, never another exception, a crash or a hang.
// CI runs a few hundred cases; `ALLOY_FUZZ_CASES=100000 dotnet test --filter Category=Fuzz` runs more.
using System.Buffers.Binary;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Tensors.Tests.SafeTensors;

public class MutationFuzzTests
{
    private static int CaseCount =>
        int.TryParse(Environment.GetEnvironmentVariable("ALLOY_FUZZ_CASES"), out var n) && n > 0 ? n : 400;

    [Fact]
    [Trait("Category", "Fuzz")]
    public void Mutated_files_fail_only_with_the_readers_own_error()
    {
        var seeds = new[]
        {
            File.ReadAllBytes(TestPaths.Fixtures("safetensors", "numpy_single", "model.safetensors")),
            File.ReadAllBytes(TestPaths.Fixtures("safetensors", "numpy_sharded", "model-00002-of-00002.safetensors")),
        };
        var random = new Random(12345);
        using var temp = new TempFolder();
        var path = temp.File("fuzz.safetensors");
        int accepted = 0, rejected = 0;
        for (var i = 0; i < CaseCount; i++)
        {
            var bytes = Mutate(seeds[i % seeds.Length], random);
            File.WriteAllBytes(path, bytes);
            try
            {
                using var file = SafetensorsFile.Open(path);
                // An accepted file must hand out every tensor's bytes: touch both ends of each span.
                foreach (var t in file.Tensors)
                {
                    var span = file.GetBytes(t);
                    Assert.Equal(t.ByteLength, span.Length);
                    if (span.Length > 0)
                        _ = span[0] + span[^1];
                }
                accepted++;
            }
            catch (SafetensorsFormatException e)
            {
                Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
                rejected++;
            }
        }
        // Both outcomes must occur, or the mutations are not reaching the header.
        Assert.True(accepted > 0 && rejected > 0, $"accepted {accepted}, rejected {rejected}");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        var headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        switch (random.Next(6))
        {
            case 0: // flip bits inside the header
                for (var k = random.Next(1, 4); k > 0; k--)
                    bytes[random.Next(8, headerEnd)] ^= (byte)(1 << random.Next(8));
                break;
            case 1: // replace a header byte with a JSON-significant character
                var specials = "{}[]\",:0123456789-eE. \\u"u8.ToArray();
                bytes[random.Next(8, headerEnd)] = specials[random.Next(specials.Length)];
                break;
            case 2: // truncate anywhere
                return bytes[..random.Next(0, bytes.Length)];
            case 3: // corrupt the length prefix
                bytes[random.Next(0, 8)] = (byte)random.Next(256);
                break;
            case 4: // flip bytes anywhere, data included
                for (var k = random.Next(1, 8); k > 0; k--)
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                break;
            default: // append garbage
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return [.. bytes, .. extra];
        }
        return bytes;
    }
}
