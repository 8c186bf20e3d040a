// Architecture knowledge as data: the tensors each supported decoder family has per layer and
// outside the layers. Used to check a checkpoint is complete before merging; no code per family.
using System.Collections.Immutable;

namespace Alloy.Merging.Architectures;

/// <summary>
/// The expected tensor names of one architecture family. <c>{i}</c> stands for the layer index and
/// <c>{e}</c> for the expert index. Optional tensors (biases some checkpoints have, lm_head when
/// embeddings are tied) are listed separately.
/// </summary>
/// <param name="Name">Family name, e.g. "qwen3".</param>
/// <param name="Architectures">The config.json <c>architectures</c> values that select it.</param>
/// <param name="Global">Tensors outside the layer stack that must exist.</param>
/// <param name="PerLayer">Per-layer tensors (suffixes after <c>model.layers.{i}.</c>).</param>
/// <param name="PerExpert">Per-expert tensors (suffixes after <c>model.layers.{i}.mlp.experts.{e}.</c>) for MoE families.</param>
/// <param name="Optional">Names (with {i}) that may be present or absent.</param>
public sealed record ArchitectureTemplate(
    string Name,
    ImmutableArray<string> Architectures,
    ImmutableArray<string> Global,
    ImmutableArray<string> PerLayer,
    ImmutableArray<string> PerExpert,
    ImmutableArray<string> Optional)
{
    /// <summary>Every tensor name a model of this family with the given sizes must have (lm_head only when untied).</summary>
    public IEnumerable<string> ExpectedNames(int layers, int experts, bool tiedEmbeddings)
    {
        foreach (var g in Global)
            yield return g;
        if (!tiedEmbeddings)
            yield return "lm_head.weight";
        for (var i = 0; i < layers; i++)
        {
            var prefix = $"model.layers.{i}.";
            foreach (var suffix in PerLayer)
                yield return prefix + suffix;
            for (var e = 0; e < experts; e++)
                foreach (var suffix in PerExpert)
                    yield return $"{prefix}mlp.experts.{e}.{suffix}";
        }
    }
}

/// <summary>The architecture families Alloy knows by name, as data.</summary>
public static class ArchitectureTemplates
{
    private static readonly ImmutableArray<string> Attention =
        ["self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight"];
    private static readonly ImmutableArray<string> DenseMlp = ["mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"];
    private static readonly ImmutableArray<string> TwoNorms = ["input_layernorm.weight", "post_attention_layernorm.weight"];
    private static readonly ImmutableArray<string> QkNorm = ["self_attn.q_norm.weight", "self_attn.k_norm.weight"];
    private static readonly ImmutableArray<string> QkvBias = ["self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias"];
    private static readonly ImmutableArray<string> GlobalTensors = ["model.embed_tokens.weight", "model.norm.weight"];
    private static readonly ImmutableArray<string> ExpertMlp = ["gate_proj.weight", "up_proj.weight", "down_proj.weight"];

    /// <summary>All known families.</summary>
    public static readonly ImmutableArray<ArchitectureTemplate> All =
    [
        new("qwen3", ["Qwen3ForCausalLM"], GlobalTensors, [.. Attention, .. QkNorm, .. DenseMlp, .. TwoNorms], [], []),
        new("qwen3_moe", ["Qwen3MoeForCausalLM"], GlobalTensors, [.. Attention, .. QkNorm, "mlp.gate.weight", .. TwoNorms], ExpertMlp, []),
        new("qwen2", ["Qwen2ForCausalLM"], GlobalTensors, [.. Attention, .. QkvBias, .. DenseMlp, .. TwoNorms], [], []),
        new("llama", ["LlamaForCausalLM"], GlobalTensors, [.. Attention, .. DenseMlp, .. TwoNorms], [], [.. QkvBias, "self_attn.o_proj.bias"]),
        new("mistral", ["MistralForCausalLM"], GlobalTensors, [.. Attention, .. DenseMlp, .. TwoNorms], [], []),
        new("gemma2", ["Gemma2ForCausalLM"], GlobalTensors,
            [.. Attention, .. DenseMlp, .. TwoNorms, "pre_feedforward_layernorm.weight", "post_feedforward_layernorm.weight"], [], []),
        new("gemma3", ["Gemma3ForCausalLM"], GlobalTensors,
            [.. Attention, .. QkNorm, .. DenseMlp, .. TwoNorms, "pre_feedforward_layernorm.weight", "post_feedforward_layernorm.weight"], [], []),
    ];

    /// <summary>The family for a config's <c>architectures</c> list, or null when none is known (names are then classified by <see cref="TensorNames"/>).</summary>
    public static ArchitectureTemplate? Find(IEnumerable<string> architectures) =>
        All.FirstOrDefault(t => architectures.Any(a => t.Architectures.Contains(a)));

    /// <summary>
    /// The expected tensors missing from <paramref name="present"/> (Gemma's tied embeddings and
    /// optional names are not required).
    /// </summary>
    public static IReadOnlyList<string> Missing(ArchitectureTemplate template, IReadOnlySet<string> present, int layers, int experts, bool tiedEmbeddings) =>
        [.. template.ExpectedNames(layers, experts, tiedEmbeddings).Where(n => !present.Contains(n))];
}
