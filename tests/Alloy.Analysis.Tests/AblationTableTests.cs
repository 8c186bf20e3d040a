// Ablation tables: scoped points are matched with the full merge of the same method, λ and other parameters; the
// derived differences; the bars render; and the parents' per-layer difference round-trips through its file.
using Alloy.Analysis.Reports;
using Alloy.Analysis.Sweep;
using Alloy.Analysis.Tests.Sweep;

namespace Alloy.Analysis.Tests;

public sealed class AblationTableTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Dictionary<string, string> P(params (string Key, string Value)[] kv) => kv.ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal);

    private static Spectrum Mi() => new([
        MiTable2.Point("instruct", 0.466, 15097, 0, think: 0),
        MiTable2.Point("thinking", 0.804, 22813, 1, think: 0.999),
        MiTable2.Point("linear-l0.80", 0.805, 17574, 0.8, think: 0.999),
        MiTable2.Point("ties-l0.80-d0.20", 0.70, 16000, 0.8, method: "ties", parameters: P(("density", "0.2"))),
        MiTable2.Point("linear-l0.80-mlp", 0.60, 16000, 0.8, parameters: P(("modules", "mlp")), think: 0.95),
        MiTable2.Point("linear-l0.80-attention", 0.50, 15500, 0.8, parameters: P(("modules", "attention")), think: 0.05),
        MiTable2.Point("ties-l0.80-d0.20-layers12-35", 0.55, 15800, 0.8, method: "ties", parameters: P(("density", "0.2"), ("layers", "12-35"))),
        MiTable2.Point("linear-l0.30-mlp", 0.47, 15000, 0.3, parameters: P(("modules", "mlp"))),
    ]);

    [Fact]
    public void Scoped_points_are_matched_with_the_full_merge_of_the_same_method_lambda_and_parameters()
    {
        var rows = AblationTable.Rows(Mi(), "b");
        Assert.Equal(["linear-l0.80-mlp", "linear-l0.80-attention", "ties-l0.80-d0.20-layers12-35", "linear-l0.30-mlp"], rows.Select(r => r.Point.Variant));
        Assert.Equal(["linear-l0.80", "linear-l0.80", "ties-l0.80-d0.20", null], rows.Select(r => r.FullMerge?.Variant));
        Assert.Equal("layers 12-35", rows[2].Scope);
        Assert.Equal("modules mlp", rows[0].Scope);

        var mlp = rows[0];
        Assert.Equal(0.60 - 0.466, mlp.MeanAtKOverInstruct!.Value, 12);
        Assert.Equal((0.60 - 0.466) / (0.805 - 0.466), mlp.GainRecovered!.Value, 12);
        Assert.Equal(0.95 - 0.999, mlp.ThinkRatioVsFull!.Value, 12);
        Assert.Equal(16000 - 17574, mlp.TokensVsFull!.Value, 9);
        Assert.Null(rows[3].GainRecovered);
        Assert.Equal("–", AblationText.Row(rows[3])[6]);
        Assert.Equal(["linear-l0.80-mlp", "modules mlp", "60.0 %", "16,000", "95.0 %", "linear-l0.80", "-20.5", "-4.9", "-1,574", "39.5 %"], AblationText.Row(mlp));
    }

    [Fact]
    public void A_sweep_without_scoped_points_has_no_ablation_rows_and_the_bars_render_for_one_with_them()
    {
        Assert.Empty(AblationTable.Rows(MiTable2.Spectrum(), MiTable2.Benchmark));
        var plot = SpectrumPlots.AblationBars(AblationTable.Rows(Mi(), "b"), "b");
        Assert.Contains("<svg", plot.Svg, StringComparison.Ordinal);
        Assert.True(plot.Png.Length > 1000);
        Assert.Throws<ArgumentException>(() => SpectrumPlots.AblationBars([], "b"));
    }

    [Fact]
    public void The_parents_difference_is_computed_per_layer_and_round_trips_through_its_file()
    {
        var thinking = TinyParents.WriteThinking(_temp.Sub("thinking"));
        var difference = ParentDifference.Compute(TinyParents.Instruct, thinking, threads: 1);
        Assert.NotEmpty(difference.Layers);
        Assert.All(difference.Layers, l => Assert.True(l.All > 0 && double.IsFinite(l.All)));
        Assert.True(difference.Total > 0);
        difference.Write(_temp.Path);
        var read = ParentDifference.TryRead(_temp.Path)!;
        Assert.Equal(difference.Layers.Select(l => (l.Layer, l.All, l.Attention, l.Mlp)), read.Layers.Select(l => (l.Layer, l.All, l.Attention, l.Mlp)));
        Assert.Equal(difference.Modules.Select(m => m.Module), read.Modules.Select(m => m.Module));
        Assert.Contains("<svg", SpectrumPlots.LayerDifferences(read).Svg, StringComparison.Ordinal);
        Assert.Null(ParentDifference.TryRead(_temp.Sub("none")));
        File.WriteAllText(Path.Combine(_temp.Path, ParentDifference.FileName), "{\"layers\": 3}");
        Assert.Throws<Alloy.Tensors.AlloyInputException>(() => ParentDifference.TryRead(_temp.Path));
    }
}
