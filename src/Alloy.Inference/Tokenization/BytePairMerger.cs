// The byte-level BPE model: UTF-8 bytes of one pre-tokenized word → token ids, by applying merges in rank order.
// It does not split text into words, match added tokens or decode; see BpeTokenizer for the pipeline.
using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace Alloy.Inference.Tokenization;

/// <summary>
/// Byte-pair merging with Hugging Face semantics. A word starts as one symbol per UTF-8 byte (the vocabulary id of
/// that byte's <see cref="ByteLevelAlphabet"/> character). Repeatedly, among all adjacent symbol pairs that have a
/// merge, the pair with the lowest merge rank is merged (ties: the leftmost pair), until no adjacent pair has a
/// merge. With <c>ignore_merges</c> (Llama 3) a word that is itself a vocabulary entry is emitted as that one id.
/// </summary>
/// <remarks>
/// Cost: O(n log n) for a word of n bytes (a binary heap of candidate merges over a linked list of symbols, stale
/// heap entries skipped when popped). Results are cached per word (words up to <see cref="MaxCachedWordLength"/>
/// characters; the cache is cleared when it reaches <see cref="MaxCacheEntries"/> entries). Thread-safe.
/// </remarks>
internal sealed class BytePairMerger
{
    /// <summary>Longest word (in UTF-16 units) whose ids are cached.</summary>
    public const int MaxCachedWordLength = 128;

    /// <summary>Cache size at which the cache is emptied (bounds memory on endless distinct input).</summary>
    public const int MaxCacheEntries = 500_000;

    private readonly PairRankTable rankByPair;
    private readonly int[] mergedIdByRank;
    private readonly int[] idByByte;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>? wholeWordLookup;
    private readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> cacheLookup;

    [ThreadStatic] private static Scratch? scratch;

    /// <param name="rankByPair">Merge rank of each mergeable id pair.</param>
    /// <param name="mergedIdByRank">Id of the merged token for each rank.</param>
    /// <param name="idByByte">Vocabulary id of the single-byte token for each byte value (256 entries).</param>
    /// <param name="vocabularyForIgnoreMerges">The vocabulary when <c>ignore_merges</c> is on, else null.</param>
    public BytePairMerger(PairRankTable rankByPair, int[] mergedIdByRank, int[] idByByte, Dictionary<string, int>? vocabularyForIgnoreMerges)
    {
        this.rankByPair = rankByPair;
        this.mergedIdByRank = mergedIdByRank;
        this.idByByte = idByByte;
        wholeWordLookup = vocabularyForIgnoreMerges?.GetAlternateLookup<ReadOnlySpan<char>>();
        cacheLookup = cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Appends the ids of one pre-tokenized word (no lone surrogates) to <paramref name="ids"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Encode(ReadOnlySpan<char> word, List<int> ids)
    {
        if (word.IsEmpty)
        {
            return;
        }
        bool cacheable = word.Length <= MaxCachedWordLength;
        if (cacheable && cacheLookup.TryGetValue(word, out int[]? cached))
        {
            ids.AddRange(cached);
            return;
        }
        int before = ids.Count;
        EncodeUncached(word, ids);
        if (cacheable)
        {
            if (cache.Count >= MaxCacheEntries)
            {
                cache.Clear();
            }
            cacheLookup.TryAdd(word, ids.GetRange(before, ids.Count - before).ToArray());
        }
    }

    // Fully optimized from the first call: tier-0 code of this loop is over ten times slower, and a run that
    // tokenizes a few thousand responses would spend most of its time before tiering up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EncodeUncached(ReadOnlySpan<char> word, List<int> ids)
    {
        Scratch s = scratch ??= new Scratch();
        int byteCount = Encoding.UTF8.GetByteCount(word);
        s.Ensure(byteCount);
        Encoding.UTF8.GetBytes(word, s.Bytes);
        ReadOnlySpan<byte> bytes = s.Bytes.AsSpan(0, byteCount);

        if (wholeWordLookup is { } lookup)
        {
            Span<char> mapped = byteCount <= 256 ? stackalloc char[byteCount] : new char[byteCount];
            for (int i = 0; i < byteCount; i++)
            {
                mapped[i] = ByteLevelAlphabet.ByteToChar[bytes[i]];
            }
            if (lookup.TryGetValue(mapped, out int wholeId))
            {
                ids.Add(wholeId);
                return;
            }
        }

        int[] symbol = s.Symbols;
        int[] next = s.Next;
        int[] previous = s.Previous;
        for (int i = 0; i < byteCount; i++)
        {
            symbol[i] = idByByte[bytes[i]];
            previous[i] = i - 1;
            next[i] = i + 1 < byteCount ? i + 1 : -1;
        }

        if (byteCount > 1)
        {
            var heap = new MergeHeap(s.Heap);
            for (int i = 0; i + 1 < byteCount; i++)
            {
                int rank = rankByPair.RankOf(symbol[i], symbol[i + 1]);
                if (rank >= 0)
                {
                    heap.Push(rank, i);
                }
            }
            while (heap.Count > 0)
            {
                (int rank, int position) = heap.Pop();
                // Skip entries made stale by an earlier merge: the left symbol is gone, has no right
                // neighbour, or the pair there is no longer the one this entry was ranked for.
                if (symbol[position] < 0 || next[position] < 0)
                {
                    continue;
                }
                int right = next[position];
                if (rankByPair.RankOf(symbol[position], symbol[right]) != rank)
                {
                    continue;
                }
                symbol[position] = mergedIdByRank[rank];
                symbol[right] = -1;
                int afterRight = next[right];
                next[position] = afterRight;
                if (afterRight >= 0)
                {
                    previous[afterRight] = position;
                    int rankAfter = rankByPair.RankOf(symbol[position], symbol[afterRight]);
                    if (rankAfter >= 0)
                    {
                        heap.Push(rankAfter, position);
                    }
                }
                int left = previous[position];
                int rankBefore = left >= 0 ? rankByPair.RankOf(symbol[left], symbol[position]) : -1;
                if (rankBefore >= 0)
                {
                    heap.Push(rankBefore, left);
                }
            }
            s.Heap = heap.Storage;
        }

        for (int i = 0; i >= 0; i = next[i])
        {
            ids.Add(symbol[i]);
        }
    }

    /// <summary>Per-thread buffers, grown on demand and reused across words.</summary>
    private sealed class Scratch
    {
        public byte[] Bytes = new byte[256];
        public int[] Symbols = new int[256];
        public int[] Next = new int[256];
        public int[] Previous = new int[256];
        public long[] Heap = new long[256];

        public void Ensure(int byteCount)
        {
            if (Bytes.Length < byteCount)
            {
                int size = (int)Math.Min(Array.MaxLength, Math.Max(byteCount, 2L * Bytes.Length));
                Bytes = new byte[size];
                Symbols = new int[size];
                Next = new int[size];
                Previous = new int[size];
            }
        }
    }

    /// <summary>
    /// A binary min-heap of (rank, position) packed as rank·2³² + position, so ordering by the packed value is
    /// ordering by rank, then by position (leftmost first), as Hugging Face does.
    /// </summary>
    private struct MergeHeap(long[] storage)
    {
        public long[] Storage = storage;
        public int Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Push(int rank, int position)
        {
            if (Count == Storage.Length)
            {
                Array.Resize(ref Storage, Storage.Length * 2);
            }
            long value = ((long)rank << 32) | (uint)position;
            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (Storage[parent] <= value)
                {
                    break;
                }
                Storage[i] = Storage[parent];
                i = parent;
            }
            Storage[i] = value;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (int Rank, int Position) Pop()
        {
            long top = Storage[0];
            long last = Storage[--Count];
            int i = 0;
            while (true)
            {
                int child = (2 * i) + 1;
                if (child >= Count)
                {
                    break;
                }
                if (child + 1 < Count && Storage[child + 1] < Storage[child])
                {
                    child++;
                }
                if (Storage[child] >= last)
                {
                    break;
                }
                Storage[i] = Storage[child];
                i = child;
            }
            if (Count > 0)
            {
                Storage[i] = last;
            }
            return ((int)(top >> 32), (int)(uint)top);
        }
    }
}
