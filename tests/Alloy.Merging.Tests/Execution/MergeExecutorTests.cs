// The executor against direct kernel calls: same numbers through the I/O, dtype conversion, ordering,
// parallelism, memory budget and both sinks; missing inputs are named.
using System.Collections.Immutable;
using Alloy.Merging.Execution;
using Alloy.Merging.Methods;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;

namespace Alloy.Merging.Tests.Execution;

public sealed class MergeExecutorTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly Checkpoint _instruct;
    private readonly Checkpoint _thinking;
    private readonly Checkpoint _base;
    private static readonly (string Name, long[] Shape)[] Layout =
    [
        ("model.embed_tokens.weight", [13, 8]),
        ("model.layers.0.self_attn.q_proj.weight", [8, 8]),
        ("model.layers.0.mlp.up_proj.weight", [24, 8]),
        ("model.layers.1.mlp.up_proj.weight", [24, 8]),
        ("model.norm.weight", [8]),
    ];

    public MergeExecutorTests()
    {
        _base = Checkpoint.Open(TestModels.Write(_temp.Sub("base"), DType.F32, [.. Layout.Select((l, i) => (l.Name, l.Shape, TestModels.Random(Count(l.Shape), 100 + i)))]));
        _instruct = Checkpoint.Open(TestModels.Write(_temp.Sub("instruct"), DType.BF16, [.. Layout.Select((l, i) => (l.Name, l.Shape, Perturb(_base, l.Name, 200 + i)))]));
        _thinking = Checkpoint.Open(TestModels.Write(_temp.Sub("thinking"), DType.F32, [.. Layout.Select((l, i) => (l.Name, l.Shape, Perturb(_base, l.Name, 300 + i)))]));
    }

    public void Dispose()
    {
        _instruct.Dispose();
        _thinking.Dispose();
        _base.Dispose();
        _temp.Dispose();
    }

    private static int Count(long[] shape) => (int)shape.Aggregate(1L, (a, b) => a * b);

    private static float[] Perturb(Checkpoint model, string name, int seed)
    {
        var values = Read(model, name);
        var noise = TestModels.Random(values.Length, seed, 0.05f);
        return [.. values.Select((v, i) => v + noise[i])];
    }

    private static float[] Read(Checkpoint model, string name)
    {
        var t = model.GetTensor(name);
        var floats = new float[t.ElementCount];
        DTypeConversions.ToFloat32(t.GetBytes(), t.DType, floats);
        return floats;
    }

    private static ParameterValues PerModel(string context, params (string, ParameterValue)[][] models) =>
        new(null, [.. models.Select(m => (IReadOnlyDictionary<string, ParameterValue>)m.ToDictionary(p => p.Item1, p => p.Item2))], context);

    /// <summary>λ-interpolation of every tensor but the norm, which is copied from the thinking model; output BF16.</summary>
    private MergePlan LinearPlan(double lambda, DType dtype = DType.BF16)
    {
        var settings = Linear.Method.Bind(PerModel("test", [("weight", ParameterValue.Of(1 - lambda))], [("weight", ParameterValue.Of(lambda))]), 2);
        var tensors = Layout.Select(l => l.Name == "model.norm.weight"
            ? PlannedTensor.Copy(l.Name, DType.F32, [.. l.Shape], new TensorSource(1, l.Name), "out of scope: copied from thinking")
            : new PlannedTensor(l.Name, dtype, [.. l.Shape], Linear.Method, settings, [new TensorSource(0, l.Name), new TensorSource(1, l.Name)], null, "linear"));
        return new MergePlan(["instruct", "thinking", "base"], [.. tensors], [], Seed: 7);
    }

    private Checkpoint[] Models => [_instruct, _thinking, _base];

    [Fact]
    public void Linear_merge_equals_the_kernel_called_directly_then_rounded_to_bf16()
    {
        var sink = new MemorySink();
        var result = MergeExecutor.Run(LinearPlan(0.8), Models, sink, new ExecutionOptions(2, 1 << 30));
        Assert.True(sink.IsComplete);
        foreach (var (name, shape) in Layout.Where(l => l.Name != "model.norm.weight"))
        {
            var a = Read(_instruct, name);
            var b = Read(_thinking, name);
            var expected = new byte[a.Length * 2];
            BFloat16Conversions.FromSingle([.. a.Select((x, i) => (float)((0.2 * x) + (0.8 * b[i])))], expected);
            var actual = sink.Tensors[name].Bytes;
            // fp32 kernel vs double reference can differ by one bf16 ulp at a rounding boundary
            var ulps = Enumerable.Range(0, a.Length).Max(i => Math.Abs(BitConverter.ToInt16(actual, 2 * i) - BitConverter.ToInt16(expected, 2 * i)));
            Assert.True(ulps <= 1, $"{name}: {ulps} bf16 ulps apart");
        }
        Assert.Equal(Read(_thinking, "model.norm.weight"), Read32(sink.Tensors["model.norm.weight"].Bytes));
        Assert.Equal(["merged", "merged", "merged", "merged", "copied"], result.Tensors.Select(t => t.Action));
        Assert.All(result.Tensors, t => Assert.Equal(0, t.NonFiniteOutputs));
    }

    private static float[] Read32(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 1)]
    public void Lambda_zero_and_one_give_the_parents_exactly_in_f32(double lambda, int parent)
    {
        var sink = new MemorySink();
        MergeExecutor.Run(LinearPlan(lambda, DType.F32), Models, sink, ExecutionOptions.Default);
        foreach (var (name, _) in Layout)
            Assert.Equal(Read(Models[parent == 0 && name != "model.norm.weight" ? 0 : 1], name), Read32(sink.Tensors[name].Bytes));
    }

    [Fact]
    public void Sharded_disk_output_reads_back_equal_to_the_memory_output()
    {
        var memory = new MemorySink();
        MergeExecutor.Run(LinearPlan(0.5), Models, memory, ExecutionOptions.Default);
        var folder = _temp.Sub("out");
        Directory.CreateDirectory(folder);
        using (var disk = new ShardedFolderSink(folder, LinearPlan(0.5), maxShardBytes: 300, new Dictionary<string, string> { ["format"] = "pt" }))
            MergeExecutor.Run(LinearPlan(0.5), Models, disk, ExecutionOptions.Default);
        using var merged = Checkpoint.Open(folder);
        Assert.True(merged.Files.Count > 1);
        foreach (var (name, _) in Layout)
            Assert.Equal(memory.Tensors[name].Bytes, merged.GetTensor(name).GetBytes().ToArray());
    }

    [Fact]
    public void Dare_output_does_not_depend_on_threads_or_budget()
    {
        var settings = DareTies.Method.Bind(new ParameterValues(null,
            [new Dictionary<string, ParameterValue> { ["weight"] = ParameterValue.Of(0.5), ["density"] = ParameterValue.Of(0.3) },
             new Dictionary<string, ParameterValue> { ["weight"] = ParameterValue.Of(0.5), ["density"] = ParameterValue.Of(0.3) }], "test"), 2);
        var plan = new MergePlan(["instruct", "thinking", "base"],
            [.. Layout.Select(l => new PlannedTensor(l.Name, DType.F32, [.. l.Shape], DareTies.Method, settings, [new TensorSource(0, l.Name), new TensorSource(1, l.Name)], new TensorSource(2, l.Name), "dare_ties"))],
            [], Seed: 42);
        var serial = new MemorySink();
        var one = MergeExecutor.Run(plan, Models, serial, new ExecutionOptions(1, 1));
        var parallel = new MemorySink();
        var many = MergeExecutor.Run(plan, Models, parallel, new ExecutionOptions(4, 1L << 30));
        foreach (var (name, _) in Layout)
            Assert.Equal(serial.Tensors[name].Bytes, parallel.Tensors[name].Bytes);
        // Budget of one byte: every tensor runs alone, so the peak is the largest single working set.
        Assert.True(one.PeakWorkingSetBytes <= many.PeakWorkingSetBytes);
        Assert.Equal(Layout.Length, one.Tensors.Length);
    }

    [Fact]
    public void Peak_working_set_respects_the_budget_when_no_single_tensor_exceeds_it()
    {
        var plan = LinearPlan(0.3);
        var options = new ExecutionOptions(4, 0);
        var largest = plan.Tensors.Max(t => MergeExecutor.EstimateWorkingSet(t, options));
        var result = MergeExecutor.Run(plan, Models, new MemorySink(), options with { MaxMemoryBytes = largest + 1 });
        Assert.InRange(result.PeakWorkingSetBytes, largest, largest + 1);
    }

    [Fact]
    public void A_missing_input_tensor_is_named_before_anything_is_computed()
    {
        var plan = LinearPlan(0.5);
        var broken = plan with { Tensors = plan.Tensors.SetItem(1, plan.Tensors[1] with { Inputs = [new TensorSource(0, "model.layers.9.self_attn.q_proj.weight"), new TensorSource(1, "model.layers.0.self_attn.q_proj.weight")] }) };
        var sink = new MemorySink();
        var error = Assert.Throws<AlloyInputException>(() => MergeExecutor.Run(broken, Models, sink, ExecutionOptions.Default));
        Assert.Contains("model.layers.9.self_attn.q_proj.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains(_instruct.Path, error.Message, StringComparison.Ordinal);
        Assert.Empty(sink.Tensors);
    }

    [Fact]
    public void A_plan_that_writes_a_tensor_twice_is_rejected()
    {
        var plan = LinearPlan(0.5);
        var twice = plan with { Tensors = plan.Tensors.Add(plan.Tensors[0]) };
        Assert.Throws<ArgumentException>(() => MergeExecutor.Run(twice, Models, new MemorySink(), ExecutionOptions.Default));
    }

    [Fact]
    public void The_sweep_pass_gives_every_plan_exactly_what_its_own_run_gives()
    {
        double[] lambdas = [0, 0.25, 0.5, 0.8, 1];
        var plans = lambdas.Select(l => LinearPlan(l)).ToArray();
        var sinks = plans.Select(_ => new MemorySink()).ToArray();
        var results = MergeExecutor.RunMany(plans, Models, sinks, new ExecutionOptions(2, 1 << 30) { ChunkElements = 7 });
        Assert.Equal(plans.Length, results.Count);
        for (var j = 0; j < plans.Length; j++)
        {
            var alone = new MemorySink();
            var single = MergeExecutor.Run(plans[j], Models, alone, new ExecutionOptions(2, 1 << 30));
            Assert.True(sinks[j].IsComplete);
            Assert.Equal(alone.Tensors.Keys.Order(), sinks[j].Tensors.Keys.Order());
            foreach (var (name, tensor) in alone.Tensors)
                Assert.Equal(tensor.Bytes, sinks[j].Tensors[name].Bytes);
            Assert.Equal(single.Tensors.Select(t => (t.Name, t.Action)), results[j].Tensors.Select(t => (t.Name, t.Action)));
            Assert.Equal(single.BytesWritten, results[j].BytesWritten);
        }
    }

    [Fact]
    public void Plans_over_other_models_or_tensors_cannot_share_a_sweep_pass()
    {
        var linear = LinearPlan(0.5);
        var otherModels = linear with { Models = ["thinking", "instruct", "base"] };
        Assert.Throws<ArgumentException>(() => MergeExecutor.RunMany([linear, otherModels], Models, [new MemorySink(), new MemorySink()], new ExecutionOptions(1, 1 << 30)));
        var fewer = linear with { Tensors = linear.Tensors.RemoveAt(0) };
        Assert.Throws<ArgumentException>(() => MergeExecutor.RunMany([linear, fewer], Models, [new MemorySink(), new MemorySink()], new ExecutionOptions(1, 1 << 30)));
        Assert.Throws<ArgumentException>(() => MergeExecutor.RunMany([linear], Models, [new MemorySink(), new MemorySink()], new ExecutionOptions(1, 1 << 30)));
    }
}
