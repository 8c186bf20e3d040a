// What a tensor is, read from its name: which layer, which module, which expert. Used to scope
// merges (layers 12-35, modules [mlp]) and to aggregate diffs; it never looks at tensor data.
using System.Text.RegularExpressions;

namespace Alloy.Merging.Architectures;

/// <summary>The module a tensor belongs to, as Alloy's scopes and reports name them.</summary>
public enum ModuleKind
{
    /// <summary>Input token embeddings (embed_tokens, wte, tok_embeddings).</summary>
    Embeddings,
    /// <summary>Attention projections and their per-head norms and biases (self_attn.*).</summary>
    Attention,
    /// <summary>The feed-forward block, dense or mixture-of-experts, router included (mlp.*).</summary>
    Mlp,
    /// <summary>Layer norms outside attention and MLP (input/post-attention/pre-/post-feedforward, final norm).</summary>
    Norms,
    /// <summary>The output projection (lm_head).</summary>
    LmHead,
    /// <summary>Anything else (rotary caches, vision towers, projector weights…).</summary>
    Other,
}

/// <summary>A tensor's name, decoder layer (null outside the layer stack), module and expert index.</summary>
public sealed record TensorRole(string Name, int? Layer, ModuleKind Module, int? Expert)
{
    /// <summary>Module names as configs and reports spell them.</summary>
    public static string ModuleName(ModuleKind kind) => kind switch
    {
        ModuleKind.Embeddings => "embeddings",
        ModuleKind.Attention => "attention",
        ModuleKind.Mlp => "mlp",
        ModuleKind.Norms => "norms",
        ModuleKind.LmHead => "lm_head",
        _ => "other",
    };

    /// <summary>Parses a module name as configs spell it ("attention", "mlp", "norms", "embeddings", "lm_head").</summary>
    public static bool TryParseModule(string text, out ModuleKind kind)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "attention" or "attn" or "self_attn": kind = ModuleKind.Attention; return true;
            case "mlp" or "ffn" or "feed_forward": kind = ModuleKind.Mlp; return true;
            case "norms" or "norm" or "layernorm": kind = ModuleKind.Norms; return true;
            case "embeddings" or "embed" or "embed_tokens": kind = ModuleKind.Embeddings; return true;
            case "lm_head" or "head": kind = ModuleKind.LmHead; return true;
            case "other": kind = ModuleKind.Other; return true;
            default: kind = default; return false;
        }
    }
}

/// <summary>Classifies tensor names of decoder-only transformers (HF naming: Qwen, Llama, Mistral, Gemma…).</summary>
public static partial class TensorNames
{
    [GeneratedRegex(@"(?:^|\.)(?:layers|h|blocks|layer)\.(?<layer>\d+)\.(?<rest>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex LayerPattern();

    [GeneratedRegex(@"(?:^|\.)experts\.(?<expert>\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex ExpertPattern();

    /// <summary>
    /// Reads the layer index from "….layers.N.…" (also "h.N", "blocks.N"), the expert index from
    /// "….experts.E.…", and the module from the block name right after the layer index: *norm*
    /// (input_layernorm, post_attention_layernorm, pre_feedforward_layernorm…) → norms; *attn* or
    /// *attention* → attention (its q_norm and k_norm included); mlp/feed_forward/block_sparse_moe → mlp;
    /// outside layers: embed_tokens/wte/tok_embeddings → embeddings, lm_head → lm_head, *norm* → norms.
    /// </summary>
    public static TensorRole Classify(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var layerMatch = LayerPattern().Match(name);
        if (layerMatch.Success && int.TryParse(layerMatch.Groups["layer"].ValueSpan, out var layer))
        {
            var rest = layerMatch.Groups["rest"].Value;
            var expertMatch = ExpertPattern().Match(rest);
            int? expert = expertMatch.Success && int.TryParse(expertMatch.Groups["expert"].ValueSpan, out var e) ? e : null;
            // The first component after the layer index names the block: self_attn, mlp, input_layernorm, …
            var block = rest.Split('.')[0];
            ModuleKind module;
            if (block.Contains("norm", StringComparison.Ordinal) || block is "ln_1" or "ln_2")
                module = ModuleKind.Norms;
            else if (block.Contains("attn", StringComparison.Ordinal) || block.Contains("attention", StringComparison.Ordinal))
                module = ModuleKind.Attention;
            else if (block is "mlp" or "feed_forward" or "block_sparse_moe" or "ffn" || expert != null)
                module = ModuleKind.Mlp;
            else
                module = ModuleKind.Other;
            return new TensorRole(name, layer, module, expert);
        }
        if (name.Contains("embed_tokens", StringComparison.Ordinal) || name.EndsWith("wte.weight", StringComparison.Ordinal)
            || name.Contains("tok_embeddings", StringComparison.Ordinal))
            return new TensorRole(name, null, ModuleKind.Embeddings, null);
        if (name.StartsWith("lm_head", StringComparison.Ordinal) || name.Contains(".lm_head.", StringComparison.Ordinal) || name == "output.weight")
            return new TensorRole(name, null, ModuleKind.LmHead, null);
        if (name.Contains("norm", StringComparison.Ordinal))
            return new TensorRole(name, null, ModuleKind.Norms, null);
        return new TensorRole(name, null, ModuleKind.Other, null);
    }
}
