// End-to-end sweep on two tiny parents through the embedded path (variants in memory) with a deterministic evaluator
// that measures each model's λ from its weights: run folder layout, spectrum.csv, report, resume and progress.
using System.Collections.Concurrent;
using Alloy.Analysis.Sweep;
using Alloy.Inference.Transformer;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;

namespace Alloy.Analysis.Tests.Sweep;

/// <summary>
/// A test double that is still a real measurement: it projects the model's embedding matrix onto the instruct→thinking
/// line (λ̂ = ⟨W − I, T − I⟩ / ‖T − I‖²), runs one forward pass to prove the weights bind, and derives MI-like metrics
/// from λ̂ (Think#R a steep logistic around 0.5, accuracy rising with λ̂, tokens dipping in stage 2).
/// </summary>
internal sealed class LambdaProbeEvaluator : IVariantEvaluator
{
    private readonly float[] _instruct;
    private readonly float[] _direction;
    private readonly double _norm2;

    public LambdaProbeEvaluator(string instruct, string thinking)
    {
        using var i = Checkpoint.Open(instruct);
        using var t = Checkpoint.Open(thinking);
        _instruct = TinyParents.Read(i.GetTensor(Name));
        float[] th = TinyParents.Read(t.GetTensor(Name));
        _direction = [.. th.Select((v, k) => v - _instruct[k])];
        _norm2 = _direction.Sum(d => (double)d * d);
    }

    public const string Name = "model.embed_tokens.weight";

    public ConcurrentQueue<(string Variant, string Benchmark, double Lambda)> Calls { get; } = new();

    public Task<VariantMetrics> EvaluateAsync(VariantEvaluation request, CancellationToken cancellation)
    {
        Assert.True(request.Weights.TryGetWeight(Name, out WeightTensor w));
        var values = new float[_instruct.Length];
        DTypeConversions.ToFloat32(w.Bytes.Span, w.DType, values);
        double dot = 0;
        for (int k = 0; k < values.Length; k++) dot += (values[k] - _instruct[k]) * (double)_direction[k];
        double lambda = dot / _norm2;
        using (TransformerModel model = TransformerModel.Load(request.Weights))
            Assert.All(model.Forward([1, 2], model.CreateCache()), l => Assert.True(float.IsFinite(l)));
        Calls.Enqueue((request.VariantName, request.Benchmark.Name, lambda));
        double think = 1 / (1 + Math.Exp(-(lambda - 0.5) * 30));
        double accuracy = Math.Clamp(0.4 + 0.4 * lambda + 0.05 * think, 0, 1);
        double tokens = 1000 + 800 * lambda - 400 * think * (1 - think) * 4;
        return Task.FromResult(new VariantMetrics(request.VariantName, request.Benchmark.Name, 10, 4, accuracy,
            accuracy - 0.05, Math.Min(1, accuracy + 0.05), Math.Min(1, accuracy + 0.1), tokens, think, 0, "{\"probe\":\"lambda\"}"));
    }
}

public sealed class SweepRunnerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _thinking;

    public SweepRunnerTests() => _thinking = TinyParents.WriteThinking(_temp.Sub("thinking"));

    public void Dispose() => _temp.Dispose();

    private SweepSpec Spec() => TinyParents.Spec(_thinking,
        "methods:\n  - method: linear\n    lambda: [0, 0.25, 0.5, 0.75, 1]\n  - method: slerp\n    lambda: [0.5]\n",
        "benchmarks:\n  - name: tiny\n    samples: 4\n  - name: other\n");

    [Fact]
    public async Task A_sweep_builds_each_variant_in_memory_evaluates_it_and_writes_the_run_folder()
    {
        var evaluator = new LambdaProbeEvaluator(TinyParents.Instruct, _thinking);
        var reports = new List<SweepProgress>();
        string run = _temp.Sub("run");

        SweepResult result = await new SweepRunner(evaluator).RunAsync(Spec(), new SweepRunOptions(run), new SyncProgress(reports.Add));

        string[] variants = ["instruct", "thinking", "linear-l0.25", "linear-l0.50", "linear-l0.75", "slerp-l0.50"];
        Assert.Equal(variants.Length * 2, evaluator.Calls.Count);
        Assert.Equal(variants.Length * 2, result.Evaluated);
        Assert.Equal(0, result.Reused);
        // The evaluator saw the right weights: λ̂ from the embedding matches each variant's λ.
        foreach (var (variant, _, lambda) in evaluator.Calls)
        {
            double expected = variant switch { "instruct" => 0, "thinking" => 1, _ => double.Parse(variant[^4..], System.Globalization.CultureInfo.InvariantCulture) };
            Assert.True(Math.Abs(lambda - expected) < (variant.StartsWith("slerp", StringComparison.Ordinal) ? 0.05 : 1e-4), $"{variant}: λ̂ = {lambda}");
        }
        foreach (string v in variants)
            foreach (string b in new[] { "tiny", "other" })
                Assert.True(File.Exists(Path.Combine(run, "variants", v, b, "metrics.json")), $"{v}/{b}");

        string[] csv = File.ReadAllLines(Path.Combine(run, "spectrum.csv"));
        Assert.Equal("variant,method,lambda,params,benchmark,mean_at_k,pass_at_k,mean_tokens,think_ratio,truncated_ratio,pareto_vs_thinking,pareto_vs_instruct,on_frontier", csv[0]);
        Assert.Equal(1 + variants.Length * 2, csv.Length);
        Assert.Contains(csv, l => l.StartsWith("linear-l0.75,linear,0.75,,tiny,", StringComparison.Ordinal));

        SweepManifest manifest = SweepManifest.Read(run);
        Assert.Equal(variants, manifest.Variants.Select(v => v.Name));
        Assert.Equal(ParentRole.Thinking, manifest.Variants[1].Parent);
        Assert.Equal(["thinking", "instruct"], manifest.Models.Select(m => m.Role));
        Assert.Contains(manifest.Models[1].Files, f => f.Name == "model.safetensors" && f.Sha256.Length == 64 && f.HashCoversWholeFile);
        Assert.False(string.IsNullOrEmpty(manifest.AlloyVersion));

        string html = File.ReadAllText(result.Report.Html);
        Assert.Equal(Path.Combine(run, "report.html"), result.Report.Html);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Matches(html, "<svg").Count); // 2 benchmarks × (accuracy + λ panels) + the parents' layer difference
        Assert.True(File.Exists(Path.Combine(run, "report.md")));
        Assert.Equal(10, result.Report.Plots.Length); // (accuracy + λ) × 2 benchmarks + the parents' layer plot, PNG + SVG each
        Assert.All(result.Report.Plots, p => Assert.True(new FileInfo(p).Length > 1000, p));

        Assert.True(result.BuildTime > TimeSpan.Zero);
        Assert.InRange(result.BuildShare, double.Epsilon, 1);
        Assert.Equal(variants.Length, reports[^1].VariantsDone);
        Assert.Equal(variants.Length, reports[^1].VariantsTotal);
        Assert.Null(reports[^1].CurrentVariant);
        Assert.Contains(reports, r => r.CurrentVariant == "linear-l0.50" && r.CurrentBenchmark == "other");
        Assert.Null(reports[0].Eta);
        Assert.Contains(reports, r => r.Eta is not null && r.CurrentVariant is not null);
    }

    [Fact]
    public async Task A_resumed_sweep_redoes_only_the_pairs_without_metrics()
    {
        string run = _temp.Sub("run");
        await new SweepRunner(new LambdaProbeEvaluator(TinyParents.Instruct, _thinking)).RunAsync(Spec(), new SweepRunOptions(run));
        File.Delete(Path.Combine(run, "variants", "linear-l0.50", "other", "metrics.json"));
        var second = new LambdaProbeEvaluator(TinyParents.Instruct, _thinking);

        var refused = await Assert.ThrowsAsync<AlloyInputException>(() => new SweepRunner(second).RunAsync(Spec(), new SweepRunOptions(run)));
        Assert.Contains("--resume", refused.Message, StringComparison.Ordinal);
        SweepResult result = await new SweepRunner(second).RunAsync(Spec(), new SweepRunOptions(run, Resume: true));

        Assert.Equal([("linear-l0.50", "other")], second.Calls.Select(c => (c.Variant, c.Benchmark)));
        Assert.Equal(1, result.Evaluated);
        Assert.Equal(11, result.Reused);
        Assert.Equal(13, File.ReadAllLines(Path.Combine(run, "spectrum.csv")).Length);
    }

    [Fact]
    public async Task The_openai_backend_writes_each_merge_as_a_folder_for_its_server_and_removes_it_afterwards()
    {
        SweepSpec spec = Spec() with { Backend = new SweepBackend("openai", [], "server {model} --port {port}") };
        var probe = new LambdaProbeEvaluator(TinyParents.Instruct, _thinking);
        var evaluator = new FolderProbeEvaluator(probe);
        string run = _temp.Sub("run");

        SweepResult result = await new SweepRunner(evaluator).RunAsync(spec, new SweepRunOptions(run));

        Assert.Equal(12, result.Evaluated);
        // Merges were served from RUNDIR/models/VARIANT (a complete folder with its merge log); parents from their own.
        Assert.Contains(evaluator.Folders, f => f.Variant == "linear-l0.25" && f.Folder == Path.Combine(run, "models", "linear-l0.25") && f.Complete);
        Assert.Contains(evaluator.Folders, f => f.Variant == "instruct" && f.Folder == Path.GetFullPath(TinyParents.Instruct));
        // The probe reads λ back from the served folder's weights, as it does from in-memory ones.
        Assert.Contains(probe.Calls, c => c.Variant == "linear-l0.75" && Math.Abs(c.Lambda - 0.75) < 1e-4);
        Assert.Equal(["instruct", "thinking", "linear-l0.25", "linear-l0.50", "linear-l0.75", "slerp-l0.50"], evaluator.Released);
        Assert.False(Directory.Exists(Path.Combine(run, "models", "linear-l0.25")));
        // Where the parents differ was computed once, for the report.
        Assert.NotEmpty(ParentDifference.TryRead(run)!.Layers);
        Assert.True(File.Exists(Path.Combine(run, "plots", "parents-layer-difference.svg")));
    }

    private sealed class FolderProbeEvaluator(LambdaProbeEvaluator probe) : IVariantEvaluator
    {
        public List<(string Variant, string? Folder, bool Complete)> Folders { get; } = [];

        public List<string> Released { get; } = [];

        public Task<VariantMetrics> EvaluateAsync(VariantEvaluation request, CancellationToken cancellation)
        {
            Folders.Add((request.VariantName, request.ModelFolder is { } f ? Path.GetFullPath(f) : null,
                request.ModelFolder is { } g && File.Exists(Path.Combine(g, "config.json")) && File.Exists(Path.Combine(g, "alloy_merge.json"))));
            return probe.EvaluateAsync(request, cancellation);
        }

        public Task ReleaseAsync(string variantName)
        {
            Released.Add(variantName);
            return Task.CompletedTask;
        }
    }

    private sealed class SyncProgress(Action<SweepProgress> report) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value) => report(value);
    }
}
