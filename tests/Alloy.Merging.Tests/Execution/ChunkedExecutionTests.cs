// The chunked executor path against whole-tensor kernel calls: for every method that runs chunked, outputs are
// bit-identical for chunk lengths that split tensors mid-row, at odd offsets and in one piece.
using Alloy.Merging.Execution;
using Alloy.Merging.Methods;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;

namespace Alloy.Merging.Tests.Execution;

public sealed class ChunkedExecutionTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly Checkpoint[] _models;
    private static readonly (string Name, long[] Shape)[] Layout =
    [
        ("model.embed_tokens.weight", [37, 24]),
        ("model.layers.0.self_attn.q_proj.weight", [24, 24]),
        ("model.layers.0.mlp.up_proj.weight", [64, 24]),
        ("model.norm.weight", [24]),
    ];

    public ChunkedExecutionTests()
    {
        var basePath = TestModels.Write(_temp.Sub("base"), DType.BF16, [.. Layout.Select((l, i) => (l.Name, l.Shape, TestModels.Random(Count(l.Shape), 10 + i)))]);
        var baseModel = Checkpoint.Open(basePath);
        var a = Checkpoint.Open(TestModels.Write(_temp.Sub("a"), DType.BF16, [.. Layout.Select((l, i) => (l.Name, l.Shape, Perturb(baseModel, l.Name, 20 + i)))]));
        var b = Checkpoint.Open(TestModels.Write(_temp.Sub("b"), DType.F32, [.. Layout.Select((l, i) => (l.Name, l.Shape, Perturb(baseModel, l.Name, 30 + i)))]));
        var c = Checkpoint.Open(TestModels.Write(_temp.Sub("c"), DType.F16, [.. Layout.Select((l, i) => (l.Name, l.Shape, Perturb(baseModel, l.Name, 40 + i)))]));
        _models = [a, b, c, baseModel];
    }

    public void Dispose()
    {
        foreach (var m in _models)
            m.Dispose();
        _temp.Dispose();
    }

    private static int Count(long[] shape) => (int)shape.Aggregate(1L, (x, y) => x * y);

    private static float[] Perturb(Checkpoint model, string name, int seed)
    {
        var values = Read(model, name);
        var noise = TestModels.Random(values.Length, seed, 0.05f);
        // Some exact ties in |delta| so the tie-breaking of the magnitude trims is exercised across chunk boundaries.
        return [.. values.Select((v, i) => i % 5 == 0 ? v + 0.03125f : v + noise[i])];
    }

    private static float[] Read(Checkpoint model, string name)
    {
        var t = model.GetTensor(name);
        var floats = new float[t.ElementCount];
        DTypeConversions.ToFloat32(t.GetBytes(), t.DType, floats);
        return floats;
    }

    public static TheoryData<string, string> Configs => new()
    {
        { "linear", "weight=0.3,-0.2,0.9" },
        { "task_arithmetic", "weight=0.3,0.5,0.4;lambda=0.7" },
        { "ties", "weight=0.3,0.5,0.4;density=0.4,0.5,0.9" },
        { "ties", "weight=0.3,0.5,0.4;density=0.4,0.5,0.9;rescale=true" },
        { "dare_ties", "weight=0.3,0.5,0.4;density=0.4,0.5,0.6" },
        { "dare_linear", "weight=0.3,0.5,0.4;density=0.4,0.5,0.6;rescale_mode=inverse" },
        { "breadcrumbs_ties", "weight=0.3,0.5,0.4;density=0.4,0.5,0.6;gamma=0.05,0.1,0.02" },
        { "breadcrumbs", "weight=0.3,0.5,0.4;density=0.4,0.5,0.6" },
        { "della", "weight=0.3,0.5,0.4;density=0.4,0.5,0.6;epsilon=0.1,0.1,0.2" },
        { "della_linear", "weight=0.3,0.5,0.4;density=0.4,0.5,0.6;epsilon=0.1,0.1,0.2" },
    };

    /// <summary>"name=v1,v2,v3;flag=true": one value is global, several are per model.</summary>
    private static ParameterValues Parse(string spec)
    {
        var global = new Dictionary<string, ParameterValue>();
        var perModel = Enumerable.Range(0, 3).Select(_ => new Dictionary<string, ParameterValue>()).ToArray();
        foreach (var part in spec.Split(';'))
        {
            var (name, values) = (part.Split('=')[0], part.Split('=')[1].Split(','));
            ParameterValue Value(string v) => v is "true" or "false" ? ParameterValue.Of(v == "true")
                : double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var d) ? ParameterValue.Of(d) : ParameterValue.Of(v);
            if (values.Length == 1)
                global[name] = Value(values[0]);
            else
                for (var i = 0; i < 3; i++)
                    perModel[i][name] = Value(values[i]);
        }
        return new ParameterValues(global, perModel, "test");
    }

    private MergePlan Plan(IMergeMethod method, MethodSettings settings) =>
        new(["a", "b", "c", "base"],
            [.. Layout.Select(l => new PlannedTensor(l.Name, DType.F32, [.. l.Shape], method, settings,
                [new TensorSource(0, l.Name), new TensorSource(1, l.Name), new TensorSource(2, l.Name)],
                method.BaseModel == BaseModelUse.None ? null : new TensorSource(3, l.Name), method.Name))],
            [], Seed: 11);

    [Fact]
    public void Chunked_slerp_is_bit_identical_to_the_whole_tensor_kernel()
    {
        var settings = Slerp.Method.Bind(ParameterValues.FromGlobal(("t", ParameterValue.Of(0.3))), 1);
        var plan = new MergePlan(["a", "b", "c", "base"],
            [.. Layout.Select(l => new PlannedTensor(l.Name, DType.F32, [.. l.Shape], Slerp.Method, settings, [new TensorSource(1, l.Name)], new TensorSource(0, l.Name), "slerp"))],
            [], Seed: 1);
        foreach (var chunk in new[] { 1, 7, 24, 1 << 20 })
        {
            var sink = new MemorySink();
            MergeExecutor.Run(plan, _models, sink, new ExecutionOptions(3, 1L << 30) { ChunkElements = chunk });
            foreach (var (name, shape) in Layout)
            {
                var intShape = shape.Select(d => (int)d).ToArray();
                var inputs = new MergeInputs(name, intShape, new ReadOnlyMemory<float>[] { Read(_models[1], name) }, Read(_models[0], name), true);
                var expected = new float[Count(shape)];
                Slerp.Merge(inputs, (SlerpSettings)settings, expected);
                var actual = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(sink.Tensors[name].Bytes).ToArray();
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"slerp: {name} differs with chunks of {chunk}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Chunked_output_is_bit_identical_to_the_whole_tensor_kernel(string methodName, string parameters)
    {
        var method = MergeMethodRegistry.Get(methodName, "test");
        Assert.IsAssignableFrom<IChunkedMethod>(method);
        var settings = method.Bind(Parse(parameters), 3);
        var plan = Plan(method, settings);
        foreach (var chunk in new[] { 1, 7, 24, 100, 1 << 20 })
        {
            foreach (var threads in new[] { 1, 3 })
            {
                var sink = new MemorySink();
                MergeExecutor.Run(plan, _models, sink, new ExecutionOptions(threads, 1L << 30) { ChunkElements = chunk });
                foreach (var (name, shape) in Layout)
                {
                    var inputs = new ReadOnlyMemory<float>[] { Read(_models[0], name), Read(_models[1], name), Read(_models[2], name) };
                    var intShape = shape.Select(d => (int)d).ToArray();
                    var hasBase = method.BaseModel != BaseModelUse.None;
                    var mergeInputs = new MergeInputs(name, intShape, inputs, hasBase ? Read(_models[3], name) : [], hasBase, plan.Seed);
                    var expected = new float[Count(shape)];
                    method.Merge(mergeInputs, settings, expected, new float[method.ScratchLength(intShape, 3, settings)]);
                    var actual = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(sink.Tensors[name].Bytes).ToArray();
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{methodName} {parameters}: {name} differs with chunks of {chunk}, {threads} threads");
                }
            }
        }
    }

    [Fact]
    public void Chunked_working_set_estimate_of_a_large_embedding_is_its_bf16_output_plus_a_few_chunks()
    {
        var settings = Ties.Method.Bind(Parse("weight=0.3,0.5,0.4;density=0.4,0.5,0.9"), 3);
        var embedding = new PlannedTensor("model.embed_tokens.weight", DType.BF16, [151936, 1024], Ties.Method, settings,
            [new TensorSource(0, "e"), new TensorSource(1, "e"), new TensorSource(2, "e")], new TensorSource(3, "e"), "ties");
        var options = new ExecutionOptions(2, 2_000_000_000);
        var chunked = MergeExecutor.EstimateWorkingSet(embedding, options);
        var whole = embedding.WorkingSetBytes(Ties.Method.ScratchLength([151936, 1024], 3, settings));
        // output bf16 (311 MB) + per worker (2): statistics windows (3 x 4 MiB + counts) and 5 chunk buffers of 4 MiB
        Assert.InRange(chunked, embedding.OutputBytes, embedding.OutputBytes + (96L << 20));
        Assert.True(whole > 3 * chunked, $"whole-tensor {whole} vs chunked {chunked}");
    }
}
