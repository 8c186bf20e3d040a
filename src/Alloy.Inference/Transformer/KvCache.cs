// The keys and values of the tokens a sequence has seen, per layer, in fixed-size pages stored as f32 or bf16.
// Pages that are full are never written again, so a fork (k samples continuing one prompt) shares them and
// copies only the last partial page; pages count the caches that hold them, and Release hands the arrays of pages
// no cache holds any more to KvPagePool. It does no attention math (TransformerModel and Kernels.Attention do).
using System.Runtime.InteropServices;
using Alloy.Tensors;
using Alloy.Tensors.Conversions;

namespace Alloy.Inference.Transformer;

/// <summary>
/// A paged KV cache for one sequence. Layer l's keys for positions [p·PageSize, (p+1)·PageSize) live in
/// page p, laid out [kvHeads, PageSize, headDim] (head-major, so that one head's rows are contiguous for attention,
/// which reads a head at a time) in <see cref="DType"/>: F32 (default: attention reads exactly the
/// keys and values the projections produced) or BF16 (half the bytes per token; values are rounded to nearest even
/// when written and widened when attention reads them, which moves logits by about the bf16 rounding of the
/// activations, ~1e-3 relative). <see cref="Length"/> positions are filled. Not thread-safe: one sequence is
/// decoded by one caller at a time.
/// </summary>
public sealed class KvCache
{
    /// <summary>Positions per page.</summary>
    public const int PageSize = 64;

    private readonly List<PageArrays>[] _pages;
    private readonly int _elementSize;

    /// <summary>An empty cache for <paramref name="layers"/> layers of width <paramref name="kvWidth"/>, stored as one head.</summary>
    /// <param name="layers">Number of layers.</param>
    /// <param name="kvWidth">Floats per position per layer.</param>
    /// <param name="dtype">Storage of keys and values: F32 (default) or BF16.</param>
    /// <exception cref="ArgumentException">dtype is neither F32 nor BF16.</exception>
    public KvCache(int layers, int kvWidth, DType dtype = DType.F32)
        : this(layers, 1, kvWidth, dtype)
    {
    }

    /// <summary>An empty cache for <paramref name="layers"/> layers of <paramref name="kvHeads"/> heads of <paramref name="headDim"/> elements.</summary>
    /// <param name="layers">Number of layers.</param>
    /// <param name="kvHeads">Key/value heads per layer.</param>
    /// <param name="headDim">Elements per head.</param>
    /// <param name="dtype">Storage of keys and values: F32 or BF16.</param>
    /// <exception cref="ArgumentException">dtype is neither F32 nor BF16.</exception>
    public KvCache(int layers, int kvHeads, int headDim, DType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvHeads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDim);
        if (dtype is not (DType.F32 or DType.BF16))
            throw new ArgumentException($"a KV cache of type {dtype} is not supported (F32 or BF16)", nameof(dtype));
        LayerCount = layers;
        KvHeads = kvHeads;
        HeadDim = headDim;
        KvWidth = checked(kvHeads * headDim);
        DType = dtype;
        _elementSize = dtype.SizeOf();
        _pages = new List<PageArrays>[layers];
        for (var l = 0; l < layers; l++)
            _pages[l] = [];
    }

    private KvCache(KvCache parent)
    {
        LayerCount = parent.LayerCount;
        KvHeads = parent.KvHeads;
        HeadDim = parent.HeadDim;
        KvWidth = parent.KvWidth;
        DType = parent.DType;
        _elementSize = parent._elementSize;
        Length = parent.Length;
        _pages = new List<PageArrays>[LayerCount];
        var fullPages = parent.Length / PageSize;
        for (var l = 0; l < LayerCount; l++)
            _pages[l] = SharePages(parent._pages[l], fullPages);
    }

    /// <summary>Number of layers.</summary>
    public int LayerCount { get; }

    /// <summary>Elements per position per layer for keys (and for values): kv heads × head dim.</summary>
    public int KvWidth { get; }

    /// <summary>Key/value heads per layer (the page layout's outer dimension).</summary>
    public int KvHeads { get; }

    /// <summary>Elements per head.</summary>
    public int HeadDim { get; }

    /// <summary>How keys and values are stored: F32 or BF16.</summary>
    public DType DType { get; }

    /// <summary>Positions filled so far (the next token's position).</summary>
    public int Length { get; private set; }

    /// <summary>Bytes held by this cache's pages, shared pages included.</summary>
    public long ByteLength => 2L * LayerCount * _pages[0].Count * PageSize * KvWidth * _elementSize;

    /// <summary>Whether <see cref="Release"/> has been called; a released cache cannot be used.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>Bytes of keys and values one position takes over all layers.</summary>
    public long BytesPerPosition => 2L * LayerCount * KvWidth * _elementSize;

    /// <summary>
    /// A new cache holding the same positions: full pages are shared (they are immutable), the last partial
    /// page is copied. Both caches can then grow independently, e.g. k samples continuing one prompt.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cache was released.</exception>
    public KvCache Fork() => IsReleased ? throw new InvalidOperationException("a released KV cache cannot be forked") : new(this);

    /// <summary>
    /// Gives up this cache's pages: those no other cache (fork or parent) holds go back to a process-wide pool, so that
    /// later caches reuse memory already paged in instead of faulting in fresh pages. The cache cannot be used
    /// afterwards. Calling it is optional (unreleased pages are left to the GC) and it may be called more than once.
    /// </summary>
    public void Release()
    {
        if (IsReleased)
            return;
        IsReleased = true;
        foreach (var pages in _pages)
        {
            foreach (var page in pages)
            {
                if (Interlocked.Decrement(ref page.References) == 0)
                {
                    KvPagePool.Return(page.Keys);
                    KvPagePool.Return(page.Values);
                }
            }
            pages.Clear();
        }
    }

    /// <summary>Makes room for positions up to <paramref name="length"/> (exclusive) in every layer.</summary>
    internal void Reserve(int length)
    {
        var pages = (length + PageSize - 1) / PageSize;
        var pageBytes = PageSize * KvWidth * _elementSize;
        for (var l = 0; l < LayerCount; l++)
            while (_pages[l].Count < pages)
                _pages[l].Add(new PageArrays(KvPagePool.Rent(pageBytes), KvPagePool.Rent(pageBytes)));
    }

    /// <summary>Stores the key and value (KvWidth floats each) of <paramref name="position"/> in layer <paramref name="layer"/>, rounding to bf16 when the cache is BF16.</summary>
    internal void Write(int layer, int position, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        var (keys, values) = Page(layer, position / PageSize);
        var bytes = HeadDim * _elementSize;
        for (var head = 0; head < KvHeads; head++)
        {
            var offset = RowOffset(head, position % PageSize);
            var keySlot = keys.AsSpan(offset, bytes);
            var valueSlot = values.AsSpan(offset, bytes);
            var k = key.Slice(head * HeadDim, HeadDim);
            var v = value.Slice(head * HeadDim, HeadDim);
            if (DType == DType.F32)
            {
                MemoryMarshal.AsBytes(k).CopyTo(keySlot);
                MemoryMarshal.AsBytes(v).CopyTo(valueSlot);
            }
            else
            {
                DTypeConversions.FromFloat32(k, DType.BF16, keySlot);
                DTypeConversions.FromFloat32(v, DType.BF16, valueSlot);
            }
        }
    }

    /// <summary>Page <paramref name="page"/> of layer <paramref name="layer"/>: keys and values, [kvHeads, PageSize, headDim] elements of <see cref="DType"/>.</summary>
    internal (byte[] Keys, byte[] Values) Page(int layer, int page)
    {
        var p = _pages[layer][page];
        return (p.Keys, p.Values);
    }

    /// <summary>Byte offset in a page of head <paramref name="head"/>'s row for in-page position <paramref name="slot"/> (rows of one head are HeadDim elements apart).</summary>
    internal int RowOffset(int head, int slot) => (head * PageSize + slot) * HeadDim * _elementSize;

    /// <summary>Marks <paramref name="count"/> more positions as filled (after every layer has written them).</summary>
    internal void Advance(int count) => Length += count;

    /// <summary>The first fullPages pages shared (one more holder each), the partial page after them copied.</summary>
    private static List<PageArrays> SharePages(List<PageArrays> pages, int fullPages)
    {
        var copy = new List<PageArrays>(pages.Count);
        for (var p = 0; p < fullPages; p++)
        {
            Interlocked.Increment(ref pages[p].References);
            copy.Add(pages[p]);
        }
        if (fullPages < pages.Count)
        {
            var partial = pages[fullPages];
            var keys = KvPagePool.Rent(partial.Keys.Length);
            var values = KvPagePool.Rent(partial.Values.Length);
            partial.Keys.CopyTo(keys, 0);
            partial.Values.CopyTo(values, 0);
            copy.Add(new PageArrays(keys, values));
        }
        return copy;
    }

    /// <summary>One page of one layer: keys and values, and how many caches hold it.</summary>
    private sealed class PageArrays(byte[] keys, byte[] values)
    {
        public readonly byte[] Keys = keys;
        public readonly byte[] Values = values;
        public int References = 1;
    }
}
