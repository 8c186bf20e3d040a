// Shared reading of config.json fields for the architecture files: required numbers, rope_scaling,
// and the flags the engine cannot honour. Every error names the config file and the field.
using System.Text.Json.Nodes;
using Alloy.Inference.Kernels;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Architectures;

/// <summary>Helpers that turn a <see cref="ModelConfig"/> into validated numbers for a <see cref="TransformerSpec"/>.</summary>
internal static class ConfigFields
{
    /// <summary>A required positive integer field.</summary>
    public static int Positive(ModelConfig config, int? value, string field) =>
        value switch
        {
            null => throw new AlloyInputException($"{config.Path}: field '{field}' is missing; {config.ArchitectureName} needs it"),
            <= 0 => throw new AlloyInputException($"{config.Path}: field '{field}' must be a positive integer, found {value}"),
            _ => value.Value,
        };

    /// <summary>
    /// The common decoder shape: sizes, heads (kv heads dividing heads), head_dim (default hidden/heads,
    /// even), eps and theta with the given defaults, tying, and checks that hidden_act is silu and no
    /// unsupported rope_scaling is set.
    /// </summary>
    public static TransformerSpec Read(ModelConfig config, string architecture, double defaultRopeTheta, double defaultEps,
        bool qkvBias, bool qkNorm, int? slidingWindow, bool allowLlama3Scaling)
    {
        var hidden = Positive(config, config.HiddenSize, "hidden_size");
        var intermediate = Positive(config, config.IntermediateSize, "intermediate_size");
        var layers = Positive(config, config.NumHiddenLayers, "num_hidden_layers");
        var heads = Positive(config, config.NumAttentionHeads, "num_attention_heads");
        var kvHeads = config.NumKeyValueHeads is null ? heads : Positive(config, config.NumKeyValueHeads, "num_key_value_heads");
        if (heads % kvHeads != 0)
            throw new AlloyInputException($"{config.Path}: num_attention_heads ({heads}) must be a multiple of num_key_value_heads ({kvHeads})");
        int headDim;
        if (config.HeadDim is not null)
            headDim = Positive(config, config.HeadDim, "head_dim");
        else if (hidden % heads == 0)
            headDim = hidden / heads;
        else
            throw new AlloyInputException($"{config.Path}: no 'head_dim' and hidden_size ({hidden}) is not a multiple of num_attention_heads ({heads})");
        if (headDim % 2 != 0)
            throw new AlloyInputException($"{config.Path}: head_dim ({headDim}) must be even for rotary embeddings");
        var vocab = Positive(config, config.VocabSize, "vocab_size");
        var eps = config.RmsNormEps ?? defaultEps;
        if (!(eps > 0))
            throw new AlloyInputException($"{config.Path}: field 'rms_norm_eps' must be positive, found {eps}");
        var theta = config.RopeTheta ?? defaultRopeTheta;
        if (!(theta > 0))
            throw new AlloyInputException($"{config.Path}: field 'rope_theta' must be positive, found {theta}");

        var act = config.Raw["hidden_act"]?.ToString();
        if (act is not null && act != "silu")
            throw new AlloyInputException($"{config.Path}: hidden_act '{act}' is not supported; the embedded engine runs SiLU-gated MLPs (hidden_act \"silu\")");
        if (!qkvBias && ReadFlag(config, "attention_bias"))
            throw new AlloyInputException($"{config.Path}: attention_bias true is not supported for {architecture}; the embedded engine supports biases only on Qwen2's q/k/v projections");
        if (ReadFlag(config, "mlp_bias"))
            throw new AlloyInputException($"{config.Path}: mlp_bias true is not supported; the embedded engine runs MLPs without biases");

        var scaling = ReadRopeScaling(config, allowLlama3Scaling);
        // Tying is decided against the tensors later; here only the config's word is kept (default false, as in HF).
        var tied = config.TieWordEmbeddings ?? false;
        return new TransformerSpec(architecture, hidden, intermediate, layers, heads, kvHeads, headDim, vocab,
            (float)eps, theta, scaling, qkvBias, qkNorm, tied, slidingWindow);
    }

    /// <summary>A boolean field, false when absent or null.</summary>
    public static bool ReadFlag(ModelConfig config, string field)
    {
        var node = config.Raw[field];
        if (node is null)
            return false;
        return node is JsonValue v && v.TryGetValue<bool>(out var b) ? b
            : throw new AlloyInputException($"{config.Path}: field '{field}' must be true or false, found {node.ToJsonString()}");
    }

    private static Llama3RopeScaling? ReadRopeScaling(ModelConfig config, bool allowLlama3)
    {
        var node = config.Raw["rope_scaling"];
        if (node is null)
            return null;
        if (node is not JsonObject scaling)
            throw new AlloyInputException($"{config.Path}: field 'rope_scaling' must be an object or null, found {node.ToJsonString()}");
        var type = (scaling["rope_type"] ?? scaling["type"])?.ToString();
        if (type is null or "default")
            return null;
        if (type != "llama3" || !allowLlama3)
            throw new AlloyInputException($"{config.Path}: rope_scaling type '{type}' is not supported for {config.ArchitectureName}; the embedded engine supports plain rotary{(allowLlama3 ? " and \"llama3\"" : "")} (remove rope_scaling for contexts within max_position_embeddings)");
        double Number(string field) =>
            scaling[field] is JsonValue v && v.TryGetValue<double>(out var d) && d > 0 ? d
            : throw new AlloyInputException($"{config.Path}: rope_scaling.{field} must be a positive number for rope_type llama3");
        var result = new Llama3RopeScaling(Number("factor"), Number("low_freq_factor"), Number("high_freq_factor"), Number("original_max_position_embeddings"));
        if (!(result.HighFrequencyFactor > result.LowFrequencyFactor))
            throw new AlloyInputException($"{config.Path}: rope_scaling.high_freq_factor ({result.HighFrequencyFactor}) must exceed low_freq_factor ({result.LowFrequencyFactor})");
        return result;
    }

    /// <summary>Refuses use_sliding_window true (Qwen2/Qwen3 apply it to only some layers; not implemented).</summary>
    public static void RefuseQwenSlidingWindow(ModelConfig config)
    {
        if (ReadFlag(config, "use_sliding_window"))
            throw new AlloyInputException($"{config.Path}: use_sliding_window true is not supported for {config.ArchitectureName}; the embedded engine runs full attention (set it to false, as the released Qwen models do)");
    }
}
