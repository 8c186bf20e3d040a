// Exact top-k selection by magnitude with two histogram passes (no sort, no copy of the tensor), and the cut it yields.
// Used per tensor by the trimming methods and, through MagnitudeThresholdEstimator, over a whole model.
using System.Runtime.CompilerServices;

namespace Alloy.Merging.Methods;

/// <summary>
/// The set "top k entries by magnitude" as a test on one entry. The order is: larger |value| first and, among equal
/// magnitudes, lower index first; NaN ranks above +∞ (its magnitude key is larger), −0 equals +0.
/// An entry with magnitude key m at index e is in the set when m &gt; <see cref="Key"/>, or m = <see cref="Key"/> and
/// e ≤ <see cref="LastTieIndex"/>. A global cut (over a whole model) keeps every tie: <see cref="LastTieIndex"/> = long.MaxValue.
/// </summary>
/// <param name="Key">Magnitude key of the k-th largest entry: the fp32 bit pattern with the sign bit cleared (monotone in |value|).</param>
/// <param name="LastTieIndex">The last index, among entries whose key equals <see cref="Key"/>, that is still in the set.</param>
public readonly record struct RankCut(uint Key, long LastTieIndex)
{
    /// <summary>The empty set (k = 0).</summary>
    public static RankCut None => new(uint.MaxValue, -1);

    /// <summary>Every entry (k = n).</summary>
    public static RankCut All => new(0, long.MaxValue);

    /// <summary>Every entry with |value| ≥ <paramref name="threshold"/> (ties included).</summary>
    public static RankCut AtLeast(float threshold) => new(MagnitudeSelection.KeyOf(threshold), long.MaxValue);

    /// <summary>The magnitude threshold this cut keeps at or above.</summary>
    public float Threshold => BitConverter.UInt32BitsToSingle(Key);

    /// <summary>Whether the entry <paramref name="value"/> at <paramref name="index"/> is in the set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(float value, long index)
    {
        uint key = MagnitudeSelection.KeyOf(value);
        return key > Key || (key == Key && index <= LastTieIndex);
    }
}

/// <summary>Something that can write a run of the values to rank (e.g. deltas x − b computed on the fly).</summary>
internal interface IValueSource
{
    /// <summary>Number of values.</summary>
    int Length { get; }

    /// <summary>Writes values [start, start + destination.Length) to <paramref name="destination"/>.</summary>
    void Fill(int start, scoped Span<float> destination);
}

/// <summary>The values a − b (rounded to fp32), or a alone when b is empty.</summary>
internal readonly ref struct DifferenceSource : IValueSource
{
    private readonly ReadOnlySpan<float> a;
    private readonly ReadOnlySpan<float> b;

    public DifferenceSource(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        this.a = a;
        this.b = b;
    }

    public int Length => a.Length;

    public void Fill(int start, scoped Span<float> destination)
    {
        ReadOnlySpan<float> x = a.Slice(start, destination.Length);
        if (b.IsEmpty)
        {
            x.CopyTo(destination);
            return;
        }
        ReadOnlySpan<float> y = b.Slice(start, destination.Length);
        for (int i = 0; i < destination.Length; i++) destination[i] = x[i] - y[i];
    }
}

/// <summary>
/// Histogram selection of the k-th largest magnitude. Pass 1 counts the high 16 bits of each magnitude key
/// (sign cleared: 8 exponent bits and 7 mantissa bits, i.e. the bf16 value), which locates the bin holding the
/// k-th largest; pass 2 counts the low 16 bits inside that bin, which gives the exact key. Cost: two reads of the
/// values and a 2¹⁶-entry count array; no sort and no copy.
/// </summary>
public static class MagnitudeSelection
{
    /// <summary>Entries of the count array the passes use.</summary>
    public const int BinCount = 65536;

    /// <summary>Values produced per chunk when ranking computed values.</summary>
    internal const int ChunkLength = 1024;

    /// <summary>The magnitude key: the bit pattern of |value| (monotone in |value|; NaN above +∞).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint KeyOf(float value) => BitConverter.SingleToUInt32Bits(value) & 0x7FFF_FFFFu;

    /// <summary>
    /// How many of <paramref name="total"/> entries a fraction keeps: ⌊fraction·total⌋, but at least one when the fraction
    /// is positive (mergekit keeps ⌊fraction·total⌋ and crashes or drops the whole delta when that is 0), and at most total.
    /// </summary>
    public static long CountForFraction(double fraction, long total)
    {
        if (!(fraction > 0) || total <= 0) return 0;
        if (fraction >= 1) return total;
        long k = (long)Math.Floor(fraction * total);
        return Math.Clamp(k, 1, total);
    }

    internal static void AddCoarse(Span<long> counts, ReadOnlySpan<float> values)
    {
        foreach (float v in values) counts[(int)(KeyOf(v) >> 16)]++;
    }

    /// <summary>The high-16-bit bin holding the k-th largest (1 ≤ k ≤ total) and the count of entries in higher bins.</summary>
    internal static int FindCoarseBin(ReadOnlySpan<long> counts, long k, out long countAbove)
    {
        long cumulative = 0;
        for (int bin = BinCount - 1; bin >= 0; bin--)
        {
            if (cumulative + counts[bin] >= k)
            {
                countAbove = cumulative;
                return bin;
            }
            cumulative += counts[bin];
        }
        throw new InvalidOperationException("k exceeds the number of values counted");
    }

    internal static void AddFine(Span<long> counts, ReadOnlySpan<float> values, int coarseBin)
    {
        foreach (float v in values)
        {
            uint key = KeyOf(v);
            if ((int)(key >> 16) == coarseBin) counts[(int)(key & 0xFFFF)]++;
        }
    }

    /// <summary>The exact key of the k-th largest, the count of entries above it and the count equal to it.</summary>
    internal static uint FindFineKey(ReadOnlySpan<long> counts, int coarseBin, long k, long countAboveBin, out long countAboveKey, out long ties)
    {
        long cumulative = countAboveBin;
        for (int low = BinCount - 1; low >= 0; low--)
        {
            if (cumulative + counts[low] >= k)
            {
                countAboveKey = cumulative;
                ties = counts[low];
                return ((uint)coarseBin << 16) | (uint)low;
            }
            cumulative += counts[low];
        }
        throw new InvalidOperationException("the refinement pass saw fewer values than the first pass");
    }

    /// <summary>
    /// The exact top-<paramref name="k"/> cut over the values of <paramref name="source"/>, ties broken by lower index first.
    /// <paramref name="counts"/> must hold <see cref="BinCount"/> entries (it is overwritten).
    /// </summary>
    internal static RankCut TopK<TSource>(scoped in TSource source, long k, Span<long> counts)
        where TSource : IValueSource, allows ref struct
    {
        int n = source.Length;
        if (k <= 0) return RankCut.None;
        if (k >= n) return RankCut.All;
        Span<float> chunk = stackalloc float[ChunkLength];
        counts = counts[..BinCount];
        counts.Clear();
        for (int start = 0; start < n; start += ChunkLength)
        {
            Span<float> part = chunk[..Math.Min(ChunkLength, n - start)];
            source.Fill(start, part);
            AddCoarse(counts, part);
        }
        int bin = FindCoarseBin(counts, k, out long countAboveBin);
        counts.Clear();
        for (int start = 0; start < n; start += ChunkLength)
        {
            Span<float> part = chunk[..Math.Min(ChunkLength, n - start)];
            source.Fill(start, part);
            AddFine(counts, part, bin);
        }
        uint key = FindFineKey(counts, bin, k, countAboveBin, out long countAboveKey, out long ties);
        long quota = k - countAboveKey;
        if (quota >= ties) return new RankCut(key, long.MaxValue);
        long seen = 0;
        for (int start = 0; start < n; start += ChunkLength)
        {
            Span<float> part = chunk[..Math.Min(ChunkLength, n - start)];
            source.Fill(start, part);
            for (int j = 0; j < part.Length; j++)
            {
                if (KeyOf(part[j]) == key && ++seen == quota) return new RankCut(key, start + j);
            }
        }
        throw new InvalidOperationException("the tie scan saw fewer ties than the refinement pass");
    }
}
