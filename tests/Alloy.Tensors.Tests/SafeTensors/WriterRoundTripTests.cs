// Round trips through SafetensorsWriter / ShardedSafetensorsWriter and back through the reader:
// every dtype, chunked writes, single-file vs sharded output, atomic output folders.
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.IO;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Tensors.Tests.SafeTensors;

public class WriterRoundTripTests
{
    private static readonly DType[] AllDTypes = Enum.GetValues<DType>();

    private static List<(TensorSpec Spec, byte[] Bytes)> RandomTensors(int seed)
    {
        var random = new Random(seed);
        var list = new List<(TensorSpec, byte[])>();
        var i = 0;
        foreach (var dtype in AllDTypes)
        {
            foreach (var shape in new long[][] { [3, 5], [7], [], [0, 4], [2, 3, 4] })
            {
                var spec = new TensorSpec($"t{i++}.{dtype}", dtype, [.. shape]);
                var bytes = new byte[spec.ByteLength];
                random.NextBytes(bytes);
                if (dtype == DType.Bool)
                    for (var b = 0; b < bytes.Length; b++)
                        bytes[b] &= 1;
                list.Add((spec, bytes));
            }
        }
        return list;
    }

    [Fact]
    public void Every_dtype_round_trips_through_one_file_written_in_odd_chunks()
    {
        using var temp = new TempFolder();
        var tensors = RandomTensors(1);
        var path = temp.File("all.safetensors");
        var all = tensors.SelectMany(t => t.Bytes).ToArray();
        using (var writer = new SafetensorsWriter(path, [.. tensors.Select(t => t.Spec)], new Dictionary<string, string> { ["format"] = "pt" }))
        {
            for (var offset = 0; offset < all.Length; offset += 13)
                writer.Write(all.AsSpan(offset, Math.Min(13, all.Length - offset)));
            writer.Complete();
        }
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(0, file.DataStart % 8);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(tensors.Count, file.Tensors.Length);
        foreach (var (spec, bytes) in tensors)
        {
            var info = file.GetTensor(spec.Name);
            Assert.Equal(spec.DType, info.DType);
            Assert.Equal(spec.Shape.ToArray(), info.Shape.ToArray());
            Assert.Equal(bytes, file.GetBytes(info).ToArray());
        }
    }

    [Theory]
    [InlineData(1L << 40, 1)]
    [InlineData(100, 0)]
    [InlineData(1, 0)]
    public void Sharded_and_single_writes_of_the_same_tensors_read_back_equal(long maxShardBytes, int expectedShards)
    {
        using var temp = new TempFolder();
        var tensors = RandomTensors(2);
        var folder = Path.Combine(temp.Path, "out");
        using (var staging = StagingFolder.Create(folder, overwrite: false))
        {
            using (var writer = new ShardedSafetensorsWriter(staging.Path, [.. tensors.Select(t => t.Spec)], maxShardBytes, null))
            {
                foreach (var (_, bytes) in tensors)
                    writer.Write(bytes);
                writer.Complete();
                if (expectedShards == 1)
                    Assert.Equal([ShardedSafetensorsWriter.SingleFileName], writer.FileNames);
                else
                    Assert.True(writer.FileNames.Count > 1);
            }
            staging.Commit();
        }
        using var checkpoint = Checkpoint.Open(folder);
        Assert.Equal(expectedShards == 1 ? null : (long?)tensors.Sum(t => t.Bytes.LongLength), checkpoint.Index?.TotalSize);
        Assert.Equal(tensors.Count, checkpoint.Tensors.Length);
        foreach (var (spec, bytes) in tensors)
            Assert.Equal(bytes, checkpoint.GetTensor(spec.Name).GetBytes().ToArray());
        if (maxShardBytes == 1)
            Assert.All(checkpoint.Files, f => Assert.True(f.Tensors.Count(t => t.ByteLength > 0) <= 1));
        Assert.DoesNotContain(Directory.GetDirectories(temp.Path), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public void Shard_names_follow_the_hugging_face_pattern()
    {
        Assert.Equal("model-00002-of-00013.safetensors", ShardedSafetensorsWriter.ShardName(2, 13));
    }

    [Fact]
    public void An_incomplete_file_is_deleted_and_completing_it_fails()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.safetensors");
        using (var writer = new SafetensorsWriter(path, [TensorSpec.Of("a", DType.F32, 4)], null))
        {
            writer.Write(new byte[10]);
            Assert.Throws<InvalidOperationException>(writer.Complete);
        }
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Writing_past_the_declared_tensors_fails()
    {
        using var temp = new TempFolder();
        using var writer = new SafetensorsWriter(temp.File("x.safetensors"), [TensorSpec.Of("a", DType.BF16, 2)], null);
        Assert.Throws<InvalidOperationException>(() => writer.Write(new byte[5]));
    }

    [Fact]
    public void Duplicate_names_are_refused_before_anything_is_written()
    {
        using var temp = new TempFolder();
        Assert.Throws<ArgumentException>(() => new SafetensorsWriter(temp.File("x.safetensors"), [TensorSpec.Of("a", DType.F32, 1), TensorSpec.Of("a", DType.F32, 1)], null));
        Assert.False(File.Exists(temp.File("x.safetensors")));
    }

    [Fact]
    public void Staging_refuses_an_existing_folder_unless_told_and_replaces_it_when_told()
    {
        using var temp = new TempFolder();
        var target = Path.Combine(temp.Path, "model");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "old.txt"), "old");
        var error = Assert.Throws<AlloyInputException>(() => StagingFolder.Create(target, overwrite: false));
        Assert.Contains("--force", error.Message, StringComparison.Ordinal);

        using (var staging = StagingFolder.Create(target, overwrite: true))
        {
            File.WriteAllText(Path.Combine(staging.Path, "new.txt"), "new");
            Assert.True(File.Exists(Path.Combine(target, "old.txt")));
            staging.Commit();
        }
        Assert.False(File.Exists(Path.Combine(target, "old.txt")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "new.txt")));
        Assert.Single(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Staging_discarded_without_commit_leaves_nothing()
    {
        using var temp = new TempFolder();
        var target = Path.Combine(temp.Path, "model");
        using (var staging = StagingFolder.Create(target, overwrite: false))
            File.WriteAllText(Path.Combine(staging.Path, "part.safetensors"), "partial");
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Large_tensor_can_be_read_in_parts()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.safetensors");
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        using (var writer = new SafetensorsWriter(path, [TensorSpec.Of("w", DType.BF16, 2048)], null))
        {
            writer.Write(bytes);
            writer.Complete();
        }
        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        var info = file.GetTensor("w");
        Assert.Equal(bytes.AsSpan(1000, 96).ToArray(), file.GetBytes(info, 1000, 96).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => file.GetBytes(info, 4000, 97).Length);
    }

    [Fact]
    public void Header_is_readable_json_with_names_in_write_order()
    {
        var lengths = new long[2];
        var header = SafetensorsWriter.BuildHeader([TensorSpec.Of("b", DType.F32, 2), TensorSpec.Of("a", DType.F16, 3)], null, lengths);
        Assert.Equal(0, header.Length % 8);
        var parsed = SafetensorsHeader.Parse(header, 8 + 6, "mem");
        Assert.Equal(["b", "a"], parsed.Tensors.Select(t => t.Name));
        Assert.Equal([3L], parsed.Tensors[1].Shape.ToArray());
    }
}
