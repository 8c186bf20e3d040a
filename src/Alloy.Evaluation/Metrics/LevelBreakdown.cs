// Groups per-problem scores by a level (MATH difficulty 1–5, subject, year…) and averages each group.
// Pure grouping; the scores come from Mean@k or Pass@k per problem.
namespace Alloy.Evaluation.Metrics;

/// <summary>The mean score of the problems at one level.</summary>
public readonly record struct LevelScore<TLevel>(TLevel Level, int Problems, double Mean);

/// <summary>Per-level breakdown: for each distinct level L, Mean = (1/|P_L|) Σ_{p ∈ P_L} score_p; levels in ascending order.</summary>
public static class LevelBreakdown
{
    /// <summary>Breaks down <paramref name="problemScores"/> by <paramref name="levels"/> (same length, one per problem).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static IReadOnlyList<LevelScore<TLevel>> Compute<TLevel>(ReadOnlySpan<TLevel> levels, ReadOnlySpan<double> problemScores)
        where TLevel : notnull
    {
        if (levels.Length != problemScores.Length)
            throw new ArgumentException($"One level per problem score is needed; got {levels.Length} levels and {problemScores.Length} scores.");
        var groups = new SortedDictionary<TLevel, (int Count, double Sum)>();
        for (int i = 0; i < levels.Length; i++)
        {
            groups.TryGetValue(levels[i], out var g);
            groups[levels[i]] = (g.Count + 1, g.Sum + problemScores[i]);
        }
        var result = new List<LevelScore<TLevel>>(groups.Count);
        foreach (var (level, (count, sum)) in groups) result.Add(new LevelScore<TLevel>(level, count, sum / count));
        return result;
    }
}
