// Picks the λ (the spectrum point) to use: the most accurate one under a token budget, or the cheapest one close to the
// best accuracy, each with its reason as a sentence. It does not extrapolate between points: it picks an evaluated one.
using System.Globalization;
using Alloy.Tensors;

namespace Alloy.Analysis;

/// <summary>A recommended point with the reason for it, or no point and the reason why none fits.</summary>
/// <param name="Choice">The recommended point, or null when no point satisfies the constraint.</param>
/// <param name="Reason">One sentence that says why this point (or why none).</param>
public sealed record LambdaRecommendation(SpectrumPoint? Choice, string Reason)
{
    /// <summary>Whether a point was found.</summary>
    public bool Found => Choice is not null;
}

/// <summary>
/// Recommendations over the points of one benchmark (pass one series to choose a λ within a method, or all points of the
/// benchmark to choose across methods).
/// </summary>
/// <remarks>
/// Accuracy is Mean@k and cost is mean tokens, as given. Ties are broken deterministically and documented per method;
/// the last resort is input order (the first listed point wins).
/// </remarks>
public static class LambdaRecommender
{
    /// <summary>Slack for "within x of the best": absorbs rounding in best − x (1e-9 of a fraction is 1e-7 points).</summary>
    public const double ToleranceSlack = 1e-9;

    /// <summary>
    /// The most accurate point whose mean tokens are ≤ <paramref name="tokenBudget"/>: argmax Mean@k over
    /// {p : tok_p ≤ budget}; ties in Mean@k go to fewer tokens, then to the first listed. When no point fits, the result
    /// has no choice and its reason names the cheapest point and how far it is over the budget.
    /// </summary>
    /// <param name="points">Points of one benchmark.</param>
    /// <param name="tokenBudget">Mean tokens per response allowed; finite and ≥ 0.</param>
    /// <exception cref="AlloyInputException">The budget is NaN, infinite or negative.</exception>
    /// <exception cref="ArgumentException">The points span several benchmarks.</exception>
    public static LambdaRecommendation MostAccurateWithinBudget(IEnumerable<SpectrumPoint> points, double tokenBudget)
    {
        List<SpectrumPoint> list = OneBenchmark(points);
        if (!double.IsFinite(tokenBudget) || tokenBudget < 0)
            throw new AlloyInputException($"Token budget {Number(tokenBudget)} is invalid; give a finite number of mean tokens ≥ 0.");
        if (list.Count == 0)
            return new LambdaRecommendation(null, "No point fits: there are no evaluated points.");

        SpectrumPoint? best = null;
        foreach (SpectrumPoint p in list)
        {
            if (p.MeanTokens > tokenBudget) continue;
            if (best is null || p.MeanAtK > best.MeanAtK || (p.MeanAtK == best.MeanAtK && p.MeanTokens < best.MeanTokens))
                best = p;
        }
        if (best is null)
        {
            SpectrumPoint cheapest = Cheapest(list);
            return new LambdaRecommendation(null, string.Create(CultureInfo.InvariantCulture,
                $"No point fits the budget of {Tokens(tokenBudget)} mean tokens on {cheapest.Benchmark}: the cheapest, {cheapest.Describe()}, uses {Tokens(cheapest.MeanTokens)}, {Tokens(cheapest.MeanTokens - tokenBudget)} over."));
        }
        int fitting = list.Count(p => p.MeanTokens <= tokenBudget);
        return new LambdaRecommendation(best, string.Create(CultureInfo.InvariantCulture,
            $"{best.Describe()} has the highest Mean@k ({Percent(best.MeanAtK)}) of the {fitting} of {list.Count} points within the budget of {Tokens(tokenBudget)} mean tokens on {best.Benchmark}, using {Tokens(best.MeanTokens)}."));
    }

    /// <summary>
    /// The cheapest point whose Mean@k is within <paramref name="accuracyTolerance"/> of the best: argmin tokens over
    /// {p : acc_p ≥ max acc − tolerance − <see cref="ToleranceSlack"/>}; ties in tokens go to higher Mean@k, then to the
    /// first listed. The tolerance is a fraction like Mean@k (0.02 = 2 points). An empty input gives no choice.
    /// </summary>
    /// <param name="points">Points of one benchmark.</param>
    /// <param name="accuracyTolerance">How far below the best Mean@k is acceptable, a fraction in [0, 1].</param>
    /// <exception cref="AlloyInputException">The tolerance is NaN or outside [0, 1].</exception>
    /// <exception cref="ArgumentException">The points span several benchmarks.</exception>
    public static LambdaRecommendation CheapestNearBest(IEnumerable<SpectrumPoint> points, double accuracyTolerance)
    {
        List<SpectrumPoint> list = OneBenchmark(points);
        if (!(accuracyTolerance >= 0 && accuracyTolerance <= 1))
            throw new AlloyInputException($"Accuracy tolerance {Number(accuracyTolerance)} is invalid; give a fraction in [0, 1] (0.02 for 2 points).");
        if (list.Count == 0)
            return new LambdaRecommendation(null, "No point fits: there are no evaluated points.");

        SpectrumPoint mostAccurate = list[0];
        foreach (SpectrumPoint p in list)
        {
            if (p.MeanAtK > mostAccurate.MeanAtK || (p.MeanAtK == mostAccurate.MeanAtK && p.MeanTokens < mostAccurate.MeanTokens))
                mostAccurate = p;
        }
        double floor = mostAccurate.MeanAtK - accuracyTolerance - ToleranceSlack;
        SpectrumPoint? choice = null;
        foreach (SpectrumPoint p in list)
        {
            if (p.MeanAtK < floor) continue;
            if (choice is null || p.MeanTokens < choice.MeanTokens || (p.MeanTokens == choice.MeanTokens && p.MeanAtK > choice.MeanAtK))
                choice = p;
        }
        // The most accurate point always qualifies, so choice is set.
        SpectrumPoint chosen = choice!;
        string tolerance = (accuracyTolerance * 100).ToString("0.##", CultureInfo.InvariantCulture);
        if (ReferenceEquals(chosen, mostAccurate))
            return new LambdaRecommendation(chosen, string.Create(CultureInfo.InvariantCulture,
                $"{chosen.Describe()} has the best Mean@k ({Percent(chosen.MeanAtK)}) on {chosen.Benchmark} and no point within {tolerance} points of it uses fewer than its {Tokens(chosen.MeanTokens)} mean tokens."));
        return new LambdaRecommendation(chosen, string.Create(CultureInfo.InvariantCulture,
            $"{chosen.Describe()} uses the fewest mean tokens ({Tokens(chosen.MeanTokens)}) among the points within {tolerance} points of the best Mean@k on {chosen.Benchmark} ({Percent(mostAccurate.MeanAtK)} by {mostAccurate.Describe()}, at {Tokens(mostAccurate.MeanTokens)}); its Mean@k is {Percent(chosen.MeanAtK)}."));
    }

    private static List<SpectrumPoint> OneBenchmark(IEnumerable<SpectrumPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        List<SpectrumPoint> list = points.ToList();
        foreach (SpectrumPoint p in list)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(points));
            p.Validate();
        }
        if (list.Select(p => p.Benchmark).Distinct(StringComparer.Ordinal).Skip(1).Any())
            throw new ArgumentException("Recommendations compare points of one benchmark; these span several.", nameof(points));
        return list;
    }

    private static SpectrumPoint Cheapest(List<SpectrumPoint> list)
    {
        SpectrumPoint cheapest = list[0];
        foreach (SpectrumPoint p in list)
            if (p.MeanTokens < cheapest.MeanTokens) cheapest = p;
        return cheapest;
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Tokens(double tokens) => tokens.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
