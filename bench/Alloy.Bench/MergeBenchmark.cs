// Macro benchmark `merge`: merge time of a generated bf16 pair with Qwen3-like names (default 1 GiB
// each) through config → plan → executor → sharded output, as a ratio to the I/O floor measured in the
// same run: `cat A B > /dev/null` plus a plain sequential write (and fsync) of the output's bytes. Slerp goes from
// the instruct model (its base_model, t = 0) to the thinking one.
using System.Diagnostics;
using System.Globalization;
using Alloy.Merging.Config;
using Alloy.Merging.Execution;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Bench;

internal static class MergeBenchmark
{
    /// <summary>args: [MiB per model (default 1024)] [methods, comma-separated (default linear,slerp,ties,dare_ties)] [repeats (default 3)].</summary>
    public static int Run(string[] args)
    {
        var sizeMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
        var methods = args.Length > 1 ? args[1].Split(',') : ["linear", "slerp", "ties", "dare_ties"];
        var repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var folder = Path.Combine(Path.GetTempPath(), "alloy-bench-merge");
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var specs = QwenLikeSpecs(sizeMiB * (1L << 20));
        foreach (var (name, seed) in new[] { ("base", 1), ("instruct", 2), ("thinking", 3) })
            WriteModel(Path.Combine(folder, name), specs, seed);
        var inputBytes = new FileInfo(Path.Combine(folder, "instruct", "model.safetensors")).Length;
        Console.WriteLine($"merge benchmark: 2 inputs of {inputBytes / 1e9:F2} GB (bf16, {specs.Count} tensors; base of the same size for ties/dare), best of {repeats}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");

        var chunk = new byte[16 << 20];
        new Random(5).NextBytes(chunk);
        foreach (var method in methods)
        {
            var usesBase = method is "ties" or "dare_ties" or "dare_linear" or "task_arithmetic" or "breadcrumbs";
            var config = Path.Combine(folder, method + ".yml");
            File.WriteAllText(config, $"""
                merge_method: {method}
                {(usesBase ? "base_model: base" : method == "slerp" ? "base_model: instruct" : "")}
                models:
                  - model: instruct
                    parameters: {(method == "slerp" ? "{}" : usesBase ? "{weight: 0.2, density: 0.5}" : "{weight: 0.2}")}
                  - model: thinking
                    parameters: {(method == "slerp" ? "{}" : usesBase ? "{weight: 0.8, density: 0.5}" : "{weight: 0.8}")}
                {(method == "slerp" ? "parameters: {t: 0.8}" : "")}
                dtype: bfloat16
                """);
            double floorBest = double.MaxValue, mergeBest = double.MaxValue, cpuOfBest = 0;
            long peak = 0;
            for (var r = 0; r < repeats; r++)
            {
                var inputs = usesBase ? new[] { "base", "instruct", "thinking" } : ["instruct", "thinking"];
                var sw = Stopwatch.StartNew();
                BenchFloors.Cat(inputs.Select(i => Path.Combine(folder, i, "model.safetensors")));
                var plainPath = Path.Combine(folder, "plain.bin");
                File.Delete(plainPath);
                BenchFloors.WritePlain(plainPath, inputBytes, chunk);
                floorBest = Math.Min(floorBest, sw.Elapsed.TotalSeconds);

                var output = Path.Combine(folder, "out-" + method);
                if (Directory.Exists(output))
                    Directory.Delete(output, recursive: true);
                Directory.CreateDirectory(output);
                sw.Restart();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var built = PlanBuilder.Build(MergeConfigParser.ParseFile(config), Checkpoint.Open);
                try
                {
                    using var sink = new ShardedFolderSink(output, built.Plan, 5_000_000_000, new Dictionary<string, string>());
                    var result = MergeExecutor.Run(built.Plan, built.Models, sink, ExecutionOptions.Default);
                    peak = Math.Max(peak, result.PeakWorkingSetBytes);
                }
                finally
                {
                    foreach (var m in built.Models)
                        m.Dispose();
                }
                if (sw.Elapsed.TotalSeconds < mergeBest)
                {
                    mergeBest = sw.Elapsed.TotalSeconds;
                    cpuOfBest = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{method,-10} merge {mergeBest,7:F3} s  floor {floorBest,7:F3} s  ratio merge/floor {mergeBest / floorBest,5:F2}  cpu {cpuOfBest,6:F2} s  executor peak working set {peak / 1e6,7:F0} MB"));
        }
        Console.WriteLine($"process peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB (includes the 16 MiB random chunk and runtime)");
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static List<TensorSpec> QwenLikeSpecs(long budget)
    {
        var specs = new List<TensorSpec> { TensorSpec.Of("model.embed_tokens.weight", DType.BF16, 151936, 1024) };
        long used = specs[0].ByteLength;
        for (var layer = 0; ; layer++)
        {
            var p = $"model.layers.{layer}.";
            TensorSpec[] layerSpecs =
            [
                TensorSpec.Of(p + "self_attn.q_proj.weight", DType.BF16, 2048, 1024),
                TensorSpec.Of(p + "self_attn.k_proj.weight", DType.BF16, 1024, 1024),
                TensorSpec.Of(p + "self_attn.v_proj.weight", DType.BF16, 1024, 1024),
                TensorSpec.Of(p + "self_attn.o_proj.weight", DType.BF16, 1024, 2048),
                TensorSpec.Of(p + "mlp.gate_proj.weight", DType.BF16, 3072, 1024),
                TensorSpec.Of(p + "mlp.up_proj.weight", DType.BF16, 3072, 1024),
                TensorSpec.Of(p + "mlp.down_proj.weight", DType.BF16, 1024, 3072),
                TensorSpec.Of(p + "input_layernorm.weight", DType.BF16, 1024),
                TensorSpec.Of(p + "post_attention_layernorm.weight", DType.BF16, 1024),
            ];
            var size = layerSpecs.Sum(s => s.ByteLength);
            if (used + size > budget)
                break;
            specs.AddRange(layerSpecs);
            used += size;
        }
        specs.Add(TensorSpec.Of("model.norm.weight", DType.BF16, 1024));
        return specs;
    }

    private static void WriteModel(string folder, List<TensorSpec> specs, int seed)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","num_hidden_layers":{{specs.Count(s => s.Name.EndsWith("q_proj.weight", StringComparison.Ordinal))}}}""");
        var random = new Random(seed);
        var block = new float[1 << 20];
        var bytes = new byte[block.Length * 2];
        using var writer = new SafetensorsWriter(Path.Combine(folder, "model.safetensors"), specs, null);
        foreach (var spec in specs)
        {
            for (long left = spec.ByteLength / 2; left > 0;)
            {
                var n = (int)Math.Min(left, block.Length);
                for (var i = 0; i < n; i++)
                    block[i] = (float)((random.NextDouble() * 2) - 1) * 0.05f;
                Alloy.Tensors.Conversions.DTypeConversions.FromFloat32(block.AsSpan(0, n), DType.BF16, bytes.AsSpan(0, n * 2));
                writer.Write(bytes.AsSpan(0, n * 2));
                left -= n;
            }
        }
        writer.Complete();
    }
}
