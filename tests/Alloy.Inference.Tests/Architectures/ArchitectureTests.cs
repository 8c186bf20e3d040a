// Which configs the engine accepts, and the messages for those it refuses.
using System.Text.Json.Nodes;
using Alloy.Inference.Architectures;
using Alloy.Inference.Transformer;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Tests.Architectures;

public class ArchitectureTests
{
    private static ModelConfig Config(string model, Action<JsonObject> edit)
    {
        var raw = JsonNode.Parse(File.ReadAllText(TestPaths.Fixtures("inference", model, "config.json")))!.AsObject();
        edit(raw);
        return ModelConfig.Parse(raw.ToJsonString(), "config.json");
    }

    [Theory]
    [InlineData("Qwen3MoeForCausalLM")]
    [InlineData("GPT2LMHeadModel")]
    public void Unsupported_architectures_are_refused_with_the_supported_list(string architecture)
    {
        var config = Config("qwen3-untied-bf16", c => c["architectures"] = new JsonArray(architecture));
        var error = Assert.Throws<AlloyInputException>(() => SupportedArchitectures.Describe(config));
        Assert.Contains(architecture, error.Message, StringComparison.Ordinal);
        foreach (var name in new[] { "Qwen3ForCausalLM", "Qwen2ForCausalLM", "LlamaForCausalLM", "MistralForCausalLM" })
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_type_names_the_architecture_when_architectures_is_absent()
    {
        var config = Config("qwen2-untied-bf16", c => c.Remove("architectures"));
        var spec = SupportedArchitectures.Describe(config);
        Assert.Equal("Qwen2ForCausalLM", spec.Architecture);
        Assert.True(spec.QkvBias);
    }

    [Fact]
    public void Specs_read_the_shape_and_the_architecture_features()
    {
        var qwen3 = SupportedArchitectures.Describe(Config("qwen3-untied-bf16", _ => { }));
        Assert.Equal((32, 48, 2, 4, 2, 16, 160), (qwen3.HiddenSize, qwen3.IntermediateSize, qwen3.LayerCount, qwen3.HeadCount, qwen3.KvHeadCount, qwen3.HeadDim, qwen3.VocabSize));
        Assert.True(qwen3.QkNorm);
        Assert.False(qwen3.QkvBias);
        var llama = SupportedArchitectures.Describe(Config("llama3-tied-bf16", _ => { }));
        Assert.NotNull(llama.Llama3Scaling);
        Assert.True(llama.TiedEmbeddings);
        var mistral = SupportedArchitectures.Describe(Config("mistral-window-bf16", _ => { }));
        Assert.Equal(8, mistral.SlidingWindow);
    }

    [Theory]
    [InlineData("qwen3-untied-bf16", "rope_scaling", "{\"rope_type\":\"yarn\",\"factor\":4}", "yarn")]
    [InlineData("llama3-tied-bf16", "rope_scaling", "{\"type\":\"dynamic\",\"factor\":2}", "dynamic")]
    [InlineData("qwen2-untied-bf16", "use_sliding_window", "true", "use_sliding_window")]
    [InlineData("llama3-tied-bf16", "attention_bias", "true", "attention_bias")]
    [InlineData("llama3-tied-bf16", "hidden_act", "\"gelu\"", "gelu")]
    [InlineData("qwen3-untied-bf16", "num_key_value_heads", "3", "num_key_value_heads")]
    [InlineData("qwen3-untied-bf16", "hidden_size", "0", "hidden_size")]
    public void Unsupported_or_invalid_fields_are_refused_by_name(string model, string field, string json, string expected)
    {
        var config = Config(model, c => c[field] = JsonNode.Parse(json));
        var error = Assert.Throws<AlloyInputException>(() => SupportedArchitectures.Describe(config));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        using var checkpoint = Checkpoint.Open(TestPaths.Fixtures("inference", "qwen3-untied-bf16"));
        var tensors = checkpoint.Tensors.Where(t => t.Name != "model.layers.1.self_attn.k_norm.weight")
            .ToDictionary(t => t.Name, t => new WeightTensor(t.DType, t.Info.Shape, t.GetBytes().ToArray()));
        var error = Assert.Throws<AlloyInputException>(() => TransformerModel.Load(new InMemoryWeightSource(checkpoint.RequireConfig(), tensors, "merged")));
        Assert.Contains("model.layers.1.self_attn.k_norm.weight", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("merged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_or_dtype_is_named()
    {
        using var checkpoint = Checkpoint.Open(TestPaths.Fixtures("inference", "qwen3-untied-bf16"));
        var tensors = checkpoint.Tensors.ToDictionary(t => t.Name, t => new WeightTensor(t.DType, t.Info.Shape, t.GetBytes().ToArray()));
        var config = checkpoint.RequireConfig();
        var down = tensors["model.layers.0.mlp.down_proj.weight"];
        tensors["model.layers.0.mlp.down_proj.weight"] = down with { Shape = [48, 32] };
        var shape = Assert.Throws<AlloyInputException>(() => TransformerModel.Load(new InMemoryWeightSource(config, tensors)));
        Assert.Contains("down_proj", shape.Message, StringComparison.Ordinal);
        Assert.Contains("[32, 48]", shape.Message, StringComparison.Ordinal);
        tensors["model.layers.0.mlp.down_proj.weight"] = down with { DType = DType.F16 };
        var dtype = Assert.Throws<AlloyInputException>(() => TransformerModel.Load(new InMemoryWeightSource(config, tensors)));
        Assert.Contains("F16", dtype.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_untied_model_without_lm_head_is_refused()
    {
        using var checkpoint = Checkpoint.Open(TestPaths.Fixtures("inference", "qwen3-untied-bf16"));
        var tensors = checkpoint.Tensors.Where(t => t.Name != "lm_head.weight")
            .ToDictionary(t => t.Name, t => new WeightTensor(t.DType, t.Info.Shape, t.GetBytes().ToArray()));
        var error = Assert.Throws<AlloyInputException>(() => TransformerModel.Load(new InMemoryWeightSource(checkpoint.RequireConfig(), tensors)));
        Assert.Contains("lm_head.weight", error.Message, StringComparison.Ordinal);
    }
}
