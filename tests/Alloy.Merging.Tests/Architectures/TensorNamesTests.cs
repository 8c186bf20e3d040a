// Classification of tensor names into layers and modules, and the architecture templates.
using Alloy.Merging.Architectures;

namespace Alloy.Merging.Tests.Architectures;

public class TensorNamesTests
{
    [Theory]
    [InlineData("model.embed_tokens.weight", null, ModuleKind.Embeddings, null)]
    [InlineData("lm_head.weight", null, ModuleKind.LmHead, null)]
    [InlineData("model.norm.weight", null, ModuleKind.Norms, null)]
    [InlineData("model.layers.0.self_attn.q_proj.weight", 0, ModuleKind.Attention, null)]
    [InlineData("model.layers.35.self_attn.k_norm.weight", 35, ModuleKind.Attention, null)]
    [InlineData("model.layers.12.mlp.down_proj.weight", 12, ModuleKind.Mlp, null)]
    [InlineData("model.layers.3.input_layernorm.weight", 3, ModuleKind.Norms, null)]
    [InlineData("model.layers.3.post_attention_layernorm.weight", 3, ModuleKind.Norms, null)]
    [InlineData("model.layers.7.mlp.experts.113.gate_proj.weight", 7, ModuleKind.Mlp, 113)]
    [InlineData("model.layers.7.mlp.gate.weight", 7, ModuleKind.Mlp, null)]
    [InlineData("language_model.model.layers.2.pre_feedforward_layernorm.weight", 2, ModuleKind.Norms, null)]
    [InlineData("transformer.h.4.attn.c_attn.weight", 4, ModuleKind.Attention, null)]
    [InlineData("model.rotary_emb.inv_freq", null, ModuleKind.Other, null)]
    public void Names_are_classified(string name, int? layer, ModuleKind module, int? expert)
    {
        var role = TensorNames.Classify(name);
        Assert.Equal(layer, role.Layer);
        Assert.Equal(module, role.Module);
        Assert.Equal(expert, role.Expert);
    }

    [Fact]
    public void Qwen3_template_lists_every_tensor_of_a_layer_and_finds_what_is_missing()
    {
        var qwen3 = ArchitectureTemplates.Find(["Qwen3ForCausalLM"])!;
        var names = qwen3.ExpectedNames(layers: 2, experts: 0, tiedEmbeddings: true).ToHashSet();
        Assert.Equal(2 + 2 * 11, names.Count);
        Assert.Contains("model.layers.1.self_attn.k_norm.weight", names);
        Assert.DoesNotContain("lm_head.weight", names);
        names.Remove("model.layers.0.mlp.up_proj.weight");
        Assert.Equal(["model.layers.0.mlp.up_proj.weight"], ArchitectureTemplates.Missing(qwen3, names, 2, 0, true));
        Assert.Equal(["lm_head.weight", "model.layers.0.mlp.up_proj.weight"], ArchitectureTemplates.Missing(qwen3, names, 2, 0, false).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Unknown_architectures_have_no_template()
    {
        Assert.Null(ArchitectureTemplates.Find(["FalconForCausalLM"]));
        Assert.Equal("qwen3_moe", ArchitectureTemplates.Find(["Qwen3MoeForCausalLM"])!.Name);
    }
}
