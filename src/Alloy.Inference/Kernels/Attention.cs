// The two inner loops of scaled dot-product attention for one query head over a run of cached keys
// and values (one KV-cache page), stored as f32 or as bf16 bit patterns (widened in registers). Softmax and
// the choice of positions (causal, sliding window) are the caller's; these kernels only dot and accumulate.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Alloy.Inference.Kernels;

/// <summary>
/// Attention pieces over a block of n cached positions laid out [n, kvHeads, headDim] (f32 or bf16).
/// Grouped-query attention reads the kv head <c>h / (heads / kvHeads)</c> for query head h. The bf16 forms widen
/// each element exactly (a 16-bit shift) and sum in f32, so they equal the f32 forms on the widened values up to
/// the order of additions.
/// </summary>
public static unsafe class Attention
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

    /// <summary><see cref="Scores(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, float, Span{float})"/> over bf16 keys (bit patterns).</summary>
    /// <exception cref="ArgumentException">keys is too short for scores.Length positions.</exception>
    public static void Scores(ReadOnlySpan<float> query, ReadOnlySpan<ushort> keys, int kvHead, int kvHeads, float scale, Span<float> scores)
    {
        var headDim = query.Length;
        var stride = kvHeads * headDim;
        if ((long)scores.Length * stride > keys.Length)
            throw new ArgumentException($"{scores.Length} positions of {stride} elements exceed keys ({keys.Length})", nameof(keys));
        fixed (float* q = query)
        fixed (ushort* k = keys)
            for (var j = 0; j < scores.Length; j++)
                scores[j] = scale * DotBf16(q, k + (nint)j * stride + kvHead * headDim, headDim);
    }

    /// <summary><see cref="AccumulateValues(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, Span{float})"/> over bf16 values (bit patterns).</summary>
    /// <exception cref="ArgumentException">values is too short for weights.Length positions.</exception>
    public static void AccumulateValues(ReadOnlySpan<float> weights, ReadOnlySpan<ushort> values, int kvHead, int kvHeads, Span<float> output)
    {
        var headDim = output.Length;
        var stride = kvHeads * headDim;
        if ((long)weights.Length * stride > values.Length)
            throw new ArgumentException($"{weights.Length} positions of {stride} elements exceed values ({values.Length})", nameof(values));
        fixed (float* o = output)
        fixed (ushort* v = values)
            for (var j = 0; j < weights.Length; j++)
                AxpyBf16(weights[j], v + (nint)j * stride + kvHead * headDim, o, headDim);
    }

    /// <summary>Σ q[i]·widen(k[i]) for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float DotBf16(float* q, ushort* k, int n)
    {
        var i = 0;
        var sum = 0f;
        if (Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 32 <= n; i += 32)
            {
                Bf16Format.Load32((byte*)k, i, out var lo, out var hi);
                acc = Vector512.FusedMultiplyAdd(hi, Vector512.Load(q + i + 16), Vector512.FusedMultiplyAdd(lo, Vector512.Load(q + i), acc));
            }
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                Bf16Format.Load16((byte*)k, i, out var lo, out var hi);
                acc = Vector256.FusedMultiplyAdd(hi, Vector256.Load(q + i + 8), Vector256.FusedMultiplyAdd(lo, Vector256.Load(q + i), acc));
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++)
            sum += q[i] * Bf16Format.Load((byte*)k, i);
        return sum;
    }

    /// <summary>o[i] += a·widen(v[i]) for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyBf16(float a, ushort* v, float* o, int n)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(a);
            for (; i + 32 <= n; i += 32)
            {
                Bf16Format.Load32((byte*)v, i, out var lo, out var hi);
                Vector512.FusedMultiplyAdd(lo, s, Vector512.Load(o + i)).Store(o + i);
                Vector512.FusedMultiplyAdd(hi, s, Vector512.Load(o + i + 16)).Store(o + i + 16);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(a);
            for (; i + 16 <= n; i += 16)
            {
                Bf16Format.Load16((byte*)v, i, out var lo, out var hi);
                Vector256.FusedMultiplyAdd(lo, s, Vector256.Load(o + i)).Store(o + i);
                Vector256.FusedMultiplyAdd(hi, s, Vector256.Load(o + i + 8)).Store(o + i + 8);
            }
        }
        for (; i < n; i++)
            o[i] = MathF.FusedMultiplyAdd(a, Bf16Format.Load((byte*)v, i), o[i]);
    }
}
