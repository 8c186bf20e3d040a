// The keys and values of the tokens a sequence has seen, per layer, in fixed-size f32 pages. Pages
// that are full are never written again, so a fork (k samples continuing one prompt) shares them and
// copies only the last partial page. It does no attention math.
namespace Alloy.Inference.Transformer;

/// <summary>
/// A paged KV cache for one sequence. Layer l's keys for positions [p·PageSize, (p+1)·PageSize) live in
/// page p, laid out [PageSize, kvHeads, headDim] (f32). <see cref="Length"/> positions are filled.
/// Not thread-safe: one sequence is decoded by one caller at a time.
/// </summary>
public sealed class KvCache
{
    /// <summary>Positions per page.</summary>
    public const int PageSize = 64;

    private readonly List<float[]>[] _keys;
    private readonly List<float[]>[] _values;

    /// <summary>An empty cache for <paramref name="layers"/> layers of width <paramref name="kvWidth"/> (kv heads × head dim).</summary>
    public KvCache(int layers, int kvWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvWidth);
        LayerCount = layers;
        KvWidth = kvWidth;
        _keys = new List<float[]>[layers];
        _values = new List<float[]>[layers];
        for (var l = 0; l < layers; l++)
        {
            _keys[l] = [];
            _values[l] = [];
        }
    }

    private KvCache(KvCache parent)
    {
        LayerCount = parent.LayerCount;
        KvWidth = parent.KvWidth;
        Length = parent.Length;
        _keys = new List<float[]>[LayerCount];
        _values = new List<float[]>[LayerCount];
        var fullPages = parent.Length / PageSize;
        for (var l = 0; l < LayerCount; l++)
        {
            _keys[l] = CopyPages(parent._keys[l], fullPages);
            _values[l] = CopyPages(parent._values[l], fullPages);
        }
    }

    /// <summary>Number of layers.</summary>
    public int LayerCount { get; }

    /// <summary>Floats per position per layer for keys (and for values): kv heads × head dim.</summary>
    public int KvWidth { get; }

    /// <summary>Positions filled so far (the next token's position).</summary>
    public int Length { get; private set; }

    /// <summary>Bytes held by this cache's pages, shared pages included.</summary>
    public long ByteLength => 2L * LayerCount * _keys[0].Count * PageSize * KvWidth * sizeof(float);

    /// <summary>
    /// A new cache holding the same positions: full pages are shared (they are immutable), the last partial
    /// page is copied. Both caches can then grow independently, e.g. k samples continuing one prompt.
    /// </summary>
    public KvCache Fork() => new(this);

    /// <summary>Makes room for positions up to <paramref name="length"/> (exclusive) in every layer.</summary>
    internal void Reserve(int length)
    {
        var pages = (length + PageSize - 1) / PageSize;
        for (var l = 0; l < LayerCount; l++)
        {
            while (_keys[l].Count < pages)
            {
                _keys[l].Add(new float[PageSize * KvWidth]);
                _values[l].Add(new float[PageSize * KvWidth]);
            }
        }
    }

    /// <summary>Where position <paramref name="position"/> of layer <paramref name="layer"/> is stored: its key and value slots.</summary>
    internal (Memory<float> Key, Memory<float> Value) Slot(int layer, int position)
    {
        var page = position / PageSize;
        var offset = position % PageSize * KvWidth;
        return (_keys[layer][page].AsMemory(offset, KvWidth), _values[layer][page].AsMemory(offset, KvWidth));
    }

    /// <summary>Page <paramref name="page"/> of layer <paramref name="layer"/>: keys and values, [PageSize, kvWidth].</summary>
    internal (float[] Keys, float[] Values) Page(int layer, int page) => (_keys[layer][page], _values[layer][page]);

    /// <summary>Marks <paramref name="count"/> more positions as filled (after every layer has written them).</summary>
    internal void Advance(int count) => Length += count;

    private static List<float[]> CopyPages(List<float[]> pages, int fullPages)
    {
        var copy = new List<float[]>(pages.Count);
        for (var p = 0; p < fullPages; p++)
            copy.Add(pages[p]);
        if (fullPages < pages.Count)
            copy.Add((float[])pages[fullPages].Clone());
        return copy;
    }
}
