// Tests of the three-stage detector: MI's Table 2 by hand, non-monotone and edge cases, and bad input.
namespace Alloy.Analysis.Tests;

using Alloy.Tensors;

public class StageDetectorTests
{
    private const double Tight = 1e-9;

    [Fact]
    public void Mi_table2_puts_stage_two_between_the_interpolated_10_and_90_percent_crossings()
    {
        Spectrum spectrum = MiTable2.Spectrum();
        SpectrumSeries linear = spectrum.MainSeries(MiTable2.Benchmark, "linear")!;

        StageBoundaries stages = StageDetector.Detect(linear.Points);

        // Think#R 10 %: first point ≥ 0.10 is λ=0.45 (0.144); previous λ=0.40 (0.014).
        //   λ10 = 0.40 + (0.10 − 0.014) / (0.144 − 0.014) · 0.05 = 0.40 + 0.086 / 0.130 · 0.05 = 0.4330769230769…
        Assert.Equal(0.4 + 0.086 / 0.130 * 0.05, stages.LambdaLow!.Value, Tight);
        Assert.Equal(0.43307692, stages.LambdaLow!.Value, 1e-8);
        // Think#R 90 %: first point ≥ 0.90 is λ=0.55 (0.916); previous λ=0.50 (0.596).
        //   λ90 = 0.50 + (0.90 − 0.596) / (0.916 − 0.596) · 0.05 = 0.50 + 0.304 / 0.320 · 0.05 = 0.5475
        Assert.Equal(0.5475, stages.LambdaHigh!.Value, Tight);
        // MI reports stage 2 as [0.4, 0.6] from the grid; the interpolated boundaries lie inside it.
        Assert.InRange(stages.LambdaLow!.Value, 0.4, 0.6);
        Assert.InRange(stages.LambdaHigh!.Value, 0.4, 0.6);

        // Mean@k at λ10, between λ=0.40 (55.8) and 0.45 (58.5): 55.8 + (0.0330769 / 0.05) · 2.7 = 57.5861538 %.
        Assert.Equal(0.575861538, stages.MeanAtKAtLow!.Value, 1e-8);
        // Mean@k at λ90, between λ=0.50 (62.5) and 0.55 (67.6): 62.5 + 0.95 · 5.1 = 67.345 %.
        Assert.Equal(0.67345, stages.MeanAtKAtHigh!.Value, Tight);
        // Jump across stage 2: 67.345 − 57.5861538 = 9.7588462 points.
        Assert.Equal(0.097588462, stages.MeanAtKJump!.Value, 1e-8);

        Assert.Equal(1, stages.StageOf(0.0));
        Assert.Equal(1, stages.StageOf(0.4));
        Assert.Equal(2, stages.StageOf(0.45));
        Assert.Equal(2, stages.StageOf(0.5475));
        Assert.Equal(3, stages.StageOf(0.6));
        Assert.Equal(3, stages.StageOf(1.0));
    }

    [Fact]
    public void Thresholds_are_configurable()
    {
        SpectrumSeries linear = MiTable2.Spectrum().MainSeries(MiTable2.Benchmark, "linear")!;

        StageBoundaries stages = StageDetector.Detect(linear.Points, new StageThresholds(Low: 0.5, High: 0.99));

        // 50 %: between λ=0.45 (0.144) and 0.50 (0.596): 0.45 + 0.356 / 0.452 · 0.05 = 0.4893805…
        Assert.Equal(0.45 + 0.356 / 0.452 * 0.05, stages.LambdaLow!.Value, Tight);
        // 99 %: between λ=0.55 (0.916) and 0.60 (1.000): 0.55 + 0.074 / 0.084 · 0.05 = 0.5940476…
        Assert.Equal(0.55 + 0.074 / 0.084 * 0.05, stages.LambdaHigh!.Value, Tight);
    }

    [Fact]
    public void Input_order_does_not_matter()
    {
        List<SpectrumPoint> points = MiTable2.Points();
        StageBoundaries sorted = StageDetector.Detect(points);
        points.Reverse();
        (points[2], points[6]) = (points[6], points[2]);

        StageBoundaries shuffled = StageDetector.Detect(points);

        Assert.Equal(sorted, shuffled);
    }

    [Fact]
    public void Non_monotone_think_ratio_uses_the_first_upward_crossing()
    {
        // Think#R: 0, 0.2, 0.05, 0.95, 1 at λ = 0, 0.25, 0.5, 0.75, 1 (rises, dips below 10 %, rises again).
        SpectrumPoint[] points = Series((0, 0.0, 0.40), (0.25, 0.2, 0.50), (0.5, 0.05, 0.45), (0.75, 0.95, 0.70), (1, 1.0, 0.75));

        StageBoundaries stages = StageDetector.Detect(points);

        // 10 %: first reached at λ=0.25; segment [0, 0.25]: 0 + 0.1 / 0.2 · 0.25 = 0.125 (the later dip is ignored).
        Assert.Equal(0.125, stages.LambdaLow!.Value, Tight);
        // 90 %: first reached at λ=0.75; segment [0.5, 0.75]: 0.5 + (0.9 − 0.05) / (0.95 − 0.05) · 0.25 = 0.7361111…
        Assert.Equal(0.5 + 0.85 / 0.9 * 0.25, stages.LambdaHigh!.Value, Tight);
        // Mean@k at 0.125: 0.40 + 0.5 · 0.10 = 0.45; at 0.7361: 0.45 + (0.2361111 / 0.25) · 0.25 = 0.6861111.
        Assert.Equal(0.45, stages.MeanAtKAtLow!.Value, Tight);
        Assert.Equal(0.45 + 0.85 / 0.9 * 0.25, stages.MeanAtKAtHigh!.Value, Tight);
    }

    [Fact]
    public void A_series_that_starts_above_the_threshold_crosses_at_its_first_point()
    {
        SpectrumPoint[] points = Series((0.3, 0.5, 0.6), (0.6, 0.95, 0.7), (0.9, 1.0, 0.8));

        StageBoundaries stages = StageDetector.Detect(points);

        Assert.Equal(0.3, stages.LambdaLow);
        // 90 %: 0.3 + (0.9 − 0.5) / (0.95 − 0.5) · 0.3 = 0.5666…
        Assert.Equal(0.3 + 0.4 / 0.45 * 0.3, stages.LambdaHigh!.Value, Tight);
    }

    [Fact]
    public void A_series_that_never_reaches_the_high_threshold_has_no_stage_three()
    {
        SpectrumPoint[] points = Series((0, 0.0, 0.4), (0.5, 0.3, 0.5), (1, 0.6, 0.6));

        StageBoundaries stages = StageDetector.Detect(points);

        // 10 %: 0 + 0.1 / 0.3 · 0.5 = 0.1666…
        Assert.Equal(0.5 / 3, stages.LambdaLow!.Value, Tight);
        Assert.Null(stages.LambdaHigh);
        Assert.Null(stages.MeanAtKAtHigh);
        Assert.Null(stages.MeanAtKJump);
        Assert.Equal(2, stages.StageOf(1.0));
    }

    [Fact]
    public void A_series_that_never_thinks_stays_in_stage_one()
    {
        StageBoundaries stages = StageDetector.Detect(Series((0, 0, 0.4), (1, 0.05, 0.5)));

        Assert.Null(stages.LambdaLow);
        Assert.Null(stages.LambdaHigh);
        Assert.Equal(1, stages.StageOf(1.0));
    }

    [Fact]
    public void Interpolation_holds_the_end_values_outside_the_grid()
    {
        double[] lambdas = [0.2, 0.4];
        double[] values = [1, 3];

        Assert.Equal(1, StageDetector.InterpolateAt(lambdas, values, 0.0));
        Assert.Equal(2, StageDetector.InterpolateAt(lambdas, values, 0.3), Tight);
        Assert.Equal(3, StageDetector.InterpolateAt(lambdas, values, 0.9));
    }

    [Fact]
    public void Bad_series_and_thresholds_are_rejected_with_a_message()
    {
        Assert.Throws<AlloyInputException>(() => StageDetector.Detect([]));
        var twice = Assert.Throws<AlloyInputException>(() => StageDetector.Detect(Series((0.5, 0.1, 0.5), (0.5, 0.2, 0.6))));
        Assert.Contains("λ=0.5", twice.Message, StringComparison.Ordinal);
        var noLambda = Assert.Throws<AlloyInputException>(() => StageDetector.Detect([MiTable2.Point("cfg", 0.5, 100)]));
        Assert.Contains("'cfg'", noLambda.Message, StringComparison.Ordinal);
        Assert.Throws<AlloyInputException>(() => StageDetector.Detect(MiTable2.Points(), new StageThresholds(0.9, 0.1)));
        Assert.Throws<AlloyInputException>(() => StageDetector.Detect(MiTable2.Points(), new StageThresholds(double.NaN, 0.9)));
        Assert.Throws<AlloyInputException>(() => StageDetector.Detect(MiTable2.Points(), new StageThresholds(0, 0.9)));
    }

    private static SpectrumPoint[] Series(params (double Lambda, double Think, double Mean)[] rows) =>
        rows.Select((r, i) => MiTable2.Point($"p{i}", r.Mean, 1000, lambda: r.Lambda, think: r.Think)).ToArray();
}
