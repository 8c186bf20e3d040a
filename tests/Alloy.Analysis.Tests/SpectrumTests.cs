// Tests of the spectrum collection: parent recognition, series grouping and rejection of bad points.
namespace Alloy.Analysis.Tests;

using Alloy.Tensors;

public class SpectrumTests
{
    [Fact]
    public void Linear_points_at_lambda_0_and_1_without_params_are_the_parents()
    {
        var ablation = new Dictionary<string, string> { ["layers"] = "12-35" };
        var spectrum = new Spectrum(
        [
            MiTable2.Point("ablation-1", 0.6, 100, lambda: 1, parameters: ablation),
            MiTable2.Point("i", 0.5, 100, lambda: 0),
            MiTable2.Point("t", 0.8, 300, lambda: 1, method: "Linear"),
            MiTable2.Point("slerp-1", 0.8, 300, lambda: 1, method: "slerp"),
        ]);

        Assert.Equal("i", spectrum.InstructParent("b")!.Variant);
        Assert.Equal("t", spectrum.ThinkingParent("b")!.Variant);
        Assert.Null(spectrum.ThinkingParent("other"));
    }

    [Fact]
    public void Explicit_flags_win_over_linear_endpoints()
    {
        var spectrum = new Spectrum(
        [
            MiTable2.Point("linear-0", 0.5, 100, lambda: 0),
            MiTable2.Point("Qwen3-4B-Instruct", 0.5, 100, method: "parent", parent: ParentRole.Instruct),
        ]);

        Assert.Equal("Qwen3-4B-Instruct", spectrum.InstructParent("b")!.Variant);
        Assert.Null(spectrum.ThinkingParent("b"));
    }

    [Fact]
    public void Ambiguous_parents_and_repeated_variants_are_rejected()
    {
        var twoFlags = Assert.Throws<AlloyInputException>(() => new Spectrum(
        [
            MiTable2.Point("a", 0.5, 100, parent: ParentRole.Thinking),
            MiTable2.Point("b", 0.5, 100, parent: ParentRole.Thinking),
        ]));
        Assert.Contains("'a', 'b'", twoFlags.Message, StringComparison.Ordinal);
        Assert.Throws<AlloyInputException>(() => new Spectrum(
        [
            MiTable2.Point("a", 0.5, 100, lambda: 0),
            MiTable2.Point("b", 0.6, 100, lambda: 0),
        ]));
        var repeated = Assert.Throws<AlloyInputException>(() => new Spectrum(
        [
            MiTable2.Point("a", 0.5, 100, lambda: 0.2),
            MiTable2.Point("a", 0.6, 100, lambda: 0.3),
        ]));
        Assert.Contains("'a'", repeated.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, 100.0, "mean_at_k")]
    [InlineData(1.2, 100.0, "mean_at_k")]
    [InlineData(0.5, -1.0, "mean_tokens")]
    [InlineData(0.5, double.PositiveInfinity, "mean_tokens")]
    public void Invalid_values_are_rejected_naming_the_field(double meanAtK, double tokens, string field)
    {
        var error = Assert.Throws<AlloyInputException>(() => new Spectrum([MiTable2.Point("bad", meanAtK, tokens)]));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains("'bad'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Confidence_intervals_must_be_complete_and_ordered()
    {
        Assert.Throws<AlloyInputException>(() => new Spectrum([MiTable2.Point("a", 0.5, 1, ciLow: 0.4)]));
        Assert.Throws<AlloyInputException>(() => new Spectrum([MiTable2.Point("a", 0.5, 1, ciLow: 0.6, ciHigh: 0.4)]));
    }

    [Fact]
    public void Series_group_by_method_and_params_and_sort_by_lambda()
    {
        var dense = new Dictionary<string, string> { ["scale"] = "1", ["density"] = "0.2" };
        var spectrum = new Spectrum(
        [
            MiTable2.Point("l-0.8", 0.7, 100, lambda: 0.8),
            MiTable2.Point("ties-0.5", 0.6, 100, lambda: 0.5, method: "ties", parameters: dense),
            MiTable2.Point("l-0.2", 0.5, 100, lambda: 0.2),
            MiTable2.Point("cfg", 0.5, 100, method: "linear"),
        ]);

        IReadOnlyList<SpectrumSeries> series = spectrum.Series("b");

        Assert.Equal(2, series.Count);
        Assert.Equal(["l-0.2", "l-0.8", "cfg"], series[0].Points.Select(p => p.Variant));
        Assert.Equal(["l-0.2", "l-0.8"], series[0].LambdaPoints.Select(p => p.Variant));
        Assert.Equal("density=0.2;scale=1", series[1].ParamsText);
        Assert.Equal("ties [density=0.2;scale=1]", series[1].Label);
    }
}
