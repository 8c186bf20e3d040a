// Macro benchmark `io`: safetensors read and write throughput on a generated file (default 1 GiB),
// each as a ratio to a floor measured in the same run: `cat FILE > /dev/null` for reading and a
// plain sequential FileStream write (with the same fsync) for writing. Page cache is warm for reads.
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Alloy.Tensors;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Bench;

internal static class IoBenchmark
{
    public static int Run(string[] args)
    {
        var sizeMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
        var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var folder = Path.Combine(Path.GetTempPath(), "alloy-bench-io");
        Directory.CreateDirectory(folder);
        var source = Path.Combine(folder, "source.safetensors");
        var specs = QwenLikeSpecs(sizeMiB * (1L << 20));
        var total = specs.Sum(s => s.ByteLength);
        Console.WriteLine($"io benchmark: {specs.Count} BF16 tensors, {total / (double)(1 << 20):F0} MiB, best of {repeats}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");

        var chunk = new byte[16 << 20];
        new Random(7).NextBytes(chunk);
        File.Delete(source);
        WriteWithAlloy(source, specs, chunk);

        // Warm the page cache once, then alternate floor and reader runs.
        BenchFloors.Cat([source]);
        double catBest = double.MaxValue, readBest = double.MaxValue, mapBest = double.MaxValue;
        ulong streamed = 0, mapped = 0;
        for (var r = 0; r < repeats; r++)
        {
            catBest = Math.Min(catBest, BenchFloors.Cat([source]));
            var sw = Stopwatch.StartNew();
            streamed = StreamAll(source, chunk);
            readBest = Math.Min(readBest, sw.Elapsed.TotalSeconds);
            sw.Restart();
            mapped = MapAll(source);
            mapBest = Math.Min(mapBest, sw.Elapsed.TotalSeconds);
        }
        if (streamed != mapped)
            throw new InvalidOperationException("the streamed and mapped reads disagree");
        var fileBytes = new FileInfo(source).Length;
        Report("read  floor: cat FILE > /dev/null", fileBytes, catBest);
        Report("read  alloy: SafetensorsFile.Read (pread), every byte summed", fileBytes, readBest);
        Report("read  alloy: fresh mmap + Populate, every byte summed", fileBytes, mapBest);
        Console.WriteLine($"read  ratio alloy/floor throughput: pread {catBest / readBest:F3}, fresh mmap {catBest / mapBest:F3} (checksum {streamed:X})");

        var target = Path.Combine(folder, "out.safetensors");
        var plain = Path.Combine(folder, "plain.bin");
        double plainBest = double.MaxValue, writeBest = double.MaxValue;
        for (var r = 0; r < repeats; r++)
        {
            File.Delete(plain);
            var sw = Stopwatch.StartNew();
            BenchFloors.WritePlain(plain, fileBytes, chunk);
            plainBest = Math.Min(plainBest, sw.Elapsed.TotalSeconds);
            File.Delete(target);
            sw.Restart();
            WriteWithAlloy(target, specs, chunk);
            writeBest = Math.Min(writeBest, sw.Elapsed.TotalSeconds);
        }
        Report("write floor: FileStream sequential write + fsync", fileBytes, plainBest);
        Report("write alloy: SafetensorsWriter + fsync", fileBytes, writeBest);
        Console.WriteLine($"write ratio alloy/floor throughput: {plainBest / writeBest:F3}");
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static void Report(string what, long bytes, double seconds) =>
        Console.WriteLine($"{what,-52} {seconds,8:F3} s  {bytes / seconds / 1e9,7:F2} GB/s");

    /// <summary>Qwen3-like layer tensors (q/k/v/o, gate/up/down, norms) until the byte budget is used.</summary>
    private static List<TensorSpec> QwenLikeSpecs(long budget)
    {
        var specs = new List<TensorSpec> { TensorSpec.Of("model.embed_tokens.weight", DType.BF16, 151936, 1024) };
        long used = specs[0].ByteLength;
        for (var layer = 0; used < budget; layer++)
        {
            var p = $"model.layers.{layer}.";
            foreach (var s in new[]
            {
                TensorSpec.Of(p + "self_attn.q_proj.weight", DType.BF16, 2048, 1024),
                TensorSpec.Of(p + "self_attn.k_proj.weight", DType.BF16, 1024, 1024),
                TensorSpec.Of(p + "self_attn.v_proj.weight", DType.BF16, 1024, 1024),
                TensorSpec.Of(p + "self_attn.o_proj.weight", DType.BF16, 1024, 2048),
                TensorSpec.Of(p + "self_attn.q_norm.weight", DType.BF16, 128),
                TensorSpec.Of(p + "self_attn.k_norm.weight", DType.BF16, 128),
                TensorSpec.Of(p + "mlp.gate_proj.weight", DType.BF16, 3072, 1024),
                TensorSpec.Of(p + "mlp.up_proj.weight", DType.BF16, 3072, 1024),
                TensorSpec.Of(p + "mlp.down_proj.weight", DType.BF16, 1024, 3072),
                TensorSpec.Of(p + "input_layernorm.weight", DType.BF16, 1024),
                TensorSpec.Of(p + "post_attention_layernorm.weight", DType.BF16, 1024),
            })
            {
                if (used + s.ByteLength > budget)
                    return specs;
                specs.Add(s);
                used += s.ByteLength;
            }
        }
        return specs;
    }

    private static void WriteWithAlloy(string path, List<TensorSpec> specs, byte[] chunk)
    {
        using var writer = new SafetensorsWriter(path, specs, new Dictionary<string, string> { ["format"] = "pt" });
        foreach (var spec in specs)
        {
            for (long left = spec.ByteLength; left > 0;)
            {
                var n = (int)Math.Min(left, chunk.Length);
                writer.Write(chunk.AsSpan(0, n));
                left -= n;
            }
        }
        writer.Complete();
    }

    private static ulong StreamAll(string path, byte[] buffer)
    {
        using var file = SafetensorsFile.Open(path);
        var block = buffer.AsSpan(0, 4 << 20);
        ulong sum = 0;
        foreach (var t in file.Tensors)
        {
            for (long offset = 0; offset < t.ByteLength; offset += block.Length)
            {
                var part = block[..(int)Math.Min(block.Length, t.ByteLength - offset)];
                file.Read(t, offset, part);
                sum += Touch(part);
            }
        }
        return sum;
    }

    private static ulong MapAll(string path)
    {
        using var file = SafetensorsFile.Open(path);
        ulong sum = 0;
        foreach (var t in file.Tensors)
        {
            file.Populate(t);
            for (long offset = 0; offset < t.ByteLength; offset += 1 << 30)
            {
                var span = file.GetBytes(t, offset, (int)Math.Min(1 << 30, t.ByteLength - offset));
                sum += Touch(span);
            }
        }
        return sum;
    }

    /// <summary>Reads every byte (a vectorised sum of 64-bit words) so the pages are really loaded.</summary>
    private static ulong Touch(ReadOnlySpan<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        var acc = Vector<ulong>.Zero;
        var vectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(words);
        foreach (var v in vectors)
            acc += v;
        ulong sum = Vector.Sum(acc);
        for (var i = vectors.Length * Vector<ulong>.Count; i < words.Length; i++)
            sum += words[i];
        return sum;
    }
}
