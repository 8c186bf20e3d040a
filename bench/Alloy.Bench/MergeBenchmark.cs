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
            if (method == "sweep11")
            {
                Sweep11(folder, repeats, chunk);
                continue;
            }
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
        // ALLOY_BENCH_KEEP=1 leaves the generated models and configs, to profile `alloy merge` on them alone.
        if (Environment.GetEnvironmentVariable("ALLOY_BENCH_KEEP") == "1")
            Console.WriteLine($"kept {folder}");
        else
            Directory.Delete(folder, recursive: true);
        return 0;
    }

    // An 11-point linear sweep (λ = 0, 0.1, …, 1) written by the sweep writer in one tensor-major pass over the parents,
    // against one linear merge of the same models in the same run (target: sweep ÷ one merge ≤ 5; a plain loop is 11).
    private static void Sweep11(string folder, int repeats, byte[] chunk)
    {
        double one = double.MaxValue, sweep = double.MaxValue, floor = double.MaxValue;
        var outputBytes = new FileInfo(Path.Combine(folder, "instruct", "model.safetensors")).Length;
        for (var r = 0; r < repeats; r++)
        {
            // The sweep's own I/O floor: read both parents once, write 11 outputs' bytes (sequential, fsync).
            var floorClock = Stopwatch.StartNew();
            BenchFloors.Cat(new[] { "instruct", "thinking" }.Select(m => Path.Combine(folder, m, "model.safetensors")));
            var plain = Path.Combine(folder, "plain11.bin");
            File.Delete(plain);
            BenchFloors.WritePlain(plain, 11 * outputBytes, chunk);
            File.Delete(plain);
            floor = Math.Min(floor, floorClock.Elapsed.TotalSeconds);
            var cache = new Dictionary<string, Checkpoint>(StringComparer.Ordinal);
            Checkpoint Open(string path) => cache.TryGetValue(Path.GetFullPath(path), out var c) ? c : cache[Path.GetFullPath(path)] = Checkpoint.Open(path);
            try
            {
                var plans = new List<Alloy.Merging.Plan.BuiltPlan>();
                for (var i = 0; i <= 10; i++)
                {
                    var config = Path.Combine(folder, $"sweep-{i}.yml");
                    File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture,
                        $"merge_method: linear\nmodels:\n  - model: instruct\n    parameters: {{weight: {(10 - i) / 10.0:0.0}}}\n  - model: thinking\n    parameters: {{weight: {i / 10.0:0.0}}}\ndtype: bfloat16\n"));
                    plans.Add(PlanBuilder.Build(MergeConfigParser.ParseFile(config), Open));
                }
                var models = plans[0].Models;
                var sw = Stopwatch.StartNew();
                MergedFolderWriter.Write(plans[8], "bench", Path.Combine(folder, "one"), overwrite: true, ExecutionOptions.Default, 5_000_000_000, "linear");
                one = Math.Min(one, sw.Elapsed.TotalSeconds);
                sw.Restart();
                MergedFolderWriter.WriteMany([.. plans.Select((p, i) => new MergeTarget(p.Plan, p.Donor, "bench", Path.Combine(folder, $"sweep-out-{i}"), true, "linear"))],
                    models, ExecutionOptions.Default, 5_000_000_000);
                sweep = Math.Min(sweep, sw.Elapsed.TotalSeconds);
                for (var i = 0; i <= 10; i++)
                    Directory.Delete(Path.Combine(folder, $"sweep-out-{i}"), recursive: true);
                Directory.Delete(Path.Combine(folder, "one"), recursive: true);
            }
            finally
            {
                foreach (var c in cache.Values)
                    c.Dispose();
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sweep11    one linear merge {one,7:F3} s  11-point sweep writer {sweep,7:F3} s  ratio sweep/one {sweep / one,5:F2} (target ≤ 5; 11 separate merges would be about 11)  sweep I/O floor {floor,7:F3} s  ratio sweep/floor {sweep / floor,5:F2}"));
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
