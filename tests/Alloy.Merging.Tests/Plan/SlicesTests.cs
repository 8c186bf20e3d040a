// slices: configs end to end on tiny 4-layer models: passthrough layer stacking against the input tensors,
// a linear slices config against the equivalent models: config, and slice errors. Not a test of the methods' kernels.
using Alloy.Merging.Config;
using Alloy.Merging.Execution;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;

namespace Alloy.Merging.Tests.Plan;

public sealed class SlicesTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private static string Config4(string layerTypes) =>
        $$"""{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","num_hidden_layers":4,"layer_types":[{{layerTypes}}]}""";

    public SlicesTests()
    {
        foreach (var (name, seed) in new[] { ("a", 10), ("b", 20) })
        {
            var tensors = new List<(string, long[], float[])> { ("model.embed_tokens.weight", [11, 4], TestModels.Random(44, seed)) };
            for (var layer = 0; layer < 4; layer++)
            {
                tensors.Add(($"model.layers.{layer}.self_attn.q_proj.weight", [4, 4], TestModels.Random(16, seed + 1 + layer)));
                tensors.Add(($"model.layers.{layer}.input_layernorm.weight", [4], TestModels.Random(4, seed + 5 + layer)));
            }
            tensors.Add(("model.norm.weight", [4], TestModels.Random(4, seed + 9)));
            tensors.Add(("lm_head.weight", [11, 4], TestModels.Random(44, seed + 10)));
            TestModels.Write(_temp.Sub(name), DType.F32, tensors, Config4(name == "a"
                ? "\"sliding_attention\",\"full_attention\",\"sliding_attention\",\"full_attention\""
                : "\"full_attention\",\"sliding_attention\",\"full_attention\",\"full_attention\""));
        }
    }

    public void Dispose() => _temp.Dispose();

    private static float[] Read(Checkpoint model, string name)
    {
        var t = model.GetTensor(name);
        var floats = new float[t.ElementCount];
        DTypeConversions.ToFloat32(t.GetBytes(), t.DType, floats);
        return floats;
    }

    private string Merge(string yaml, string outName)
    {
        var path = _temp.File(outName + ".yml");
        File.WriteAllText(path, yaml);
        var config = MergeConfigParser.ParseFile(path);
        var built = PlanBuilder.Build(config, Checkpoint.Open);
        try
        {
            var target = _temp.Sub(outName);
            MergedFolderWriter.Write(built, yaml, target, false, new ExecutionOptions(2, 1L << 30), 1L << 30, config.Method.Name);
            return target;
        }
        finally
        {
            foreach (var m in built.Models) m.Dispose();
        }
    }

    [Fact]
    public void PassthroughStacksLayersInSliceOrder()
    {
        var target = Merge("""
            merge_method: passthrough
            dtype: float32
            slices:
              - sources:
                  - model: a
                    layer_range: [0, 3]
              - sources:
                  - model: b
                    layer_range: [1, 4]
            """, "stacked");
        using var a = Checkpoint.Open(_temp.Sub("a"));
        using var b = Checkpoint.Open(_temp.Sub("b"));
        using var output = Checkpoint.Open(target);
        var expected = new List<(string Out, Checkpoint From, string In)> { ("model.embed_tokens.weight", a, "model.embed_tokens.weight") };
        for (var i = 0; i < 6; i++)
        {
            var (from, layer) = i < 3 ? (a, i) : (b, i - 2);
            expected.Add(($"model.layers.{i}.self_attn.q_proj.weight", from, $"model.layers.{layer}.self_attn.q_proj.weight"));
            expected.Add(($"model.layers.{i}.input_layernorm.weight", from, $"model.layers.{layer}.input_layernorm.weight"));
        }
        expected.Add(("model.norm.weight", b, "model.norm.weight"));
        expected.Add(("lm_head.weight", b, "lm_head.weight"));
        Assert.Equal(expected.Select(e => e.Out).Order(StringComparer.Ordinal), output.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var (outName, from, inName) in expected)
            Assert.Equal(Read(from, inName), Read(output, outName));
        Assert.Equal(6, output.Config!.NumHiddenLayers);
        // layer_types follows each output layer's source: a's layers 0-2, then b's layers 1-3.
        var layerTypes = output.Config.Raw["layer_types"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(["sliding_attention", "full_attention", "sliding_attention", "sliding_attention", "full_attention", "full_attention"], layerTypes);

        // Every input tensor is accounted for: a's layer 3, norm and lm_head and b's embeddings and layer 0 are dropped with a reason.
        using var log = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(target, MergedFolderWriter.LogFileName)));
        var text = log.RootElement.ToString();
        Assert.Contains("layer 3 is in no slice", text, StringComparison.Ordinal);
        Assert.Contains("layer 0 is in no slice", text, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanAccountsForEveryInputTensor()
    {
        var path = _temp.File("plan.yml");
        File.WriteAllText(path, """
            merge_method: passthrough
            slices:
              - sources: [{model: a, layer_range: [0, 2]}]
              - sources: [{model: a, layer_range: [1, 3]}]
              - sources: [{model: b, layer_range: [3, 4]}]
            """);
        var built = PlanBuilder.Build(MergeConfigParser.ParseFile(path), Checkpoint.Open);
        try
        {
            Assert.Equal(5, built.Plan.LayerCount);
            var used = built.Plan.Tensors.SelectMany(t => t.Inputs).Select(s => (s.Model, s.Name))
                .Concat(built.Plan.Dropped.Select(d => (d.Source.Model, d.Source.Name))).ToHashSet();
            for (var m = 0; m < built.Models.Length; m++)
                foreach (var t in built.Models[m].Tensors)
                    Assert.Contains((m, t.Name), used);
            // Layer 1 of a appears twice (output layers 1 and 2); output layer 4 is b's layer 3.
            Assert.Equal("model.layers.1.self_attn.q_proj.weight", built.Plan.Tensors.Single(t => t.Name == "model.layers.2.self_attn.q_proj.weight").Inputs[0].Name);
            Assert.Equal(new Alloy.Merging.Plan.TensorSource(1, "model.layers.3.input_layernorm.weight"), built.Plan.Tensors.Single(t => t.Name == "model.layers.4.input_layernorm.weight").Inputs[0]);
        }
        finally
        {
            foreach (var m in built.Models) m.Dispose();
        }
    }

    [Fact]
    public void LinearSlicesEqualTheModelsForm()
    {
        var sliced = Merge("""
            merge_method: linear
            dtype: float32
            slices:
              - sources:
                  - model: a
                    layer_range: [0, 4]
                    parameters: {weight: [0.2, 0.9]}
                  - model: b
                    layer_range: [0, 4]
                    parameters: {weight: 0.5}
            """, "sliced");
        var whole = Merge("""
            merge_method: linear
            dtype: float32
            models:
              - model: a
                parameters: {weight: [0.2, 0.9]}
              - model: b
                parameters: {weight: 0.5}
            """, "whole");
        using var s = Checkpoint.Open(sliced);
        using var w = Checkpoint.Open(whole);
        Assert.Equal(w.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal), s.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var t in w.Tensors)
            Assert.Equal(Read(w, t.Name), Read(s, t.Name));
        using var a = Checkpoint.Open(_temp.Sub("a"));
        using var b = Checkpoint.Open(_temp.Sub("b"));
        // mergekit's positions: the last layer at t = 1; tensors outside the layers (embeddings, final norm, lm_head) at t = 0.
        foreach (var (name, weightA) in new[] { ("model.layers.3.self_attn.q_proj.weight", 0.9f), ("model.layers.0.self_attn.q_proj.weight", 0.2f), ("model.norm.weight", 0.2f), ("lm_head.weight", 0.2f), ("model.embed_tokens.weight", 0.2f) })
        {
            var expected = Read(a, name).Zip(Read(b, name), (x, y) => ((weightA * x) + (0.5f * y)) / (weightA + 0.5f)).ToArray();
            var actual = Read(s, name);
            for (var i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], actual[i], 5);
        }
        Assert.Equal(4, s.Config!.NumHiddenLayers);
    }

    [Fact]
    public void MismatchedSliceLengthsArePositionedErrors()
    {
        var error = Assert.Throws<AlloyInputException>(() => MergeConfigParser.Parse("""
            merge_method: linear
            slices:
              - sources:
                  - model: a
                    layer_range: [0, 4]
                  - model: b
                    layer_range: [0, 3]
            parameters: {weight: 1}
            """, "bad.yml"));
        Assert.Contains("bad.yml:6", error.Message, StringComparison.Ordinal);
        Assert.Contains("sources[1] covers 3 layers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LayerRangeBeyondTheModelIsAnError()
    {
        var path = _temp.File("beyond.yml");
        File.WriteAllText(path, """
            merge_method: passthrough
            slices:
              - sources: [{model: a, layer_range: [2, 6]}]
            """);
        var error = Assert.Throws<AlloyInputException>(() => PlanBuilder.Build(MergeConfigParser.ParseFile(path), Checkpoint.Open));
        Assert.Contains("no tensors of layer 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithLayerRenamesOnlyTheLayerIndex()
    {
        Assert.Equal("model.layers.12.mlp.experts.3.w1.weight", SlicePlanner.WithLayer("model.layers.2.mlp.experts.3.w1.weight", 12));
        Assert.Equal("transformer.h.0.attn.c_attn.weight", SlicePlanner.WithLayer("transformer.h.7.attn.c_attn.weight", 0));
    }
}
