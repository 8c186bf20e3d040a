// Vote@k (majority vote, maj@k): the most frequent extracted answer among k samples decides the problem.
// Pure counting over answer keys the graders produced; no grading here.
namespace Alloy.Evaluation.Metrics;

/// <summary>
/// Vote@k. Per problem, look at the first k samples' answer keys (null = no answer, or truncated: they cast no
/// vote). The winner is the key with the most votes; a tie goes to the key whose first vote came earliest (lowest
/// sample index), as evalscope does. The problem scores 1 when the sample that first gave the winning key was
/// graded correct, 0 otherwise or when nobody voted. Vote@k is the mean over problems.
/// Keys are compared with <see cref="StringComparer.OrdinalIgnoreCase"/> unless a comparer is given (use
/// <c>MathGrader.VoteKey</c> for math, the letter for choices, the number text for numbers).
/// Layout: key and correctness of problem p, sample j at index p·samples + j.
/// </summary>
public static class VoteAtK
{
    /// <summary>Vote@k over all problems.</summary>
    /// <exception cref="ArgumentException">Lengths are not problems × samples, or k ∉ [1, samples].</exception>
    public static double Compute(ReadOnlySpan<string?> keys, ReadOnlySpan<bool> correct, int problems, int samples, int k,
        IEqualityComparer<string>? comparer = null)
    {
        if (problems < 1 || samples < 1) throw new ArgumentException($"Vote@k needs at least one problem and one sample; got {problems} × {samples}.");
        if (keys.Length != (long)problems * samples || correct.Length != keys.Length)
            throw new ArgumentException($"Vote@k expects {problems} × {samples} keys and verdicts; got {keys.Length} and {correct.Length}.");
        if (k < 1 || k > samples) throw new ArgumentException($"k must lie in [1, {samples}]; got {k}.", nameof(k));
        int wins = 0;
        for (int p = 0; p < problems; p++)
        {
            int winner = MajorityIndex(keys.Slice(p * samples, k), comparer);
            if (winner >= 0 && correct[p * samples + winner]) wins++;
        }
        return (double)wins / problems;
    }

    /// <summary>The index of the first sample carrying the majority key (ties: earliest first vote), or −1 when all keys are null.</summary>
    public static int MajorityIndex(ReadOnlySpan<string?> keys, IEqualityComparer<string>? comparer = null)
    {
        comparer ??= StringComparer.OrdinalIgnoreCase;
        var counts = new Dictionary<string, (int Count, int First)>(comparer);
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] is not { } key) continue;
            counts[key] = counts.TryGetValue(key, out var entry) ? (entry.Count + 1, entry.First) : (1, i);
        }
        int bestCount = 0, bestFirst = -1;
        foreach (var (count, first) in counts.Values)
        {
            if (count > bestCount || (count == bestCount && first < bestFirst))
            {
                bestCount = count;
                bestFirst = first;
            }
        }
        return bestFirst;
    }
}
