// The two inner loops of scaled dot-product attention for one query head over a run of cached keys
// and values (one KV-cache page). Softmax and the choice of positions (causal, sliding window) are the
// caller's; these kernels only dot and accumulate.
using System.Numerics.Tensors;

namespace Alloy.Inference.Kernels;

/// <summary>
/// Attention pieces over a block of n cached positions laid out [n, kvHeads, headDim] (f32).
/// Grouped-query attention reads the kv head <c>h / (heads / kvHeads)</c> for query head h.
/// </summary>
public static class Attention
{
    /// <summary><c>scores[j] = scale · (query · keys[j, kvHead, :])</c> for j &lt; scores.Length.</summary>
    /// <exception cref="ArgumentException">keys is too short for scores.Length positions.</exception>
    public static void Scores(ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int kvHead, int kvHeads, float scale, Span<float> scores)
    {
        var headDim = query.Length;
        var stride = kvHeads * headDim;
        if ((long)scores.Length * stride > keys.Length)
            throw new ArgumentException($"{scores.Length} positions of {stride} floats exceed keys ({keys.Length})", nameof(keys));
        for (var j = 0; j < scores.Length; j++)
            scores[j] = scale * TensorPrimitives.Dot(query, keys.Slice(j * stride + kvHead * headDim, headDim));
    }

    /// <summary><c>output += Σⱼ weights[j] · values[j, kvHead, :]</c> for j &lt; weights.Length.</summary>
    /// <exception cref="ArgumentException">values is too short for weights.Length positions.</exception>
    public static void AccumulateValues(ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int kvHead, int kvHeads, Span<float> output)
    {
        var headDim = output.Length;
        var stride = kvHeads * headDim;
        if ((long)weights.Length * stride > values.Length)
            throw new ArgumentException($"{weights.Length} positions of {stride} floats exceed values ({values.Length})", nameof(values));
        for (var j = 0; j < weights.Length; j++)
            TensorPrimitives.MultiplyAdd(values.Slice(j * stride + kvHead * headDim, headDim), weights[j], output, output);
    }
}
