// The validated shape of a decoder-only transformer, read from config.json by one architecture file.
// An immutable plan: once built it is known to be runnable; it holds no weights.
using Alloy.Inference.Kernels;

namespace Alloy.Inference.Architectures;

/// <summary>
/// Everything the forward pass needs to know about a model besides its weights.
/// Tensor names follow the Hugging Face layout (<c>model.layers.{i}.self_attn.q_proj.weight</c>, ...).
/// </summary>
/// <param name="Architecture">The config's architecture name, e.g. "Qwen3ForCausalLM".</param>
/// <param name="HiddenSize">hidden_size.</param>
/// <param name="IntermediateSize">intermediate_size (MLP width).</param>
/// <param name="LayerCount">num_hidden_layers.</param>
/// <param name="HeadCount">num_attention_heads.</param>
/// <param name="KvHeadCount">num_key_value_heads (divides HeadCount).</param>
/// <param name="HeadDim">head_dim (or hidden_size / heads).</param>
/// <param name="VocabSize">vocab_size.</param>
/// <param name="RmsNormEps">rms_norm_eps.</param>
/// <param name="RopeTheta">rope_theta.</param>
/// <param name="Llama3Scaling">Llama 3 rope_scaling, or null for plain rotary.</param>
/// <param name="QkvBias">q/k/v projections carry a bias (Qwen2).</param>
/// <param name="QkNorm">RMSNorm over head_dim on queries and keys before rotary (Qwen3).</param>
/// <param name="TiedEmbeddings">The output projection is the input embedding.</param>
/// <param name="SlidingWindow">Each token attends to itself and the previous window − 1 tokens (Mistral); null for full attention.</param>
public sealed record TransformerSpec(
    string Architecture,
    int HiddenSize,
    int IntermediateSize,
    int LayerCount,
    int HeadCount,
    int KvHeadCount,
    int HeadDim,
    int VocabSize,
    float RmsNormEps,
    double RopeTheta,
    Llama3RopeScaling? Llama3Scaling,
    bool QkvBias,
    bool QkNorm,
    bool TiedEmbeddings,
    int? SlidingWindow)
{
    /// <summary>Width of all query heads together: HeadCount × HeadDim.</summary>
    public int QueryWidth => HeadCount * HeadDim;

    /// <summary>Width of all key (or value) heads together: KvHeadCount × HeadDim.</summary>
    public int KvWidth => KvHeadCount * HeadDim;

    /// <summary>Query heads per kv head.</summary>
    public int GroupSize => HeadCount / KvHeadCount;
}
