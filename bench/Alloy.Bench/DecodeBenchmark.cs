// Macro benchmark `decode`: single-stream decode tokens/s of the embedded engine on a random bf16 model
// with Qwen3-0.6B's shapes, generated in memory at run time, against the bandwidth bound
// (weight and KV-cache bytes read per token ÷ a streaming-read bandwidth measured over the same bytes in this run);
// optionally also batched decode and a bf16 KV cache.
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Alloy.Inference.Transformer;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Bench;

internal static class DecodeBenchmark
{
    /// <summary>
    /// args: [decode tokens (default 32)] [prompt tokens (default 64)] [layers (default 28)] [batch (default 1)]
    /// [rounds (default 3)] [KV cache: f32 | bf16 | both (default f32)]. With batch B &gt; 1 each round also forks the prompt's cache B times and times B-sequence
    /// DecodeBatch steps, reporting aggregate tok/s against the single-stream figure of the same run (best rounds).
    /// </summary>
    public static int Run(string[] args)
    {
        var decodeTokens = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
        var promptTokens = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
        var layers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 28;
        var batch = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
        var kvArg = args.Length > 5 ? args[5] : "f32";
        const int hidden = 1024, intermediate = 3072, heads = 16, kvHeads = 8, headDim = 128, vocab = 151936;
        var config = ModelConfig.Parse($$"""
            {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": {{hidden}},
             "intermediate_size": {{intermediate}}, "num_hidden_layers": {{layers}}, "num_attention_heads": {{heads}},
             "num_key_value_heads": {{kvHeads}}, "head_dim": {{headDim}}, "vocab_size": {{vocab}},
             "rms_norm_eps": 1e-6, "rope_theta": 1000000, "tie_word_embeddings": true}
            """, "generated Qwen3-0.6B-shaped config");

        Console.WriteLine($"decode benchmark: random bf16 Qwen3-0.6B shapes ({layers} layers), prompt {promptTokens}, decode {decodeTokens}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, Vector512 {Vector512.IsHardwareAccelerated}");
        var tensors = new Dictionary<string, WeightTensor>();
        var buffers = new List<byte[]>();
        var fills = new List<(byte[] Bytes, bool Norm, uint Seed)>();
        var raw = new Dictionary<string, byte[]>();
        void Add(string name, bool norm, params long[] shape)
        {
            var count = shape.Aggregate(1L, (a, d) => a * d);
            var bytes = new byte[count * 2];
            fills.Add((bytes, norm, (uint)tensors.Count + 1));
            buffers.Add(bytes);
            raw[name] = bytes;
            tensors[name] = WeightTensor.FromBytes(DType.BF16, bytes, shape);
        }
        var sw = Stopwatch.StartNew();
        Add("model.embed_tokens.weight", false, vocab, hidden);
        for (var l = 0; l < layers; l++)
        {
            var p = $"model.layers.{l}.";
            Add(p + "input_layernorm.weight", true, hidden);
            Add(p + "post_attention_layernorm.weight", true, hidden);
            Add(p + "self_attn.q_norm.weight", true, headDim);
            Add(p + "self_attn.k_norm.weight", true, headDim);
            Add(p + "self_attn.q_proj.weight", false, heads * headDim, hidden);
            Add(p + "self_attn.k_proj.weight", false, kvHeads * headDim, hidden);
            Add(p + "self_attn.v_proj.weight", false, kvHeads * headDim, hidden);
            Add(p + "self_attn.o_proj.weight", false, hidden, heads * headDim);
            Add(p + "mlp.gate_proj.weight", false, intermediate, hidden);
            Add(p + "mlp.up_proj.weight", false, intermediate, hidden);
            Add(p + "mlp.down_proj.weight", false, hidden, intermediate);
        }
        Add("model.norm.weight", true, hidden);
        Parallel.ForEach(fills, f => Fill(f.Bytes, f.Norm, f.Seed));
        Console.WriteLine($"generated {buffers.Sum(b => (long)b.Length) / 1e9:F2} GB of weights in {sw.Elapsed.TotalSeconds:F1} s");

        using var model = TransformerModel.Load(new InMemoryWeightSource(config, tensors, "generated model"));
        var bytesPerToken = model.Weights.BytesPerToken;

        // The bandwidth of this VM drifts between runs and within one (other tenants share the memory controller), so it
        // is measured again right before every single-stream round, and each round's rate is set against its own bound.
        var bandwidth = 0.0;
        for (var r = 0; r < 3; r++)
            bandwidth = Math.Max(bandwidth, StreamingRead(buffers));
        var roundBandwidths = new List<double>();

        var random = new Random(1);
        var prompt = Enumerable.Range(0, promptTokens).Select(_ => random.Next(vocab)).ToArray();
        var kvTypes = kvArg switch
        {
            "f32" => new[] { DType.F32 },
            "bf16" => [DType.BF16],
            "both" => [DType.F32, DType.BF16],
            _ => throw new ArgumentException($"KV cache type '{kvArg}' is not one of f32, bf16, both"),
        };
        var prefilledCaches = new KvCache[kvTypes.Length];
        var prefillSeconds = new double[kvTypes.Length];
        float[] promptLogits = [];
        for (var k = 0; k < kvTypes.Length; k++)
        {
            prefilledCaches[k] = model.CreateCache(kvTypes[k]);
            sw.Restart();
            promptLogits = model.Forward(prompt, prefilledCaches[k]);
            prefillSeconds[k] = sw.Elapsed.TotalSeconds;
        }
        var prefilled = prefilledCaches[0];

        // Rounds alternate single-stream decoding (per KV cache type) and batched decoding (first type), each from fresh
        // forks of the prompt's cache (so every round decodes at the same context); the best round of each is
        // reported, since other jobs share the cores.
        var singleRates = kvTypes.Select(_ => new List<double>()).ToArray();
        var batchRates = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            roundBandwidths.Add(Math.Max(StreamingRead(buffers), StreamingRead(buffers)));
            for (var k = 0; k < kvTypes.Length; k++)
            {
                var cache = prefilledCaches[k].Fork();
                var logits = model.Forward([ArgMax(promptLogits)], cache); // warm-up step
                sw.Restart();
                for (var i = 0; i < decodeTokens; i++)
                    logits = model.Forward([ArgMax(logits)], cache);
                singleRates[k].Add(decodeTokens / sw.Elapsed.TotalSeconds);
                cache.Release(); // as the embedded generator does when a sequence ends: its pages serve the next round
            }
            if (batch > 1)
            {
                // B samples of the same prompt: forks of its cache, one warm-up step, then timed batched steps.
                var caches = Enumerable.Range(0, batch).Select(_ => prefilled.Fork()).ToArray();
                var tokens = Enumerable.Range(0, batch).Select(b => (b * 7919) % vocab).ToArray();
                var batchLogits = new float[batch * vocab];
                model.DecodeBatch(tokens, caches, batchLogits);
                sw.Restart();
                for (var i = 0; i < decodeTokens; i++)
                {
                    for (var b = 0; b < batch; b++)
                        tokens[b] = ArgMax(batchLogits.AsSpan(b * vocab, vocab));
                    model.DecodeBatch(tokens, caches, batchLogits);
                }
                batchRates.Add(batch * decodeTokens / sw.Elapsed.TotalSeconds);
                foreach (var cache in caches)
                    cache.Release();
            }
        }

        var tokensPerSecond = singleRates[0].Max();
        Console.WriteLine($"bytes of weights per token: {bytesPerToken / 1e6:F1} MB");
        Console.WriteLine($"streaming read over the weights ({Environment.ProcessorCount} threads, best of 3): {bandwidth / 1e9:F2} GB/s");
        // The bound counts the KV cache too: at the mean context of the timed steps every cached key and value is read once.
        var context = promptTokens + 1 + (decodeTokens + 1) / 2.0;
        for (var k = 0; k < kvTypes.Length; k++)
        {
            var kvBytes = context * prefilledCaches[k].BytesPerPosition;
            var bound = bandwidth / (bytesPerToken + kvBytes);
            var rate = singleRates[k].Max();
            Console.WriteLine($"KV cache {kvTypes[k]}: prefill {promptTokens} tokens in {prefillSeconds[k]:F2} s = {promptTokens / prefillSeconds[k]:F1} tok/s; "
                + $"KV {prefilledCaches[k].BytesPerPosition / 1e3:F1} kB per position, {kvBytes / 1e6:F1} MB read per token at context {context:F0}");
            Console.WriteLine($"decode ({kvTypes[k]} KV):  {rate:F2} tok/s (best of {rounds} rounds; all: {Rates(singleRates[k])}); bandwidth bound {bound:F2} tok/s; ratio {rate / bound:F3}");
            var roundRatios = singleRates[k].Select((r, i) => r / (roundBandwidths[i] / (bytesPerToken + kvBytes))).ToList();
            Console.WriteLine($"decode ({kvTypes[k]} KV), each round against the bandwidth read just before it ({Rates(roundBandwidths.Select(b => b / 1e9).ToList())} GB/s): "
                + $"ratios {Rates(roundRatios, "F3")}; median {Median(roundRatios):F3}");
        }
        if (batch > 1)
        {
            var aggregate = batchRates.Max();
            Console.WriteLine($"batch {batch} decode: {aggregate:F2} tok/s aggregate (best of {rounds} rounds; all: {Rates(batchRates)}; {aggregate / batch:F2} steps/s); ratio to single stream {aggregate / tokensPerSecond:F2}");
            var fmaPeak = FmaPeak();
            var weightsPerToken = bytesPerToken / 2.0;
            var computeBound = fmaPeak / weightsPerToken;
            Console.WriteLine($"FMA peak ({Environment.ProcessorCount} threads, registers only): {fmaPeak / 1e9:F1} GFMA/s; "
                + $"batched decode needs {weightsPerToken / 1e6:F0} M multiply-adds per token, so at most {computeBound:F1} tok/s aggregate "
                + $"= {computeBound / tokensPerSecond:F2}× the best single stream; batch {batch} reaches {aggregate / computeBound:F3} of it");
            var pairRatios = batchRates.Select((r, i) => r / singleRates[0][i]).ToList();
            Console.WriteLine($"batch {batch} ÷ single stream, round by round: {Rates(pairRatios, "F2")}; median {Median(pairRatios):F2}");
            KernelShapes(raw, layers, hidden, intermediate, heads * headDim, kvHeads * headDim, vocab, batch);
        }
        return 0;
    }

    /// <summary>
    /// The matrix kernel alone, per projection shape of the model (every layer's matrix of that name in turn, so that
    /// weights come from memory as in decode, not from L3; the output head once): best time per call of 1 row and of
    /// B rows over alternating short runs (robust to other jobs on the cores), the per-row speedup B gives, and the sum
    /// over the model of the B-row times, i.e. what the matrix products alone cost per batched step.
    /// </summary>
    private static void KernelShapes(Dictionary<string, byte[]> raw, int layers, int hidden, int intermediate, int queryWidth, int kvWidth, int vocab, int batch)
    {
        const string head = "output head (tied embedding)";
        var shapes = new (string Name, int Rows, int Cols)[]
        {
            ("self_attn.q_proj", queryWidth, hidden), ("self_attn.k_proj", kvWidth, hidden), ("self_attn.v_proj", kvWidth, hidden),
            ("self_attn.o_proj", hidden, queryWidth), ("mlp.gate_proj", intermediate, hidden), ("mlp.up_proj", intermediate, hidden),
            ("mlp.down_proj", hidden, intermediate), (head, vocab, hidden),
        };
        double stepOne = 0, stepMany = 0;
        Console.WriteLine($"kernel alone per shape (best of rounds; B = {batch}):");
        foreach (var (name, rows, cols) in shapes)
        {
            byte[][] matrices = name == head
                ? [raw["model.embed_tokens.weight"]]
                : [.. Enumerable.Range(0, layers).Select(l => raw[$"model.layers.{l}.{name}.weight"])];
            var (one, many) = KernelTimes(matrices, rows, cols, batch);
            var count = matrices.Length;
            stepOne += count * one;
            stepMany += count * many;
            var fma = (double)rows * cols;
            Console.WriteLine($"  {name,-30} [{rows}, {cols}] ×{count}: 1 row {one * 1e3:F3} ms ({2 * fma / one / 1e9:F1} GB/s of weights), "
                + $"{batch} rows {many * 1e3:F3} ms ({batch * fma / many / 1e9:F1} GFMA/s); rows per second ratio {batch * one / many:F2}");
        }
        Console.WriteLine($"kernel alone, whole model: 1 row {stepOne * 1e3:F1} ms, {batch} rows {stepMany * 1e3:F1} ms per step; rows per second ratio {batch * stepOne / stepMany:F2}");
    }

    /// <summary>Best seconds per call of MatMul.Multiply with 1 row and with B rows, cycling through the matrices.</summary>
    private static (double One, double Many) KernelTimes(byte[][] matrices, int rows, int cols, int batch)
    {
        var random = new Random(2);
        var x = new float[batch * cols];
        for (var i = 0; i < x.Length; i++)
            x[i] = (float)random.NextDouble() - 0.5f;
        var y = new float[batch * rows];
        double one = double.MaxValue, many = double.MaxValue;
        var sw = new Stopwatch();
        var calls = Math.Max(1, Math.Min(10, matrices.Length));
        var rounds = matrices.Length == 1 ? 10 : 20;
        for (var round = 0; round < rounds; round++)
        {
            sw.Restart();
            for (var i = 0; i < calls; i++)
                Alloy.Inference.Kernels.MatMul.Multiply(matrices[(round * calls + i) % matrices.Length], DType.BF16, rows, cols, x.AsSpan(0, cols), y, 1);
            one = Math.Min(one, sw.Elapsed.TotalSeconds / calls);
            sw.Restart();
            for (var i = 0; i < calls; i++)
                Alloy.Inference.Kernels.MatMul.Multiply(matrices[(round * calls + i + 5) % matrices.Length], DType.BF16, rows, cols, x, y, batch);
            many = Math.Min(many, sw.Elapsed.TotalSeconds / calls);
        }
        return (one, many);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Rates(List<double> rates, string format = "F1") => string.Join(", ", rates.Select(r => r.ToString(format, CultureInfo.InvariantCulture)));

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }

    /// <summary>Pseudo-random bf16 values of magnitude 2⁻⁷…2⁻⁶ (norm weights: exactly 1).</summary>
    private static void Fill(byte[] bytes, bool norm, uint seed)
    {
        var halves = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan());
        if (norm)
        {
            halves.Fill(0x3F80);
            return;
        }
        var state = seed * 2654435761u + 1;
        for (var i = 0; i < halves.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            halves[i] = (ushort)(0x3C00 | (state & 0x807F));
        }
    }

    /// <summary>Bytes per second of a parallel vectorised sum over every buffer (the same bytes decode reads).</summary>
    /// <summary>
    /// Fused multiply-adds per second the cores can issue: on every core, 16 independent chains of 512-bit (else 256-bit)
    /// FMAs on registers, no memory. With B tokens a step needs B multiply-adds per weight, so this is the ceiling of
    /// batched decode on a machine whose FMA units, not memory, bind (best of 3).
    /// </summary>
    private static double FmaPeak()
    {
        const long iterations = 20_000_000;
        var best = 0.0;
        var lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
        for (var round = 0; round < 3; round++)
        {
            var sinks = new float[Environment.ProcessorCount];
            var sw = Stopwatch.StartNew();
            Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                t => sinks[t] = Vector512.IsHardwareAccelerated ? FmaChains512(iterations) : FmaChains256(iterations));
            best = Math.Max(best, Environment.ProcessorCount * iterations * 16.0 * lanes / sw.Elapsed.TotalSeconds);
            GC.KeepAlive(sinks);
        }
        return best;
    }

    private static float FmaChains512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m, a10 = m, a11 = m, a12 = m, a13 = m, a14 = m, a15 = m;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            a12 = Vector512.FusedMultiplyAdd(a12, m, c); a13 = Vector512.FusedMultiplyAdd(a13, m, c);
            a14 = Vector512.FusedMultiplyAdd(a14, m, c); a15 = Vector512.FusedMultiplyAdd(a15, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    private static float FmaChains256(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m, a10 = m, a11 = m, a12 = m, a13 = m, a14 = m, a15 = m;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
            a12 = Vector256.FusedMultiplyAdd(a12, m, c); a13 = Vector256.FusedMultiplyAdd(a13, m, c);
            a14 = Vector256.FusedMultiplyAdd(a14, m, c); a15 = Vector256.FusedMultiplyAdd(a15, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    private static double StreamingRead(List<byte[]> buffers)
    {
        const int chunk = 1 << 20;
        var work = buffers.SelectMany(b => Enumerable.Range(0, (b.Length + chunk - 1) / chunk).Select(i => (b, i * chunk))).ToArray();
        long total = buffers.Sum(b => (long)b.Length);
        var sums = new ulong[work.Length];
        var sw = Stopwatch.StartNew();
        Parallel.For(0, work.Length, i =>
        {
            var (buffer, start) = work[i];
            var span = MemoryMarshal.Cast<byte, ulong>(buffer.AsSpan(start, Math.Min(chunk, buffer.Length - start) & ~63));
            var acc = Vector<ulong>.Zero;
            var vectors = MemoryMarshal.Cast<ulong, Vector<ulong>>(span);
            foreach (var v in vectors)
                acc += v;
            sums[i] = Vector.Sum(acc);
        });
        var seconds = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(sums);
        return total / seconds;
    }
}
