// A whole model with head width 64 and grouped-query heads (groups of 2 and of 3, so a lone head too; a sliding window)
// gives the same logits with the two-head attention kernels as with the per-head ones, for prefill, decode and batches,
// on f32 and bf16 caches. The golden fixtures (head width 16) run the per-head kernels only.
using Alloy.Inference.Kernels;
using Alloy.Inference.Transformer;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Tests.Transformer;

public class PairAttentionModelTests
{
    [Theory]
    [InlineData(4, 2, null, "F32")]
    [InlineData(6, 2, null, "BF16")]
    [InlineData(6, 2, 5, "F32")]
    [InlineData(6, 2, 5, "BF16")]
    public void Pair_and_per_head_attention_give_the_same_logits(int heads, int kvHeads, int? window, string kvType)
    {
        if (!PairAttention.Supports(64))
            return; // without 512-bit vectors the model always runs the per-head kernels
        const int hidden = 96, headDim = 64, vocab = 50, layers = 2;
        var slidingWindow = window is null ? "" : $", \"sliding_window\": {window}";
        var config = ModelConfig.Parse($$"""
            {"architectures": ["{{(window is null ? "Qwen3ForCausalLM" : "MistralForCausalLM")}}"], "model_type": "{{(window is null ? "qwen3" : "mistral")}}",
             "hidden_size": {{hidden}}, "intermediate_size": 128, "num_hidden_layers": {{layers}}, "num_attention_heads": {{heads}},
             "num_key_value_heads": {{kvHeads}}, "head_dim": {{headDim}}, "vocab_size": {{vocab}}, "rms_norm_eps": 1e-6,
             "rope_theta": 10000, "tie_word_embeddings": true{{slidingWindow}}}
            """, "test config");
        var random = new Random(heads * 10 + kvHeads);
        var tensors = new Dictionary<string, WeightTensor>();
        void Add(string name, float scale, float offset, params long[] shape)
        {
            var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (var i = 0; i < values.Length; i++)
                values[i] = offset + scale * (float)(random.NextDouble() * 2 - 1);
            var bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            tensors[name] = WeightTensor.FromBytes(DType.F32, bytes, shape);
        }
        Add("model.embed_tokens.weight", 1f, 0, vocab, hidden);
        Add("model.norm.weight", 0.1f, 1, hidden);
        for (var l = 0; l < layers; l++)
        {
            var p = $"model.layers.{l}.";
            Add(p + "input_layernorm.weight", 0.1f, 1, hidden);
            Add(p + "post_attention_layernorm.weight", 0.1f, 1, hidden);
            if (window is null)
            {
                Add(p + "self_attn.q_norm.weight", 0.1f, 1, headDim);
                Add(p + "self_attn.k_norm.weight", 0.1f, 1, headDim);
            }
            Add(p + "self_attn.q_proj.weight", 0.3f, 0, heads * headDim, hidden);
            Add(p + "self_attn.k_proj.weight", 0.3f, 0, kvHeads * headDim, hidden);
            Add(p + "self_attn.v_proj.weight", 0.3f, 0, kvHeads * headDim, hidden);
            Add(p + "self_attn.o_proj.weight", 0.1f, 0, hidden, heads * headDim);
            Add(p + "mlp.gate_proj.weight", 0.1f, 0, 128, hidden);
            Add(p + "mlp.up_proj.weight", 0.1f, 0, 128, hidden);
            Add(p + "mlp.down_proj.weight", 0.1f, 0, hidden, 128);
        }
        using var model = TransformerModel.Load(new InMemoryWeightSource(config, tensors));
        var dtype = kvType == "BF16" ? DType.BF16 : DType.F32;
        int[] prompt = [3, 17, 9, 44, 1, 28, 5, 12, 39, 7, 21];

        (float[] Prefill, float[] Decode, float[] Batch) Run(bool pair)
        {
            model.UsePairAttention = pair;
            Assert.Equal(pair, model.UsePairAttention);
            var cache = model.CreateCache(dtype);
            var prefill = new float[prompt.Length * vocab];
            model.Forward(prompt, cache, prefill, allPositions: true);
            var decode = new List<float>();
            var batchCaches = new List<KvCache> { cache.Fork(), cache.Fork() };
            var batch = new List<float>();
            var batchLogits = new float[2 * vocab];
            for (var step = 0; step < 6; step++)
            {
                decode.AddRange(model.Forward([(step * 13) % vocab], cache));
                model.DecodeBatch([(step * 13) % vocab, (step * 7 + 1) % vocab], batchCaches, batchLogits);
                batch.AddRange(batchLogits);
            }
            return (prefill, [.. decode], [.. batch]);
        }

        var perHead = Run(pair: false);
        var paired = Run(pair: true);
        // f32 caches: the kernels differ only in the order of the score reductions. bf16 caches: a key differing by that
        // rounding in a later layer can round to the neighbouring bf16 value, so the bf16 tolerance of Bf16KvCacheTests.
        var tolerance = dtype == DType.BF16 ? 2e-2 : 1e-4;
        AssertClose(perHead.Prefill, paired.Prefill, tolerance, "prefill");
        AssertClose(perHead.Decode, paired.Decode, tolerance, "decode");
        AssertClose(perHead.Batch, paired.Batch, tolerance, "batched decode");
    }

    [Fact]
    public void Heads_that_do_not_share_kv_heads_stay_on_the_per_head_kernels()
    {
        var config = ModelConfig.Parse("""
            {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 64, "intermediate_size": 32,
             "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 2, "head_dim": 64, "vocab_size": 8,
             "rms_norm_eps": 1e-6, "rope_theta": 10000, "tie_word_embeddings": true}
            """, "test config");
        var tensors = new Dictionary<string, WeightTensor>();
        void Add(string name, params long[] shape) =>
            tensors[name] = WeightTensor.FromBytes(DType.F32, new byte[shape.Aggregate(1L, (a, b) => a * b) * 4], shape);
        Add("model.embed_tokens.weight", 8, 64);
        Add("model.norm.weight", 64);
        Add("model.layers.0.input_layernorm.weight", 64);
        Add("model.layers.0.post_attention_layernorm.weight", 64);
        Add("model.layers.0.self_attn.q_norm.weight", 64);
        Add("model.layers.0.self_attn.k_norm.weight", 64);
        Add("model.layers.0.self_attn.q_proj.weight", 128, 64);
        Add("model.layers.0.self_attn.k_proj.weight", 128, 64);
        Add("model.layers.0.self_attn.v_proj.weight", 128, 64);
        Add("model.layers.0.self_attn.o_proj.weight", 64, 128);
        Add("model.layers.0.mlp.gate_proj.weight", 32, 64);
        Add("model.layers.0.mlp.up_proj.weight", 32, 64);
        Add("model.layers.0.mlp.down_proj.weight", 64, 32);
        using var model = TransformerModel.Load(new InMemoryWeightSource(config, tensors));
        Assert.False(model.UsePairAttention);
        model.UsePairAttention = true;
        Assert.False(model.UsePairAttention);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"{what}: logit {i} is {actual[i]} with the pair kernels, {expected[i]} per head");
    }
}
