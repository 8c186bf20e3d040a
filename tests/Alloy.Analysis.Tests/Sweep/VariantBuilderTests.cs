// Tests of in-memory variant building: a linear λ = 0.3 merge equals 0.7·I + 0.3·T tensor by tensor, runs through the
// engine, and parents are served from their checkpoints unchanged.
using Alloy.Analysis.Sweep;
using Alloy.Inference.Transformer;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;

namespace Alloy.Analysis.Tests.Sweep;

public sealed class VariantBuilderTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _thinking;

    public VariantBuilderTests() => _thinking = TinyParents.WriteThinking(_temp.Sub("thinking"));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_linear_variant_is_built_in_memory_as_the_interpolation_of_the_parents()
    {
        SweepSpec spec = TinyParents.Spec(_thinking, "methods: [{method: linear, lambda: [0.3]}]\n");
        SweepVariant variant = spec.Expand().Single(v => v.Name == "linear-l0.30");
        var builder = new VariantBuilder(spec);

        using BuiltVariant built = builder.Build(variant);
        using var instruct = Checkpoint.Open(TinyParents.Instruct);
        using var thinking = Checkpoint.Open(_thinking);

        var source = Assert.IsType<InMemoryWeightSource>(built.Weights);
        Assert.Equal(instruct.Tensors.Length, source.Tensors.Count);
        foreach (CheckpointTensor t in instruct.Tensors)
        {
            float[] i = TinyParents.Read(t), th = TinyParents.Read(thinking.GetTensor(t.Name));
            WeightTensor merged = source.Tensors[t.Name];
            Assert.True(t.Info.Shape.SequenceEqual(merged.Shape), t.Name);
            var actual = new float[i.Length];
            DTypeConversions.ToFloat32(merged.Bytes.Span, merged.DType, actual);
            for (int k = 0; k < i.Length; k++)
            {
                float expected = 0.7f * i[k] + 0.3f * th[k];
                Assert.True(Math.Abs(actual[k] - expected) <= 1e-6f * Math.Max(1, Math.Abs(expected)),
                    $"{t.Name}[{k}]: {actual[k]} vs 0.7·{i[k]} + 0.3·{th[k]} = {expected}");
            }
        }
        Assert.Equal(instruct.Tensors.Length, built.MergedTensors);
        Assert.Equal(Path.GetFullPath(TinyParents.Instruct), Path.GetFullPath(built.TokenizerFolder));
        Assert.True(built.BuildTime > TimeSpan.Zero);
        Assert.Equal(built.BuildTime, builder.TotalBuildTime);

        using TransformerModel model = TransformerModel.Load(built.Weights);
        float[] logits = model.Forward([1, 2, 3], model.CreateCache());
        Assert.Equal(model.Spec.VocabSize, logits.Length);
        Assert.All(logits, l => Assert.True(float.IsFinite(l)));
    }

    [Fact]
    public void Parents_are_served_from_their_checkpoints_without_merging()
    {
        SweepSpec spec = TinyParents.Spec(_thinking, "");
        var builder = new VariantBuilder(spec);
        using var thinking = Checkpoint.Open(_thinking);

        using BuiltVariant built = builder.Build(spec.Expand().Single(v => v.Name == SweepSpec.ThinkingName));

        Assert.IsType<CheckpointWeightSource>(built.Weights);
        Assert.Equal(0, built.MergedTensors);
        Assert.Equal(Path.GetFullPath(_thinking), Path.GetFullPath(built.TokenizerFolder));
        CheckpointTensor first = thinking.Tensors[0];
        Assert.True(built.Weights.TryGetWeight(first.Name, out WeightTensor tensor));
        Assert.True(tensor.Bytes.Span.SequenceEqual(first.GetBytes()));
    }

    [Fact]
    public void A_missing_parent_folder_is_named()
    {
        SweepSpec spec = TinyParents.Spec(_temp.Sub("nope"), "methods: [{method: linear, lambda: [0.5]}]\n");

        var e = Assert.Throws<Alloy.Tensors.AlloyInputException>(() => new VariantBuilder(spec).Build(spec.Expand()[2]));
        Assert.Contains("models.thinking", e.Message, StringComparison.Ordinal);
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merges_take_the_tokenizer_and_template_of_the_parent_chat_template_names()
    {
        SweepSpec byDefault = TinyParents.Spec(_thinking, "methods: [{method: linear, lambda: [0.5]}]\n");
        Assert.Equal(SweepSpec.InstructName, byDefault.TemplateFrom);
        SweepSpec spec = TinyParents.Spec(_thinking, "chat_template: thinking\nmethods: [{method: linear, lambda: [0.5]}]\n");
        Assert.Equal(SweepSpec.ThinkingName, spec.TemplateFrom);
        var builder = new VariantBuilder(spec);
        using (BuiltVariant merged = builder.Build(spec.Expand().Single(v => v.Name == "linear-l0.50")))
            Assert.Equal(Path.GetFullPath(_thinking), merged.TokenizerFolder);
        using (BuiltVariant instruct = builder.Build(spec.Expand().Single(v => v.Name == SweepSpec.InstructName)))
            Assert.Equal(Path.GetFullPath(TinyParents.Instruct), Path.GetFullPath(instruct.TokenizerFolder));

        // On disk (the openai backend) the thinking parent's tokenizer files replace the donor's.
        File.WriteAllText(Path.Combine(_thinking, "tokenizer_config.json"), "{\"chat_template\": \"thinking's\"}");
        string folder = _temp.Sub("served");
        using (builder.BuildToFolder(spec.Expand().Single(v => v.Name == "linear-l0.50"), folder))
            Assert.Equal("{\"chat_template\": \"thinking's\"}", File.ReadAllText(Path.Combine(folder, "tokenizer_config.json")));

        var bad = Assert.Throws<Alloy.Tensors.AlloyInputException>(() => TinyParents.Spec(_thinking, "chat_template: base\nmethods: [{method: linear, lambda: [0.5]}]\n"));
        Assert.Contains("sweep.yml:2:", bad.Message, StringComparison.Ordinal);
        Assert.Contains("instruct or thinking", bad.Message, StringComparison.Ordinal);
    }
}
