// Tests of the ScottPlot charts: they render headless to well-formed SVG with the expected labels and markers, and to PNG.
namespace Alloy.Analysis.Tests;

using System.Xml.Linq;
using Alloy.Tensors;
using SkiaSharp;

public class SpectrumPlotsTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Accuracy_vs_tokens_labels_every_lambda_point_and_marks_the_parents()
    {
        Spectrum spectrum = WithSlerp(MiTable2.Points());

        RenderedPlot plot = SpectrumPlots.AccuracyVersusTokens(spectrum, MiTable2.Benchmark);

        XDocument svg = XDocument.Parse(plot.Svg); // well-formed
        List<string> texts = Texts(svg);
        // 9 linear points (parents included) + 3 slerp points with λ; the λ-less point gets no label.
        Assert.Equal(12, texts.Count(t => t.Contains("λ=", StringComparison.Ordinal)));
        Assert.Single(texts, "instruct λ=0");
        Assert.Single(texts, "thinking λ=1");
        Assert.Single(texts, "λ=0.45");
        Assert.Contains("Pareto frontier", texts);
        Assert.Contains("instruct parent (linear-0)", texts);
        Assert.Contains("thinking parent (linear-1)", texts);
        Assert.Contains("Mean tokens per response", texts);
        Assert.Contains("Mean@k (%)", texts);
        // Circle markers: one per series point (9 linear + 4 slerp) plus one legend swatch per series (2).
        Assert.Equal(9 + 4 + 2, svg.Descendants(Svg + "ellipse").Count());
        AssertPng(plot.Png, plot.Width, plot.Height);
    }

    [Fact]
    public void Parents_evaluated_on_their_own_are_drawn_once_as_parent_markers()
    {
        List<SpectrumPoint> points = MiTable2.Points().Skip(1).SkipLast(1).ToList(); // the seven merges
        points.Add(MiTable2.Point("Qwen3-4B-Instruct-2507", 0.466, 15097, benchmark: MiTable2.Benchmark, method: "instruct", parent: ParentRole.Instruct));
        points.Add(MiTable2.Point("Qwen3-4B-Thinking-2507", 0.804, 22813, benchmark: MiTable2.Benchmark, method: "thinking", parent: ParentRole.Thinking));

        RenderedPlot plot = SpectrumPlots.AccuracyVersusTokens(new Spectrum(points), MiTable2.Benchmark);

        XDocument svg = XDocument.Parse(plot.Svg);
        List<string> texts = Texts(svg);
        Assert.Equal(7, texts.Count(t => t.StartsWith("λ=", StringComparison.Ordinal)));
        Assert.Single(texts, "instruct");
        Assert.Single(texts, "thinking");
        Assert.Contains("instruct parent (Qwen3-4B-Instruct-2507)", texts);
        Assert.DoesNotContain("thinking parent (linear-1)", texts);
        // 7 merge markers plus the linear legend swatch: the parents are a square and a diamond, not circles.
        Assert.Equal(7 + 1, svg.Descendants(Svg + "ellipse").Count());
    }

    [Fact]
    public void Names_with_markup_characters_still_give_well_formed_svg()
    {
        var odd = new Dictionary<string, string> { ["note"] = "a<b & \"c\"" };
        List<SpectrumPoint> points = MiTable2.Points();
        points.Add(MiTable2.Point("x<&>", 0.6, 12000, lambda: 0.3, benchmark: MiTable2.Benchmark, method: "ties", parameters: odd));

        RenderedPlot plot = SpectrumPlots.AccuracyVersusTokens(new Spectrum(points), MiTable2.Benchmark);

        Assert.Contains("ties [note=a<b & \"c\"]", Texts(XDocument.Parse(plot.Svg)));
    }

    [Fact]
    public void Lambda_panels_draw_four_panels_with_the_stages_shaded()
    {
        Spectrum spectrum = MiTable2.Spectrum();
        StageBoundaries stages = StageDetector.Detect(spectrum.MainSeries(MiTable2.Benchmark, "linear")!.Points);

        RenderedPlot plot = SpectrumPlots.LambdaPanels(spectrum, MiTable2.Benchmark, stages);

        XDocument svg = XDocument.Parse(plot.Svg);
        List<string> texts = Texts(svg);
        foreach (string panel in new[] { "Mean@k", "Pass@k", "Mean tokens", "Think#R" })
            Assert.Single(texts, $"aime25: {panel} vs λ");
        Assert.Equal(3, texts.Count(t => t.StartsWith("stage ", StringComparison.Ordinal)));
        Assert.Contains("stage 2: 0.433 ≤ λ ≤ 0.548", texts); // λ10 = 0.43308, λ90 = 0.5475 (see StageDetectorTests)
        // 9 points in each of the 4 panels, plus the one legend swatch of the linear series.
        Assert.Equal(4 * 9 + 1, svg.Descendants(Svg + "ellipse").Count());
        AssertPng(plot.Png, plot.Width, plot.Height);

        RenderedPlot plain = SpectrumPlots.LambdaPanels(spectrum, MiTable2.Benchmark, stages: null);
        Assert.DoesNotContain(Texts(XDocument.Parse(plain.Svg)), t => t.StartsWith("stage ", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_pass_at_k_leaves_those_points_out_of_its_panel_only()
    {
        List<SpectrumPoint> points = MiTable2.Points();
        points[3] = points[3] with { PassAtK = null };

        RenderedPlot plot = SpectrumPlots.LambdaPanels(new Spectrum(points), MiTable2.Benchmark, stages: null);

        Assert.Equal(4 * 9 - 1 + 1, XDocument.Parse(plot.Svg).Descendants(Svg + "ellipse").Count());
    }

    [Fact]
    public void Unknown_benchmarks_and_spectra_without_lambda_are_rejected()
    {
        Spectrum spectrum = MiTable2.Spectrum();
        var unknown = Assert.Throws<AlloyInputException>(() => SpectrumPlots.AccuracyVersusTokens(spectrum, "gpqa"));
        Assert.Contains("aime25", unknown.Message, StringComparison.Ordinal);
        var noLambda = new Spectrum([MiTable2.Point("cfg", 0.5, 100)]);
        Assert.Throws<AlloyInputException>(() => SpectrumPlots.LambdaPanels(noLambda, "b", stages: null));
    }

    [Theory]
    [InlineData("cfg", null, null)]
    [InlineData("m", 0.25, "λ=0.25")]
    [InlineData("i", 0.0, "instruct λ=0")]
    [InlineData("t", null, "thinking")]
    public void Point_labels(string variant, double? lambda, string? expected)
    {
        SpectrumPoint point = MiTable2.Point(variant, 0.5, 100, lambda: lambda);
        SpectrumPoint? instruct = variant == "i" ? point : null;
        SpectrumPoint? thinking = variant == "t" ? point : null;

        Assert.Equal(expected, SpectrumPlots.PointLabel(point, instruct, thinking));
    }

    private static Spectrum WithSlerp(List<SpectrumPoint> points)
    {
        var none = new Dictionary<string, string>();
        points.Add(new SpectrumPoint("slerp-0.3", "slerp", 0.3, none, MiTable2.Benchmark, 0.54, 0.50, 0.58, 0.9, 14000, 0.01, 0));
        points.Add(new SpectrumPoint("slerp-0.5", "slerp", 0.5, none, MiTable2.Benchmark, 0.60, 0.56, 0.64, 0.9, 11800, 0.40, 0));
        points.Add(new SpectrumPoint("slerp-0.7", "slerp", 0.7, none, MiTable2.Benchmark, 0.74, 0.70, 0.78, 0.9, 15000, 0.98, 0));
        points.Add(new SpectrumPoint("slerp-hand", "slerp", null, none, MiTable2.Benchmark, 0.70, 0.66, 0.74, 0.9, 16000, 0.98, 0));
        return new Spectrum(points);
    }

    private static List<string> Texts(XDocument svg) =>
        svg.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();

    private static void AssertPng(ReadOnlyMemory<byte> png, int width, int height)
    {
        using SKBitmap bitmap = SKBitmap.Decode(png.ToArray());
        Assert.NotNull(bitmap);
        Assert.Equal(width, bitmap.Width);
        Assert.Equal(height, bitmap.Height);
        // Not blank: the Category10 blue of the first series is drawn somewhere.
        var blue = new SKColor(0x1F, 0x77, 0xB4);
        Assert.True(bitmap.Pixels.Contains(blue), "the PNG has no pixel of the first series' colour");
    }
}
