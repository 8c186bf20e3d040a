// A decoder-only transformer bound to its weights: Forward(tokens) runs prefill (many tokens, blocked
// matrix products) or decode (one token, matrix-vector products) through the same code and returns logits.
// DecodeBatch steps several sequences (own caches) at once. Sampling and tokenization are elsewhere.
using System.Buffers;
using System.Runtime.InteropServices;
using Alloy.Inference.Architectures;
using Alloy.Inference.Kernels;
using Alloy.Tensors;

namespace Alloy.Inference.Transformer;

/// <summary>
/// The forward pass: embed → per layer [x += o_proj(attention(rmsnorm(x))); x += down(silu(gate(h))·up(h)),
/// h = rmsnorm(x)] → final rmsnorm → output head. Activations are f32; weights stay in their stored dtype.
/// Attention is causal scaled dot-product (scale 1/√head_dim) with grouped-query heads, over the
/// <see cref="KvCache"/> (plus a sliding window for Mistral). Thread-safe for distinct caches.
/// </summary>
public sealed class TransformerModel : IDisposable
{
    private readonly IDisposable? _ownedSource;
    private readonly float[] _inverseFrequencies;

    /// <summary>Whether attention runs two query heads of a kv head together (<see cref="PairAttention"/>), else one head at a time.</summary>
    private bool _pairAttention;

    /// <summary>
    /// Whether attention uses the two-head kernels (the default where <see cref="PairAttention.Supports"/> and heads share
    /// kv heads); tests turn it off to compare with the per-head kernels. It cannot be turned on where unsupported.
    /// </summary>
    internal bool UsePairAttention
    {
        get => _pairAttention;
        set => _pairAttention = value && Spec.GroupSize > 1 && PairAttention.Supports(Spec.HeadDim);
    }

    private TransformerModel(TransformerSpec spec, ModelWeights weights, IDisposable? ownedSource)
    {
        Spec = spec;
        Weights = weights;
        _ownedSource = ownedSource;
        _inverseFrequencies = Rotary.InverseFrequencies(spec.HeadDim, spec.RopeTheta, spec.Llama3Scaling);
        _pairAttention = spec.GroupSize > 1 && PairAttention.Supports(spec.HeadDim);
    }

    /// <summary>The model's shape.</summary>
    public TransformerSpec Spec { get; }

    /// <summary>The bound weights.</summary>
    public ModelWeights Weights { get; }

    /// <summary>
    /// Describes the source's architecture and binds its weights. When <paramref name="ownsSource"/> and the
    /// source is disposable, disposing the model disposes it.
    /// </summary>
    /// <exception cref="AlloyInputException">Unsupported architecture, bad config field, or a missing or mis-shaped tensor.</exception>
    public static TransformerModel Load(IWeightSource source, bool ownsSource = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        var spec = SupportedArchitectures.Describe(source.Config);
        var weights = ModelWeights.Bind(source, spec);
        return new TransformerModel(spec, weights, ownsSource ? source as IDisposable : null);
    }

    /// <summary>Opens a model folder (memory-mapped) and binds it.</summary>
    /// <exception cref="AlloyInputException">Not a readable or supported model folder.</exception>
    public static TransformerModel Open(string folder)
    {
        var source = CheckpointWeightSource.Open(folder);
        try
        {
            return Load(source, ownsSource: true);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>An empty KV cache (f32) for one sequence of this model.</summary>
    public KvCache CreateCache() => new(Spec.LayerCount, Spec.KvHeadCount, Spec.HeadDim, DType.F32);

    /// <summary>An empty KV cache for one sequence of this model, storing keys and values as <paramref name="dtype"/> (F32 or BF16).</summary>
    /// <exception cref="ArgumentException">dtype is neither F32 nor BF16.</exception>
    public KvCache CreateCache(DType dtype) => new(Spec.LayerCount, Spec.KvHeadCount, Spec.HeadDim, dtype);

    /// <summary>
    /// Feeds <paramref name="tokens"/> at positions cache.Length, cache.Length + 1, … and returns the logits
    /// of the last token, [vocab]; the cache then holds them too.
    /// </summary>
    public float[] Forward(ReadOnlySpan<int> tokens, KvCache cache)
    {
        var logits = new float[Spec.VocabSize];
        Forward(tokens, cache, logits, allPositions: false);
        return logits;
    }

    /// <summary>
    /// Feeds <paramref name="tokens"/> and writes logits: of the last token ([vocab]) or, when
    /// <paramref name="allPositions"/>, of every token ([tokens, vocab]). NaN or Inf in weights propagate.
    /// </summary>
    /// <exception cref="ArgumentException">No tokens, a token id outside [0, vocab), a cache of another shape, or logits too short.</exception>
    public unsafe void Forward(ReadOnlySpan<int> tokens, KvCache cache, Span<float> logits, bool allPositions)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var spec = Spec;
        var count = tokens.Length;
        if (count == 0)
            throw new ArgumentException("at least one token is needed", nameof(tokens));
        if (cache.LayerCount != spec.LayerCount || cache.KvHeads != spec.KvHeadCount || cache.HeadDim != spec.HeadDim)
            throw new ArgumentException("the cache was made for a model of another shape", nameof(cache));
        if (cache.IsReleased)
            throw new ArgumentException("the cache was released", nameof(cache));
        var logitRows = allPositions ? count : 1;
        if (logits.Length < (long)logitRows * spec.VocabSize)
            throw new ArgumentException($"logits need {logitRows}×{spec.VocabSize} floats", nameof(logits));
        foreach (var t in tokens)
            if ((uint)t >= (uint)spec.VocabSize)
                throw new ArgumentException($"token id {t} is outside the vocabulary [0, {spec.VocabSize})", nameof(tokens));

        var start = cache.Length;
        cache.Reserve(start + count);
        var pool = ArrayPool<float>.Shared;
        var hidden = spec.HiddenSize;
        var x = pool.Rent(count * hidden);
        var h = pool.Rent(count * hidden);
        var q = pool.Rent(count * spec.QueryWidth);
        var k = pool.Rent(count * spec.KvWidth);
        var v = pool.Rent(count * spec.KvWidth);
        var attended = pool.Rent(count * spec.QueryWidth);
        var gate = pool.Rent(count * spec.IntermediateSize);
        var up = pool.Rent(count * spec.IntermediateSize);
        var half = spec.HeadDim / 2;
        var cos = pool.Rent(count * half);
        var sin = pool.Rent(count * half);
        try
        {
            for (var t = 0; t < count; t++)
            {
                Weights.Embedding.ReadRow(tokens[t], x.AsSpan(t * hidden, hidden));
                Rotary.Angles(start + t, _inverseFrequencies, cos.AsSpan(t * half, half), sin.AsSpan(t * half, half));
            }
            fixed (float* xp = x, hp = h, qp = q, kp = k, vp = v, ap = attended, gp = gate, up_ = up)
            {
                for (var l = 0; l < spec.LayerCount; l++)
                {
                    var layer = Weights.Layers[l];
                    x.AsSpan(0, count * hidden).CopyTo(h);
                    RmsNorm.ApplyRows(h, count, layer.InputNorm, spec.RmsNormEps);
                    layer.Query.Apply(hp, qp, count);
                    layer.Key.Apply(hp, kp, count);
                    layer.Value.Apply(hp, vp, count);
                    PrepareQueriesAndKeys(layer, count, q, k, v, cos, sin);
                    for (var t = 0; t < count; t++)
                        cache.Write(l, start + t, k.AsSpan(t * spec.KvWidth, spec.KvWidth), v.AsSpan(t * spec.KvWidth, spec.KvWidth));
                    Attend(cache, l, start, count, q, attended);
                    layer.Output.Apply(ap, hp, count);
                    AddInPlace(x, h, count * hidden);

                    x.AsSpan(0, count * hidden).CopyTo(h);
                    RmsNorm.ApplyRows(h, count, layer.PostAttentionNorm, spec.RmsNormEps);
                    layer.Gate.Apply(hp, gp, count);
                    layer.Up.Apply(hp, up_, count);
                    SiluGate.Apply(gate.AsSpan(0, count * spec.IntermediateSize), up.AsSpan(0, count * spec.IntermediateSize));
                    layer.Down.Apply(gp, hp, count);
                    AddInPlace(x, h, count * hidden);
                }
                var first = allPositions ? 0 : count - 1;
                var rows = count - first;
                var finalRows = x.AsSpan(first * hidden, rows * hidden);
                RmsNorm.ApplyRows(finalRows, rows, Weights.FinalNorm, spec.RmsNormEps);
                fixed (float* lp = logits)
                    Weights.OutputHead.Apply(xp + first * hidden, lp, rows);
            }
            cache.Advance(count);
        }
        finally
        {
            foreach (var buffer in new[] { x, h, q, k, v, attended, gate, up, cos, sin })
                pool.Return(buffer);
        }
    }

    /// <summary>
    /// One decode step for B independent sequences: sequence b feeds <paramref name="tokens"/>[b] at position
    /// caches[b].Length and gets its next-token logits in row b of <paramref name="logits"/> ([B, vocab]). The matrix
    /// products run over the B rows together (each weight matrix is read once per step); attention runs per sequence
    /// over its own cache. The sequences may come from different prompts and have different lengths. Each row's logits
    /// equal <see cref="Forward(ReadOnlySpan{int}, KvCache)"/> of that token on that cache up to the summation order of
    /// the blocked product (about 1e-6 relative). NaN or Inf in weights propagate.
    /// </summary>
    /// <exception cref="ArgumentException">No tokens, a count mismatch, the same cache twice, a cache of another shape,
    /// a token id outside [0, vocab), or logits shorter than B × vocab.</exception>
    public unsafe void DecodeBatch(ReadOnlySpan<int> tokens, IReadOnlyList<KvCache> caches, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(caches);
        var spec = Spec;
        var count = tokens.Length;
        if (count == 0)
            throw new ArgumentException("at least one token is needed", nameof(tokens));
        if (caches.Count != count)
            throw new ArgumentException($"{count} tokens need {count} caches, got {caches.Count}", nameof(caches));
        var distinct = new HashSet<KvCache>(ReferenceEqualityComparer.Instance);
        foreach (var cache in caches)
        {
            ArgumentNullException.ThrowIfNull(cache, nameof(caches));
            if (cache.LayerCount != spec.LayerCount || cache.KvHeads != spec.KvHeadCount || cache.HeadDim != spec.HeadDim)
                throw new ArgumentException("a cache was made for a model of another shape", nameof(caches));
            if (cache.IsReleased)
                throw new ArgumentException("a cache in the batch was released", nameof(caches));
            if (!distinct.Add(cache))
                throw new ArgumentException("the same cache appears twice in one batch", nameof(caches));
        }
        if (logits.Length < (long)count * spec.VocabSize)
            throw new ArgumentException($"logits need {count}×{spec.VocabSize} floats", nameof(logits));
        foreach (var t in tokens)
            if ((uint)t >= (uint)spec.VocabSize)
                throw new ArgumentException($"token id {t} is outside the vocabulary [0, {spec.VocabSize})", nameof(tokens));

        var positions = new int[count];
        for (var b = 0; b < count; b++)
        {
            positions[b] = caches[b].Length;
            caches[b].Reserve(positions[b] + 1);
        }
        var pool = ArrayPool<float>.Shared;
        var hidden = spec.HiddenSize;
        var x = pool.Rent(count * hidden);
        var h = pool.Rent(count * hidden);
        var q = pool.Rent(count * spec.QueryWidth);
        var k = pool.Rent(count * spec.KvWidth);
        var v = pool.Rent(count * spec.KvWidth);
        var attended = pool.Rent(count * spec.QueryWidth);
        var gate = pool.Rent(count * spec.IntermediateSize);
        var up = pool.Rent(count * spec.IntermediateSize);
        var half = spec.HeadDim / 2;
        var cos = pool.Rent(count * half);
        var sin = pool.Rent(count * half);
        try
        {
            for (var b = 0; b < count; b++)
            {
                Weights.Embedding.ReadRow(tokens[b], x.AsSpan(b * hidden, hidden));
                Rotary.Angles(positions[b], _inverseFrequencies, cos.AsSpan(b * half, half), sin.AsSpan(b * half, half));
            }
            fixed (float* xp = x, hp = h, qp = q, kp = k, vp = v, ap = attended, gp = gate, up_ = up)
            {
                for (var l = 0; l < spec.LayerCount; l++)
                {
                    var layer = Weights.Layers[l];
                    x.AsSpan(0, count * hidden).CopyTo(h);
                    RmsNorm.ApplyRows(h, count, layer.InputNorm, spec.RmsNormEps);
                    layer.Query.Apply(hp, qp, count);
                    layer.Key.Apply(hp, kp, count);
                    layer.Value.Apply(hp, vp, count);
                    PrepareQueriesAndKeys(layer, count, q, k, v, cos, sin);
                    for (var b = 0; b < count; b++)
                        caches[b].Write(l, positions[b], k.AsSpan(b * spec.KvWidth, spec.KvWidth), v.AsSpan(b * spec.KvWidth, spec.KvWidth));
                    AttendBatch(caches, positions, l, q, attended);
                    layer.Output.Apply(ap, hp, count);
                    AddInPlace(x, h, count * hidden);

                    x.AsSpan(0, count * hidden).CopyTo(h);
                    RmsNorm.ApplyRows(h, count, layer.PostAttentionNorm, spec.RmsNormEps);
                    layer.Gate.Apply(hp, gp, count);
                    layer.Up.Apply(hp, up_, count);
                    SiluGate.Apply(gate.AsSpan(0, count * spec.IntermediateSize), up.AsSpan(0, count * spec.IntermediateSize));
                    layer.Down.Apply(gp, hp, count);
                    AddInPlace(x, h, count * hidden);
                }
                RmsNorm.ApplyRows(x.AsSpan(0, count * hidden), count, Weights.FinalNorm, spec.RmsNormEps);
                fixed (float* lp = logits)
                    Weights.OutputHead.Apply(xp, lp, count);
            }
            foreach (var cache in caches)
                cache.Advance(1);
        }
        finally
        {
            foreach (var buffer in new[] { x, h, q, k, v, attended, gate, up, cos, sin })
                pool.Return(buffer);
        }
    }

    /// <summary>Attention of row b's single query (position positions[b]) over caches[b].</summary>
    private void AttendBatch(IReadOnlyList<KvCache> caches, int[] positions, int layer, float[] q, float[] output) =>
        AttendRows(positions.Length, b => caches[b], b => positions[b], positions.Max() + 1, layer, q, output);

    /// <summary>Adds biases, applies q/k norms (Qwen3) and rotary to every token's query and key heads.</summary>
    private void PrepareQueriesAndKeys(LayerWeights layer, int count, float[] q, float[] k, float[] v, float[] cos, float[] sin)
    {
        var spec = Spec;
        var d = spec.HeadDim;
        var half = d / 2;
        for (var t = 0; t < count; t++)
        {
            var qt = q.AsSpan(t * spec.QueryWidth, spec.QueryWidth);
            var kt = k.AsSpan(t * spec.KvWidth, spec.KvWidth);
            if (layer.QueryBias is not null)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(qt, layer.QueryBias, qt);
                System.Numerics.Tensors.TensorPrimitives.Add(kt, layer.KeyBias!, kt);
                var vt = v.AsSpan(t * spec.KvWidth, spec.KvWidth);
                System.Numerics.Tensors.TensorPrimitives.Add(vt, layer.ValueBias!, vt);
            }
            if (layer.QueryNorm is not null)
            {
                RmsNorm.ApplyRows(qt, spec.HeadCount, layer.QueryNorm, spec.RmsNormEps);
                RmsNorm.ApplyRows(kt, spec.KvHeadCount, layer.KeyNorm!, spec.RmsNormEps);
            }
            var c = cos.AsSpan(t * half, half);
            var s = sin.AsSpan(t * half, half);
            for (var head = 0; head < spec.HeadCount; head++)
                Rotary.Apply(qt.Slice(head * d, d), c, s);
            for (var head = 0; head < spec.KvHeadCount; head++)
                Rotary.Apply(kt.Slice(head * d, d), c, s);
        }
    }

    /// <summary>
    /// For each new token t (position start + t) and query head: softmax over the cached positions it may
    /// see ([max(0, p − window + 1), p]) of scaled q·k, then the weighted sum of values.
    /// </summary>
    private void Attend(KvCache cache, int layer, int start, int count, float[] q, float[] output) =>
        AttendRows(count, _ => cache, t => start + t, start + count, layer, q, output);

    /// <summary>
    /// Attention for <paramref name="rows"/> query rows (row r: cacheOf(r) at positionOf(r), none beyond
    /// <paramref name="longest"/> − 1), parallel over (row, attention unit).
    /// </summary>
    private void AttendRows(int rows, Func<int, KvCache> cacheOf, Func<int, int> positionOf, int longest, int layer, float[] q, float[] output)
    {
        var spec = Spec;
        var scale = 1f / MathF.Sqrt(spec.HeadDim);
        var window = spec.SlidingWindow;
        var units = AttentionUnits;
        RowParallel.For(rows * units, (long)longest * spec.HeadDim * 2 * (spec.HeadCount / units), 1, (first, end) =>
        {
            var scores = ArrayPool<float>.Shared.Rent(2 * longest);
            try
            {
                for (var item = first; item < end; item++)
                {
                    var row = item / units;
                    var position = positionOf(row);
                    var lowest = window is null ? 0 : Math.Max(0, position - window.Value + 1);
                    AttendUnit(cacheOf(row), layer, item % units, q.AsSpan(row * spec.QueryWidth, spec.QueryWidth), lowest, position, scale,
                        scores, output.AsSpan(row * spec.QueryWidth, spec.QueryWidth));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
            }
        });
    }

    /// <summary>
    /// Units of attention work per token: pairs of query heads within each kv head (a lone last head counts as one pair)
    /// with the pair kernels, else single query heads.
    /// </summary>
    private int AttentionUnits => _pairAttention ? Spec.KvHeadCount * ((Spec.GroupSize + 1) / 2) : Spec.HeadCount;

    /// <summary>
    /// One unit (<see cref="AttentionUnits"/>) of one token: its query heads over cached positions [lowest, position] of
    /// one layer. <paramref name="queries"/> and <paramref name="output"/> are the token's rows ([QueryWidth]);
    /// <paramref name="scores"/> holds at least 2·(position − lowest + 1) floats.
    /// </summary>
    private void AttendUnit(KvCache cache, int layer, int unit, ReadOnlySpan<float> queries, int lowest, int position, float scale,
        float[] scores, Span<float> output)
    {
        var spec = Spec;
        var d = spec.HeadDim;
        if (!_pairAttention)
        {
            AttendHead(cache, layer, queries.Slice(unit * d, d), unit / spec.GroupSize, lowest, position, scale, scores, output.Slice(unit * d, d));
            return;
        }
        var pairsPerKvHead = (spec.GroupSize + 1) / 2;
        var kvHead = unit / pairsPerKvHead;
        var head0 = kvHead * spec.GroupSize + 2 * (unit % pairsPerKvHead);
        var head1 = Math.Min(head0 + 1, (kvHead + 1) * spec.GroupSize - 1);
        if (cache.DType == DType.BF16)
            AttendPair<Bf16Format>(cache, layer, queries, kvHead, head0, head1, lowest, position, scale, scores, output);
        else
            AttendPair<F32Format>(cache, layer, queries, kvHead, head0, head1, lowest, position, scale, scores, output);
    }

    /// <summary>Query heads head0 and head1 (equal for a lone head) of kv head kvHead: scores, softmax and value sums with <see cref="PairAttention"/>.</summary>
    private unsafe void AttendPair<TFormat>(KvCache cache, int layer, ReadOnlySpan<float> queries, int kvHead, int head0, int head1,
        int lowest, int position, float scale, float[] scores, Span<float> output)
        where TFormat : IWeightFormat
    {
        var d = Spec.HeadDim;
        var length = position + 1 - lowest;
        var stride = (nint)d * TFormat.ElementSize;
        var o0 = output.Slice(head0 * d, d);
        var o1 = output.Slice(head1 * d, d);
        o0.Clear();
        o1.Clear();
        fixed (float* q = queries, s = scores, o = output)
        {
            float* s0 = s, s1 = s + length;
            for (var at = lowest; at <= position;)
            {
                var (keys, _, from, n) = PageRun(cache, layer, at, position + 1);
                fixed (byte* k = keys)
                    PairAttention.Scores<TFormat>(q + head0 * d, q + head1 * d, k + cache.RowOffset(kvHead, from), stride, n, d, scale,
                        s0 + (at - lowest), s1 + (at - lowest));
                at += n;
            }
            Softmax.InPlace(scores.AsSpan(0, length));
            Softmax.InPlace(scores.AsSpan(length, length));
            for (var at = lowest; at <= position;)
            {
                var (_, values, from, n) = PageRun(cache, layer, at, position + 1);
                fixed (byte* v = values)
                    PairAttention.AccumulateValues<TFormat>(s0 + (at - lowest), s1 + (at - lowest), v + cache.RowOffset(kvHead, from), stride, n, d,
                        o + head0 * d, o + head1 * d);
                at += n;
            }
        }
    }

    /// <summary>
    /// One query head at <paramref name="position"/> over cached positions [lowest, position] of one layer: scores,
    /// softmax, then the weighted sum of values into <paramref name="result"/>. Reads f32 or bf16 pages as stored.
    /// </summary>
    private void AttendHead(KvCache cache, int layer, ReadOnlySpan<float> query, int kvHead, int lowest, int position, float scale,
        float[] scores, Span<float> result)
    {
        // A page holds [kvHeads, PageSize, headDim]: head kvHead's rows from slot `from` on are one contiguous run, so
        // the per-head kernels see it as a single head ([n, 1, headDim]).
        var bf16 = cache.DType == DType.BF16;
        var size = cache.DType.SizeOf();
        for (var at = lowest; at <= position;)
        {
            var (keys, _, from, n) = PageRun(cache, layer, at, position + 1);
            var target = scores.AsSpan(at - lowest, n);
            var run = keys.AsSpan(cache.RowOffset(kvHead, from), n * query.Length * size);
            if (bf16)
                Attention.Scores(query, MemoryMarshal.Cast<byte, ushort>(run), 0, 1, scale, target);
            else
                Attention.Scores(query, MemoryMarshal.Cast<byte, float>(run), 0, 1, scale, target);
            at += n;
        }
        Softmax.InPlace(scores.AsSpan(0, position + 1 - lowest));
        result.Clear();
        for (var at = lowest; at <= position;)
        {
            var (_, values, from, n) = PageRun(cache, layer, at, position + 1);
            var weights = scores.AsSpan(at - lowest, n);
            var run = values.AsSpan(cache.RowOffset(kvHead, from), n * result.Length * size);
            if (bf16)
                Attention.AccumulateValues(weights, MemoryMarshal.Cast<byte, ushort>(run), 0, 1, result);
            else
                Attention.AccumulateValues(weights, MemoryMarshal.Cast<byte, float>(run), 0, 1, result);
            at += n;
        }
    }

    /// <summary>The page holding <paramref name="position"/>: its byte arrays, the offset of position in it, and how many of [position, end) it holds.</summary>
    private static (byte[] Keys, byte[] Values, int From, int Count) PageRun(KvCache cache, int layer, int position, int end)
    {
        var from = position % KvCache.PageSize;
        var (keys, values) = cache.Page(layer, position / KvCache.PageSize);
        return (keys, values, from, Math.Min(KvCache.PageSize - from, end - position));
    }

    private static void AddInPlace(float[] x, float[] y, int length) =>
        System.Numerics.Tensors.TensorPrimitives.Add(x.AsSpan(0, length), y.AsSpan(0, length), x.AsSpan(0, length));

    /// <summary>Releases the weights (and the source when owned).</summary>
    public void Dispose()
    {
        Weights.Dispose();
        _ownedSource?.Dispose();
    }
}
