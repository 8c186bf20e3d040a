// Tests of the λ recommendations: budget cases on MI's Table 2, a budget below every point, ties, tolerance edges.
namespace Alloy.Analysis.Tests;

using Alloy.Tensors;

public class LambdaRecommenderTests
{
    [Fact]
    public void Most_accurate_within_a_budget_on_mi_table2()
    {
        List<SpectrumPoint> points = MiTable2.Points();

        // ≤ 12000 tokens: λ=0.45 (11290, 58.5), 0.5 (11189, 62.5), 0.55 (11634, 67.6) → 0.55.
        LambdaRecommendation under12k = LambdaRecommender.MostAccurateWithinBudget(points, 12000);
        Assert.Equal("linear-0.55", under12k.Choice!.Variant);
        Assert.Equal("linear-0.55 (linear, λ=0.55) has the highest Mean@k (67.6 %) of the 3 of 9 points within the budget of 12,000 mean tokens on aime25, using 11,634.", under12k.Reason);
        // ≤ 20000: everything but the thinking parent; λ=0.8 (80.5) is the most accurate.
        Assert.Equal("linear-0.8", LambdaRecommender.MostAccurateWithinBudget(points, 20000).Choice!.Variant);
        // The budget is inclusive: exactly λ=0.5's 11189 tokens admits it alone.
        Assert.Equal("linear-0.5", LambdaRecommender.MostAccurateWithinBudget(points, 11189).Choice!.Variant);
    }

    [Fact]
    public void A_budget_below_every_point_gives_no_choice_and_says_why()
    {
        LambdaRecommendation none = LambdaRecommender.MostAccurateWithinBudget(MiTable2.Points(), 11000);

        Assert.False(none.Found);
        Assert.Null(none.Choice);
        Assert.Equal("No point fits the budget of 11,000 mean tokens on aime25: the cheapest, linear-0.5 (linear, λ=0.5), uses 11,189, 189 over.", none.Reason);
    }

    [Fact]
    public void Cheapest_within_a_tolerance_of_the_best_on_mi_table2()
    {
        List<SpectrumPoint> points = MiTable2.Points();

        // Best 80.5 (λ=0.8); within 10 points means ≥ 70.5: λ=0.6 (71.0, 12681), 0.8 (17574), 1 (22813) → 0.6.
        LambdaRecommendation ten = LambdaRecommender.CheapestNearBest(points, 0.10);
        Assert.Equal("linear-0.6", ten.Choice!.Variant);
        Assert.Equal("linear-0.6 (linear, λ=0.6) uses the fewest mean tokens (12,681) among the points within 10 points of the best Mean@k on aime25 (80.5 % by linear-0.8 (linear, λ=0.8), at 17,574); its Mean@k is 71.0 %.", ten.Reason);
        // Within 15 points (≥ 65.5): λ=0.55 (11634) is cheaper than 0.6.
        Assert.Equal("linear-0.55", LambdaRecommender.CheapestNearBest(points, 0.15).Choice!.Variant);
        // Within 0.05 points only the best itself and the thinking parent (80.4, more tokens) qualify.
        LambdaRecommendation tight = LambdaRecommender.CheapestNearBest(points, 0.0005);
        Assert.Equal("linear-0.8", tight.Choice!.Variant);
        Assert.StartsWith("linear-0.8 (linear, λ=0.8) has the best Mean@k (80.5 %)", tight.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_point_exactly_at_the_tolerance_edge_qualifies_despite_rounding()
    {
        // 0.8 − 0.1 evaluates to 0.7000000000000001 in binary floating point; 0.7 is still within 10 points.
        Assert.True(0.8 - 0.1 > 0.7);
        SpectrumPoint best = MiTable2.Point("best", 0.8, 2000);
        SpectrumPoint edge = MiTable2.Point("edge", 0.7, 1000);

        Assert.Equal("edge", LambdaRecommender.CheapestNearBest([best, edge], 0.1).Choice!.Variant);
        Assert.Equal("best", LambdaRecommender.CheapestNearBest([best, edge], 0.0999).Choice!.Variant);
    }

    [Fact]
    public void Ties_in_accuracy_go_to_fewer_tokens_then_to_the_first_listed()
    {
        SpectrumPoint a = MiTable2.Point("a", 0.7, 1000);
        SpectrumPoint b = MiTable2.Point("b", 0.7, 900);
        SpectrumPoint c = MiTable2.Point("c", 0.7, 900);

        Assert.Equal("b", LambdaRecommender.MostAccurateWithinBudget([a, b, c], 5000).Choice!.Variant);
        Assert.Equal("c", LambdaRecommender.MostAccurateWithinBudget([a, c, b], 5000).Choice!.Variant);
    }

    [Fact]
    public void Ties_in_tokens_go_to_higher_accuracy_then_to_the_first_listed()
    {
        SpectrumPoint a = MiTable2.Point("a", 0.70, 900);
        SpectrumPoint b = MiTable2.Point("b", 0.72, 900);
        SpectrumPoint c = MiTable2.Point("c", 0.72, 900);
        SpectrumPoint best = MiTable2.Point("best", 0.75, 2000);

        Assert.Equal("b", LambdaRecommender.CheapestNearBest([best, a, b, c], 0.1).Choice!.Variant);
        Assert.Equal("c", LambdaRecommender.CheapestNearBest([best, a, c, b], 0.1).Choice!.Variant);
    }

    [Fact]
    public void Empty_input_gives_no_choice_and_bad_arguments_are_rejected()
    {
        Assert.False(LambdaRecommender.MostAccurateWithinBudget([], 1000).Found);
        Assert.False(LambdaRecommender.CheapestNearBest([], 0.1).Found);
        Assert.Throws<AlloyInputException>(() => LambdaRecommender.MostAccurateWithinBudget(MiTable2.Points(), double.NaN));
        Assert.Throws<AlloyInputException>(() => LambdaRecommender.MostAccurateWithinBudget(MiTable2.Points(), -1));
        Assert.Throws<AlloyInputException>(() => LambdaRecommender.CheapestNearBest(MiTable2.Points(), -0.01));
        Assert.Throws<AlloyInputException>(() => LambdaRecommender.CheapestNearBest(MiTable2.Points(), double.NaN));
        Assert.Throws<ArgumentException>(() => LambdaRecommender.CheapestNearBest(
            [MiTable2.Point("a", 0.5, 1, benchmark: "x"), MiTable2.Point("a", 0.5, 1, benchmark: "y")], 0.1));
    }
}
