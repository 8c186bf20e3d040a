// Tests of the Pareto frontier and of Pareto improvements over the parents: MI's Table 2, ties, CI significance.
namespace Alloy.Analysis.Tests;

public class ParetoAnalysisTests
{
    [Fact]
    public void Mi_08_is_a_pareto_improvement_over_the_thinking_parent_on_both_axes()
    {
        ParetoReport report = ParetoAnalysis.Analyze(MiTable2.Spectrum());

        // Only MI-0.8 (80.5 % at 17574) reaches the thinking parent's 80.4 %, and with fewer tokens than its 22813.
        List<string> overThinking = report.Rows.Where(r => r.VsThinking!.IsImprovement).Select(r => r.Point.Variant).ToList();
        Assert.Equal(["linear-0.8"], overThinking);
        ParetoComparison mi08 = report.Rows.Single(r => r.Point.Variant == "linear-0.8").VsThinking!;
        Assert.True(mi08.AccuracyHigher);
        Assert.True(mi08.TokensFewer);
        Assert.True(mi08.IsStrictOnBothAxes);
        Assert.Null(mi08.AccuracyGainSignificant); // Table 2 gives no confidence intervals.
    }

    [Fact]
    public void Mi_table2_frontier_and_improvements_over_the_instruct_parent()
    {
        ParetoReport report = ParetoAnalysis.Analyze(MiTable2.Spectrum());

        // By tokens: 0.5 (11189, 62.5) 0.45 (11290, 58.5: dominated by 0.5) 0.55 (11634, 67.6) 0.4 (12448, 55.8: dominated)
        // 0.6 (12681, 71.0) instruct (15097, 46.6: dominated) 0.2 (16794, 52.2: dominated) 0.8 (17574, 80.5)
        // thinking (22813, 80.4: dominated by 0.8).
        Assert.Equal(
            ["linear-0.5", "linear-0.55", "linear-0.6", "linear-0.8"],
            report.FrontierOf(MiTable2.Benchmark).Select(p => p.Variant));
        // Over the instruct parent (46.6 % at 15097): every point with more accuracy and fewer tokens; λ=0.2 costs more.
        Assert.Equal(
            ["linear-0.4", "linear-0.45", "linear-0.5", "linear-0.55", "linear-0.6"],
            report.Rows.Where(r => r.VsInstruct!.IsImprovement).Select(r => r.Point.Variant));
        ParetoFlags thinkingRow = report.Rows.Single(r => r.Point.Variant == "linear-1");
        Assert.False(thinkingRow.OnFrontier);
        Assert.False(thinkingRow.VsThinking!.IsImprovement);
    }

    [Fact]
    public void Identical_points_both_stay_on_the_frontier_and_do_not_improve_on_each_other()
    {
        SpectrumPoint a = MiTable2.Point("a", 0.7, 1000);
        SpectrumPoint b = MiTable2.Point("b", 0.7, 1000);
        SpectrumPoint c = MiTable2.Point("c", 0.6, 1000);

        Assert.Equal(["a", "b"], ParetoAnalysis.Frontier([a, b, c]).Select(p => p.Variant));
        Assert.False(ParetoAnalysis.Compare(a, b).IsImprovement);
        Assert.False(ParetoAnalysis.Compare(a, a).IsImprovement);
    }

    [Fact]
    public void Being_better_on_one_axis_and_equal_on_the_other_is_an_improvement_but_not_on_both_axes()
    {
        SpectrumPoint parent = MiTable2.Point("parent", 0.7, 1000);
        SpectrumPoint cheaper = MiTable2.Point("cheaper", 0.7, 900);
        SpectrumPoint better = MiTable2.Point("better", 0.71, 1000);
        SpectrumPoint worse = MiTable2.Point("worse", 0.69, 500);

        Assert.True(ParetoAnalysis.Compare(cheaper, parent).IsImprovement);
        Assert.False(ParetoAnalysis.Compare(cheaper, parent).IsStrictOnBothAxes);
        Assert.True(ParetoAnalysis.Compare(better, parent).IsImprovement);
        Assert.False(ParetoAnalysis.Compare(worse, parent).IsImprovement);
        Assert.Equal(["worse", "cheaper"], ParetoAnalysis.Frontier([parent, cheaper, better, worse]).Select(p => p.Variant).Take(2));
        Assert.DoesNotContain(parent, ParetoAnalysis.Frontier([parent, cheaper, better, worse]));
    }

    [Fact]
    public void Significance_requires_the_confidence_intervals_to_separate()
    {
        SpectrumPoint parent = MiTable2.Point("parent", 0.70, 1000, ciLow: 0.66, ciHigh: 0.74);
        SpectrumPoint separated = MiTable2.Point("separated", 0.80, 900, ciLow: 0.75, ciHigh: 0.85);
        SpectrumPoint touching = MiTable2.Point("touching", 0.79, 900, ciLow: 0.74, ciHigh: 0.84);
        SpectrumPoint overlapping = MiTable2.Point("overlapping", 0.75, 900, ciLow: 0.71, ciHigh: 0.79);
        SpectrumPoint noInterval = MiTable2.Point("none", 0.90, 900);

        Assert.True(ParetoAnalysis.Compare(separated, parent).AccuracyGainSignificant);
        Assert.True(ParetoAnalysis.Compare(separated, parent).IsSignificantImprovement);
        Assert.False(ParetoAnalysis.Compare(touching, parent).AccuracyGainSignificant);
        Assert.False(ParetoAnalysis.Compare(overlapping, parent).AccuracyGainSignificant);
        Assert.True(ParetoAnalysis.Compare(overlapping, parent).IsImprovement);
        Assert.False(ParetoAnalysis.Compare(overlapping, parent).IsSignificantImprovement);
        Assert.Null(ParetoAnalysis.Compare(noInterval, parent).AccuracyGainSignificant);
    }

    [Fact]
    public void Frontier_and_flags_are_per_benchmark()
    {
        var spectrum = new Spectrum(
        [
            MiTable2.Point("i", 0.5, 1000, lambda: 0, benchmark: "x"),
            MiTable2.Point("t", 0.8, 3000, lambda: 1, benchmark: "x"),
            MiTable2.Point("m", 0.9, 900, lambda: 0.5, benchmark: "x"),
            MiTable2.Point("m", 0.1, 100, lambda: 0.5, benchmark: "y"),
        ]);

        ParetoReport report = ParetoAnalysis.Analyze(spectrum);

        Assert.Equal(["m"], report.FrontierOf("x").Select(p => p.Variant));
        ParetoFlags onY = report.Rows.Single(r => r.Point.Benchmark == "y");
        Assert.True(onY.OnFrontier);
        Assert.Null(onY.VsThinking); // benchmark y has no parents
        Assert.Null(onY.VsInstruct);
    }
}
