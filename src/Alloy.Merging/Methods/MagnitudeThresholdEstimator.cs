// Streaming k-th-largest-magnitude over a whole model, fed chunk by chunk, for trim_scope: global.
// Holds one 2^16-entry count array; never stores or sorts the values. The executor drives the passes.
namespace Alloy.Merging.Methods;

/// <summary>
/// Finds the k-th largest |value| over a stream of values too large to hold (all deltas of a model).
/// <para>Pass 1: feed every value to <see cref="Add"/> (or <see cref="AddDifferences"/>). Then <see cref="Bounds"/> gives an
/// interval that holds the k-th largest magnitude: both ends share the top 16 bits of the fp32 pattern, so for normal
/// numbers Upper/Lower ≤ 1 + 2⁻⁷ (one bf16 step).</para>
/// <para>Pass 2 (exact): call <see cref="BeginRefinement"/>, feed the same values again to <see cref="Refine"/>
/// (or <see cref="RefineDifferences"/>) in any order and chunking, then <see cref="KthLargest"/> is exact.</para>
/// The global cut it yields (<see cref="Cut"/>) keeps every entry with |value| ≥ the k-th largest, so ties at the threshold
/// are all kept and the kept count can exceed k by the number of ties.
/// </summary>
public sealed class MagnitudeThresholdEstimator
{
    private readonly long[] coarse = new long[MagnitudeSelection.BinCount];
    private readonly long[] fine = new long[MagnitudeSelection.BinCount];
    private long k;
    private int coarseBin = -1;
    private long countAboveBin;
    private long refinedCount;

    /// <summary>Values fed to pass 1.</summary>
    public long Count { get; private set; }

    /// <summary>Pass 1: counts the magnitudes of <paramref name="values"/>.</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        if (coarseBin >= 0) throw new InvalidOperationException("Add after BeginRefinement");
        MagnitudeSelection.AddCoarse(coarse, values);
        Count += values.Length;
    }

    /// <summary>Pass 1 on the differences a − b (rounded to fp32), e.g. model − base.</summary>
    public void AddDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("spans differ in length");
        Span<float> chunk = stackalloc float[MagnitudeSelection.ChunkLength];
        for (int start = 0; start < a.Length; start += chunk.Length)
        {
            Span<float> part = chunk[..Math.Min(chunk.Length, a.Length - start)];
            new DifferenceSource(a, b).Fill(start, part);
            Add(part);
        }
    }

    /// <summary>After pass 1: an interval [Lower, Upper] that holds the <paramref name="rank"/>-th largest magnitude (1-based).</summary>
    public (float Lower, float Upper) Bounds(long rank)
    {
        CheckRank(rank);
        int bin = MagnitudeSelection.FindCoarseBin(coarse, rank, out _);
        return (BitConverter.UInt32BitsToSingle((uint)bin << 16), BitConverter.UInt32BitsToSingle(((uint)bin << 16) | 0xFFFF));
    }

    /// <summary>Starts pass 2 for the <paramref name="rank"/>-th largest magnitude (1-based, at most <see cref="Count"/>).</summary>
    public void BeginRefinement(long rank)
    {
        CheckRank(rank);
        k = rank;
        coarseBin = MagnitudeSelection.FindCoarseBin(coarse, rank, out countAboveBin);
        Array.Clear(fine);
        refinedCount = 0;
    }

    /// <summary>Pass 2: feed every value of pass 1 again.</summary>
    public void Refine(ReadOnlySpan<float> values)
    {
        if (coarseBin < 0) throw new InvalidOperationException("Refine before BeginRefinement");
        MagnitudeSelection.AddFine(fine, values, coarseBin);
        refinedCount += values.Length;
    }

    /// <summary>Pass 2 on the differences a − b.</summary>
    public void RefineDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("spans differ in length");
        Span<float> chunk = stackalloc float[MagnitudeSelection.ChunkLength];
        for (int start = 0; start < a.Length; start += chunk.Length)
        {
            Span<float> part = chunk[..Math.Min(chunk.Length, a.Length - start)];
            new DifferenceSource(a, b).Fill(start, part);
            Refine(part);
        }
    }

    /// <summary>After pass 2: the exact k-th largest magnitude.</summary>
    public float KthLargest()
    {
        if (coarseBin < 0) throw new InvalidOperationException("KthLargest before BeginRefinement");
        if (refinedCount != Count) throw new InvalidOperationException($"pass 2 saw {refinedCount} values, pass 1 saw {Count}");
        uint key = MagnitudeSelection.FindFineKey(fine, coarseBin, k, countAboveBin, out _, out _);
        return BitConverter.UInt32BitsToSingle(key);
    }

    /// <summary>After pass 2: the global cut keeping every |value| ≥ the k-th largest.</summary>
    public RankCut Cut() => RankCut.AtLeast(KthLargest());

    private void CheckRank(long rank)
    {
        if (rank < 1 || rank > Count) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [1, {Count}]");
    }
}
