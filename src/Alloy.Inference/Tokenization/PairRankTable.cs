// Open-addressing hash table from an ordered pair of token ids to its BPE merge rank: the merge loop's hot lookup.
// Immutable after construction; no removal, no resizing.
using System.Runtime.CompilerServices;

namespace Alloy.Inference.Tokenization;

/// <summary>
/// Maps (left id, right id) → merge rank with linear probing over a power-of-two table at most half full.
/// A dedicated table rather than <c>Dictionary&lt;long, int&gt;</c>: the default long hash (high XOR low) collides
/// for id pairs, and the generic dictionary runs unoptimized code for the first seconds of a process.
/// </summary>
internal sealed class PairRankTable
{
    private const long Empty = -1;
    private readonly long[] keys;
    private readonly int[] ranks;
    private readonly int mask;

    /// <summary>Builds the table; a pair given twice keeps its last rank (as Hugging Face does).</summary>
    public PairRankTable(IReadOnlyList<(int Left, int Right)> pairsByRank)
    {
        int capacity = 16;
        while (capacity < pairsByRank.Count * 2)
        {
            capacity *= 2;
        }
        keys = new long[capacity];
        ranks = new int[capacity];
        mask = capacity - 1;
        Array.Fill(keys, Empty);
        for (int rank = 0; rank < pairsByRank.Count; rank++)
        {
            long key = Key(pairsByRank[rank].Left, pairsByRank[rank].Right);
            int slot = Slot(key);
            while (keys[slot] != Empty && keys[slot] != key)
            {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            ranks[slot] = rank;
        }
    }

    /// <summary>The rank of the merge of <paramref name="left"/> then <paramref name="right"/>, or -1 when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int RankOf(int left, int right)
    {
        long key = Key(left, right);
        int slot = Slot(key);
        while (true)
        {
            long found = keys[slot];
            if (found == key)
            {
                return ranks[slot];
            }
            if (found == Empty)
            {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Fibonacci hashing: the top bits of key × 2⁶⁴/φ, masked to the table.</summary>
    private int Slot(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 40) & mask;
}
