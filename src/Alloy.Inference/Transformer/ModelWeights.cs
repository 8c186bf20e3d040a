// Binds a weight source's tensors to the slots a TransformerSpec needs, checking every name, dtype and
// shape first. Matrices stay in their stored dtype; the small vectors (norms, biases) become f32.
using Alloy.Inference.Architectures;
using Alloy.Tensors;
using Alloy.Tensors.Conversions;

namespace Alloy.Inference.Transformer;

/// <summary>The weights of one decoder layer.</summary>
public sealed class LayerWeights
{
    internal LayerWeights(float[] inputNorm, LinearWeight query, LinearWeight key, LinearWeight value, LinearWeight output,
        float[]? queryBias, float[]? keyBias, float[]? valueBias, float[]? queryNorm, float[]? keyNorm,
        float[] postAttentionNorm, LinearWeight gate, LinearWeight up, LinearWeight down)
    {
        InputNorm = inputNorm; Query = query; Key = key; Value = value; Output = output;
        QueryBias = queryBias; KeyBias = keyBias; ValueBias = valueBias; QueryNorm = queryNorm; KeyNorm = keyNorm;
        PostAttentionNorm = postAttentionNorm; Gate = gate; Up = up; Down = down;
    }

    /// <summary>input_layernorm, [hidden].</summary>
    public float[] InputNorm { get; }
    /// <summary>q_proj, [heads·head_dim, hidden].</summary>
    public LinearWeight Query { get; }
    /// <summary>k_proj, [kv_heads·head_dim, hidden].</summary>
    public LinearWeight Key { get; }
    /// <summary>v_proj, [kv_heads·head_dim, hidden].</summary>
    public LinearWeight Value { get; }
    /// <summary>o_proj, [hidden, heads·head_dim].</summary>
    public LinearWeight Output { get; }
    /// <summary>q_proj.bias (Qwen2), else null.</summary>
    public float[]? QueryBias { get; }
    /// <summary>k_proj.bias (Qwen2), else null.</summary>
    public float[]? KeyBias { get; }
    /// <summary>v_proj.bias (Qwen2), else null.</summary>
    public float[]? ValueBias { get; }
    /// <summary>q_norm, [head_dim] (Qwen3), else null.</summary>
    public float[]? QueryNorm { get; }
    /// <summary>k_norm, [head_dim] (Qwen3), else null.</summary>
    public float[]? KeyNorm { get; }
    /// <summary>post_attention_layernorm, [hidden].</summary>
    public float[] PostAttentionNorm { get; }
    /// <summary>gate_proj, [intermediate, hidden].</summary>
    public LinearWeight Gate { get; }
    /// <summary>up_proj, [intermediate, hidden].</summary>
    public LinearWeight Up { get; }
    /// <summary>down_proj, [hidden, intermediate].</summary>
    public LinearWeight Down { get; }

    internal IEnumerable<LinearWeight> Matrices => [Query, Key, Value, Output, Gate, Up, Down];
}

/// <summary>All weights of a model, validated against its <see cref="TransformerSpec"/>.</summary>
public sealed class ModelWeights : IDisposable
{
    private ModelWeights(LinearWeight embedding, IReadOnlyList<LayerWeights> layers, float[] finalNorm, LinearWeight outputHead)
    {
        Embedding = embedding;
        Layers = layers;
        FinalNorm = finalNorm;
        OutputHead = outputHead;
    }

    /// <summary>model.embed_tokens.weight, [vocab, hidden].</summary>
    public LinearWeight Embedding { get; }

    /// <summary>The decoder layers in order.</summary>
    public IReadOnlyList<LayerWeights> Layers { get; }

    /// <summary>model.norm.weight, [hidden].</summary>
    public float[] FinalNorm { get; }

    /// <summary>lm_head.weight, or the embedding when tied; [vocab, hidden].</summary>
    public LinearWeight OutputHead { get; }

    /// <summary>Bytes of matrix data one decode step reads (every layer's matrices plus the output head).</summary>
    public long BytesPerToken => Layers.Sum(l => l.Matrices.Sum(m => m.ByteLength)) + OutputHead.ByteLength;

    /// <summary>
    /// Binds and validates. The spec's <see cref="TransformerSpec.TiedEmbeddings"/> is honoured when the
    /// config says so; an untied model without <c>lm_head.weight</c> is refused.
    /// </summary>
    /// <exception cref="AlloyInputException">A tensor is missing, has the wrong shape, or a dtype other than F32/BF16.</exception>
    public static ModelWeights Bind(IWeightSource source, TransformerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(spec);
        var bound = new List<LinearWeight>();
        try
        {
            LinearWeight Matrix(string name, int rows, int cols)
            {
                var tensor = Require(source, name, rows, cols);
                var weight = new LinearWeight(name, tensor, rows, cols);
                bound.Add(weight);
                return weight;
            }
            float[] Vector(string name, int length)
            {
                var tensor = Require(source, name, length);
                var values = new float[length];
                DTypeConversions.ToFloat32(tensor.Bytes.Span, tensor.DType, values);
                return values;
            }

            var embedding = Matrix("model.embed_tokens.weight", spec.VocabSize, spec.HiddenSize);
            var layers = new List<LayerWeights>(spec.LayerCount);
            for (var i = 0; i < spec.LayerCount; i++)
            {
                var p = $"model.layers.{i}.";
                layers.Add(new LayerWeights(
                    Vector(p + "input_layernorm.weight", spec.HiddenSize),
                    Matrix(p + "self_attn.q_proj.weight", spec.QueryWidth, spec.HiddenSize),
                    Matrix(p + "self_attn.k_proj.weight", spec.KvWidth, spec.HiddenSize),
                    Matrix(p + "self_attn.v_proj.weight", spec.KvWidth, spec.HiddenSize),
                    Matrix(p + "self_attn.o_proj.weight", spec.HiddenSize, spec.QueryWidth),
                    spec.QkvBias ? Vector(p + "self_attn.q_proj.bias", spec.QueryWidth) : null,
                    spec.QkvBias ? Vector(p + "self_attn.k_proj.bias", spec.KvWidth) : null,
                    spec.QkvBias ? Vector(p + "self_attn.v_proj.bias", spec.KvWidth) : null,
                    spec.QkNorm ? Vector(p + "self_attn.q_norm.weight", spec.HeadDim) : null,
                    spec.QkNorm ? Vector(p + "self_attn.k_norm.weight", spec.HeadDim) : null,
                    Vector(p + "post_attention_layernorm.weight", spec.HiddenSize),
                    Matrix(p + "mlp.gate_proj.weight", spec.IntermediateSize, spec.HiddenSize),
                    Matrix(p + "mlp.up_proj.weight", spec.IntermediateSize, spec.HiddenSize),
                    Matrix(p + "mlp.down_proj.weight", spec.HiddenSize, spec.IntermediateSize)));
            }
            var finalNorm = Vector("model.norm.weight", spec.HiddenSize);
            LinearWeight head;
            if (spec.TiedEmbeddings)
                head = embedding;
            else if (source.TryGetWeight("lm_head.weight", out _))
                head = Matrix("lm_head.weight", spec.VocabSize, spec.HiddenSize);
            else
                throw new AlloyInputException($"{source.Description}: no tensor 'lm_head.weight' and tie_word_embeddings is not true in config.json; an untied model needs its output head");
            return new ModelWeights(embedding, layers, finalNorm, head);
        }
        catch
        {
            foreach (var weight in bound)
                weight.Dispose();
            throw;
        }
    }

    private static WeightTensor Require(IWeightSource source, string name, params int[] shape)
    {
        if (!source.TryGetWeight(name, out var tensor))
            throw new AlloyInputException($"{source.Description}: missing tensor '{name}' (shape [{string.Join(", ", shape)}])");
        if (tensor.DType is not (DType.F32 or DType.BF16))
            throw new AlloyInputException($"{source.Description}: tensor '{name}' is {tensor.DType}; the embedded engine reads F32 or BF16 weights (convert the model to bf16)");
        if (!tensor.Shape.SequenceEqual(shape.Select(d => (long)d)))
            throw new AlloyInputException($"{source.Description}: tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}], config.json implies [{string.Join(", ", shape)}]");
        if (tensor.Bytes.Length != shape.Aggregate(1L, (a, d) => a * d) * tensor.DType.SizeOf())
            throw new AlloyInputException($"{source.Description}: tensor '{name}' holds {tensor.Bytes.Length} bytes, not what its shape and {tensor.DType} need");
        return tensor;
    }

    /// <summary>Releases every pinned matrix.</summary>
    public void Dispose()
    {
        foreach (var layer in Layers)
            foreach (var m in layer.Matrices)
                m.Dispose();
        Embedding.Dispose();
        if (!ReferenceEquals(OutputHead, Embedding))
            OutputHead.Dispose();
    }
}
