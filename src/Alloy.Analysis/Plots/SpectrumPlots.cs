// Charts of a spectrum drawn with ScottPlot: accuracy against tokens per benchmark, and panels along λ with the stages
// shaded. It returns PNG bytes and SVG text; it writes no files and computes nothing it could take from Pareto or Stages.
using System.Globalization;
using System.Text;
using Alloy.Analysis.Sweep;
using Alloy.Tensors;
using ScottPlot;
using SkiaSharp;

namespace Alloy.Analysis;

/// <summary>A rendered chart: the same picture as PNG bytes and as SVG text (to inline in an HTML report).</summary>
/// <param name="Png">PNG file bytes.</param>
/// <param name="Svg">A complete SVG document (UTF-8 text).</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public sealed record RenderedPlot(ReadOnlyMemory<byte> Png, string Svg, int Width, int Height);

/// <summary>The spectrum charts of MI and TS (accuracy–tokens scatter; Mean@k, Pass@k, tokens and Think#R against λ).</summary>
/// <remarks>
/// Accuracy, Pass@k and Think#R are drawn in percent (a fraction × 100). Every point that has a λ gets one text label
/// <c>λ=value</c> (invariant culture, shortest round-trip form); parents are labelled <c>instruct</c> / <c>thinking</c>
/// in front of it. Colours follow the Category10 palette in series order.
/// </remarks>
public static class SpectrumPlots
{
    private static readonly Color FrontierColor = new(0x44, 0x44, 0x44);
    private static readonly Color InstructColor = new(0x8C, 0x56, 0x4B);
    private static readonly Color ThinkingColor = new(0xD6, 0x27, 0x28);
    private static readonly Color[] StageColors =
    [
        new Color(0x1F, 0x77, 0xB4).WithAlpha(0.10),
        new Color(0xFF, 0x7F, 0x0E).WithAlpha(0.16),
        new Color(0x2C, 0xA0, 0x2C).WithAlpha(0.10),
    ];

    /// <summary>
    /// Mean@k (%) against mean tokens for one benchmark: one coloured curve per series (its λ points joined in λ order,
    /// its λ-less points as loose markers; a series made only of parents is left to the parent markers), a
    /// <c>λ=…</c> label on every point with a λ, vertical error bars from the Mean@k confidence intervals where given, the
    /// two parents drawn with large square (instruct) and diamond (thinking) markers, and the Pareto frontier
    /// (<see cref="ParetoAnalysis.Frontier"/>) as a dashed grey line.
    /// </summary>
    /// <exception cref="AlloyInputException">The spectrum has no point on <paramref name="benchmark"/>.</exception>
    public static RenderedPlot AccuracyVersusTokens(Spectrum spectrum, string benchmark, int width = 1100, int height = 700)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        RequireSize(width, height);
        IReadOnlyList<SpectrumPoint> points = RequirePoints(spectrum, benchmark);
        SpectrumPoint? instruct = spectrum.InstructParent(benchmark);
        SpectrumPoint? thinking = spectrum.ThinkingParent(benchmark);

        var plot = new Plot();
        IReadOnlyList<SpectrumPoint> frontier = ParetoAnalysis.Frontier(points);
        var frontierLine = plot.Add.ScatterLine(
            frontier.Select(p => p.MeanTokens).ToArray(), frontier.Select(p => Percent(p.MeanAtK)).ToArray(), FrontierColor);
        frontierLine.LinePattern = LinePattern.Dashed;
        frontierLine.LineWidth = 2;
        frontierLine.LegendText = "Pareto frontier";

        // A series made only of parents (e.g. parents evaluated on their own, without λ) is drawn by the parent markers.
        List<SpectrumSeries> series = spectrum.Series(benchmark)
            .Where(s => !s.Points.All(p => ReferenceEquals(p, instruct) || ReferenceEquals(p, thinking)))
            .ToList();
        for (int s = 0; s < series.Count; s++)
        {
            Color color = SeriesColor(s);
            IReadOnlyList<SpectrumPoint> seriesPoints = series[s].Points;
            List<SpectrumPoint> withCi = seriesPoints.Where(p => p.MeanAtKCiLow.HasValue).ToList();
            if (withCi.Count > 0)
            {
                var bars = new ScottPlot.Plottables.ErrorBar(
                    withCi.Select(p => p.MeanTokens).ToList(),
                    withCi.Select(p => Percent(p.MeanAtK)).ToList(),
                    null,
                    null,
                    withCi.Select(p => Percent(p.MeanAtKCiHigh!.Value) - Percent(p.MeanAtK)).ToList(),
                    withCi.Select(p => Percent(p.MeanAtK) - Percent(p.MeanAtKCiLow!.Value)).ToList())
                {
                    Color = color,
                    CapSize = 6,
                };
                plot.Add.Plottable(bars);
            }
            // The curve joins the λ points in λ order; points without λ get the series' markers but no line.
            IReadOnlyList<SpectrumPoint> onCurve = series[s].LambdaPoints;
            List<SpectrumPoint> offCurve = seriesPoints.Where(p => !p.Lambda.HasValue).ToList();
            bool legendGiven = false;
            if (onCurve.Count > 0)
            {
                var curve = plot.Add.Scatter(
                    onCurve.Select(p => p.MeanTokens).ToArray(), onCurve.Select(p => Percent(p.MeanAtK)).ToArray(), color);
                curve.MarkerSize = 7;
                curve.LineWidth = 1.5f;
                curve.LegendText = series[s].Label;
                legendGiven = true;
            }
            if (offCurve.Count > 0)
            {
                var loose = plot.Add.ScatterPoints(
                    offCurve.Select(p => p.MeanTokens).ToArray(), offCurve.Select(p => Percent(p.MeanAtK)).ToArray(), color);
                loose.MarkerSize = 7;
                if (!legendGiven) loose.LegendText = series[s].Label;
            }
        }

        AddParentMarker(plot, instruct, "instruct parent", MarkerShape.FilledSquare, InstructColor);
        AddParentMarker(plot, thinking, "thinking parent", MarkerShape.FilledDiamond, ThinkingColor);

        foreach (SpectrumPoint p in points)
        {
            string? label = PointLabel(p, instruct, thinking);
            if (label is null) continue;
            var text = plot.Add.Text(label, p.MeanTokens, Percent(p.MeanAtK));
            text.LabelFontSize = 12;
            text.LabelFontColor = Colors.Black;
            text.LabelBackgroundColor = Colors.White.WithAlpha(0.75); // legible over grid and frontier lines
            text.LabelAlignment = Alignment.LowerLeft;
            text.OffsetX = 6;
            text.OffsetY = -4;
        }

        plot.Title($"{benchmark}: accuracy vs tokens");
        plot.XLabel("Mean tokens per response");
        plot.YLabel("Mean@k (%)");
        plot.ShowLegend(Edge.Right);
        // Room on the right and above for the labels of the outermost points.
        plot.Axes.Margins(left: 0.05, right: 0.14, bottom: 0.06, top: 0.08);
        return Render([plot], columns: 1, width, height);
    }

    /// <summary>
    /// Four panels along λ for one benchmark (Mean@k %, Pass@k %, mean tokens, Think#R %), one curve per series that has
    /// λ values (points without λ are left out). With <paramref name="stages"/>, each panel shades stage 1
    /// [0, λ_low), stage 2 [λ_low, λ_high] and stage 3 (λ_high, 1] (a missing boundary ends the shading at 1), and the
    /// Think#R panel draws the two thresholds as dashed lines.
    /// </summary>
    /// <exception cref="AlloyInputException">The spectrum has no point with a λ on <paramref name="benchmark"/>.</exception>
    public static RenderedPlot LambdaPanels(Spectrum spectrum, string benchmark, StageBoundaries? stages, int width = 1200, int height = 850)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        RequireSize(width, height);
        RequirePoints(spectrum, benchmark);
        List<SpectrumSeries> series = spectrum.Series(benchmark).Where(s => s.LambdaPoints.Count > 0).ToList();
        if (series.Count == 0)
            throw new AlloyInputException($"Benchmark '{benchmark}' has no point with a λ; the λ panels need a λ sweep.");

        (string Title, string Axis, Func<SpectrumPoint, double?> Value)[] panels =
        [
            ("Mean@k", "Mean@k (%)", p => Percent(p.MeanAtK)),
            ("Pass@k", "Pass@k (%)", p => p.PassAtK is double pass ? Percent(pass) : null),
            ("Mean tokens", "Mean tokens per response", p => p.MeanTokens),
            ("Think#R", "Think#R (%)", p => Percent(p.ThinkRatio)),
        ];
        var plots = new List<Plot>(panels.Length);
        for (int i = 0; i < panels.Length; i++)
        {
            var plot = new Plot();
            bool isThinkPanel = i == panels.Length - 1;
            if (stages is not null) ShadeStages(plot, stages, withLegend: isThinkPanel);
            for (int s = 0; s < series.Count; s++)
            {
                List<(double Lambda, double Value)> xy = series[s].LambdaPoints
                    .Select(p => (Lambda: p.Lambda!.Value, Value: panels[i].Value(p)))
                    .Where(v => v.Value.HasValue)
                    .Select(v => (v.Lambda, v.Value!.Value))
                    .ToList();
                if (xy.Count == 0) continue;
                var curve = plot.Add.Scatter(xy.Select(v => v.Lambda).ToArray(), xy.Select(v => v.Value).ToArray(), SeriesColor(s));
                curve.MarkerSize = 6;
                curve.LineWidth = 1.5f;
                if (isThinkPanel) curve.LegendText = series[s].Label;
            }
            if (isThinkPanel && stages is not null)
            {
                foreach (double threshold in new[] { stages.Thresholds.Low, stages.Thresholds.High })
                {
                    var line = plot.Add.HorizontalLine(Percent(threshold), 1, FrontierColor, LinePattern.Dashed);
                    line.LineWidth = 1;
                }
            }
            plot.Title($"{benchmark}: {panels[i].Title} vs λ");
            plot.XLabel("λ (thinking weight)");
            plot.YLabel(panels[i].Axis);
            if (isThinkPanel) plot.ShowLegend(Alignment.LowerRight);
            plots.Add(plot);
        }
        return Render(plots, columns: 2, width, height);
    }

    /// <summary>
    /// Ablation bars for one benchmark: per bar group (the instruct parent, then each scoped variant preceded by its full
    /// merge when the sweep has it) two bars, Mean@k (%) and Think#R (%), labelled with the variant names.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is empty.</exception>
    public static RenderedPlot AblationBars(IReadOnlyList<AblationRow> rows, string benchmark, int width = 1100, int height = 600)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new ArgumentException("an ablation plot needs at least one scoped variant", nameof(rows));
        RequireSize(width, height);
        var groups = new List<SpectrumPoint>();
        if (rows[0].Instruct is { } instruct) groups.Add(instruct);
        foreach (var row in rows)
        {
            if (row.FullMerge is { } full && !groups.Contains(full)) groups.Add(full);
            groups.Add(row.Point);
        }
        var plot = new Plot();
        Color accuracy = SeriesColor(0), think = SeriesColor(1);
        var bars = new List<ScottPlot.Bar>();
        var ticks = new List<Tick>();
        for (int g = 0; g < groups.Count; g++)
        {
            double center = g * 3;
            bars.Add(new ScottPlot.Bar { Position = center - 0.45, Value = Percent(groups[g].MeanAtK), FillColor = accuracy, Size = 0.9 });
            bars.Add(new ScottPlot.Bar { Position = center + 0.45, Value = Percent(groups[g].ThinkRatio), FillColor = think, Size = 0.9 });
            ticks.Add(new Tick(center, groups[g].Variant));
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 140;
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Mean@k (%)", FillColor = accuracy });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Think#R (%)", FillColor = think });
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimitsY(0, 105);
        plot.Title($"{benchmark}: layer / module ablations");
        plot.YLabel("%");
        return Render([plot], columns: 1, width, height);
    }

    /// <summary>
    /// Per-layer weight difference between the parents: ‖Θ_T − Θ_I‖ / ‖Θ_I‖ against the layer index, one curve over
    /// all of a layer's tensors and one each for its attention and MLP tensors.
    /// </summary>
    /// <exception cref="ArgumentException">No layer.</exception>
    public static RenderedPlot LayerDifferences(ParentDifference difference, int width = 1100, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(difference);
        if (difference.Layers.IsEmpty)
            throw new ArgumentException("the parents' difference has no decoder layer", nameof(difference));
        RequireSize(width, height);
        var plot = new Plot();
        (string Label, Func<LayerDifference, double?> Value)[] curves =
        [
            ("whole layer", l => l.All),
            ("attention", l => l.Attention),
            ("mlp", l => l.Mlp),
        ];
        for (int c = 0; c < curves.Length; c++)
        {
            var xy = difference.Layers.Select(l => (X: (double)l.Layer, Y: curves[c].Value(l))).Where(v => v.Y is double y && double.IsFinite(y)).ToList();
            if (xy.Count == 0) continue;
            var line = plot.Add.Scatter(xy.Select(v => v.X).ToArray(), xy.Select(v => v.Y!.Value).ToArray(), SeriesColor(c));
            line.MarkerSize = 5;
            line.LineWidth = 1.5f;
            line.LegendText = curves[c].Label;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title("Where the parents differ: relative L2 distance per layer");
        plot.XLabel("layer");
        plot.YLabel("relative L2: |thinking − instruct| / |instruct|");
        plot.ShowLegend(Alignment.UpperLeft);
        return Render([plot], columns: 1, width, height);
    }

    /// <summary>
    /// The text label of a point on the accuracy–tokens chart, or null when it gets none: <c>λ=value</c> for points with
    /// a λ, prefixed by <c>instruct </c> or <c>thinking </c> for the parents; parents without λ get the bare role name.
    /// </summary>
    public static string? PointLabel(SpectrumPoint point, SpectrumPoint? instructParent, SpectrumPoint? thinkingParent)
    {
        ArgumentNullException.ThrowIfNull(point);
        string? role = ReferenceEquals(point, instructParent) ? "instruct" : ReferenceEquals(point, thinkingParent) ? "thinking" : null;
        string? lambda = point.Lambda is double l ? "λ=" + l.ToString("R", CultureInfo.InvariantCulture) : null;
        return (role, lambda) switch
        {
            (null, null) => null,
            (null, _) => lambda,
            (_, null) => role,
            _ => role + " " + lambda,
        };
    }

    private static void AddParentMarker(Plot plot, SpectrumPoint? parent, string legend, MarkerShape shape, Color color)
    {
        if (parent is null) return;
        if (parent.MeanAtKCiLow is double low && parent.MeanAtKCiHigh is double high)
        {
            var bar = new ScottPlot.Plottables.ErrorBar(
                [parent.MeanTokens], [Percent(parent.MeanAtK)], null, null,
                [Percent(high) - Percent(parent.MeanAtK)], [Percent(parent.MeanAtK) - Percent(low)])
            {
                Color = color,
                CapSize = 6,
            };
            plot.Add.Plottable(bar);
        }
        var marker = plot.Add.Marker(parent.MeanTokens, Percent(parent.MeanAtK), shape, 16, color);
        marker.LegendText = $"{legend} ({parent.Variant})";
    }

    private static void ShadeStages(Plot plot, StageBoundaries stages, bool withLegend)
    {
        double low = stages.LambdaLow ?? 1;
        double high = stages.LambdaHigh ?? 1;
        (double From, double To, string Name)[] spans =
        [
            (0, low, string.Create(CultureInfo.InvariantCulture, $"stage 1: λ < {low:0.###}")),
            (low, high, string.Create(CultureInfo.InvariantCulture, $"stage 2: {low:0.###} ≤ λ ≤ {high:0.###}")),
            (high, 1, string.Create(CultureInfo.InvariantCulture, $"stage 3: λ > {high:0.###}")),
        ];
        for (int i = 0; i < spans.Length; i++)
        {
            if (spans[i].To <= spans[i].From) continue;
            var span = plot.Add.HorizontalSpan(spans[i].From, spans[i].To, StageColors[i]);
            span.LineWidth = 0;
            if (withLegend) span.LegendText = spans[i].Name;
        }
    }

    private static RenderedPlot Render(IReadOnlyList<Plot> plots, int columns, int width, int height)
    {
        int rows = (plots.Count + columns - 1) / columns;
        float cellWidth = (float)width / columns;
        float cellHeight = (float)height / rows;

        void Draw(SKCanvas canvas)
        {
            canvas.Clear(SKColors.White);
            for (int i = 0; i < plots.Count; i++)
            {
                float left = i % columns * cellWidth;
                float top = i / columns * cellHeight;
                // Each plot clears its background, so clip it to its own cell.
                canvas.Save();
                canvas.ClipRect(new SKRect(left, top, left + cellWidth, top + cellHeight));
                plots[i].Render(canvas, new PixelRect(left, left + cellWidth, top + cellHeight, top));
                canvas.Restore();
            }
        }

        byte[] png;
        using (SKSurface surface = SKSurface.Create(new SKImageInfo(width, height)))
        {
            Draw(surface.Canvas);
            using SKImage image = surface.Snapshot();
            using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
            png = data.ToArray();
        }

        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        using (SKCanvas canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), managed))
        {
            Draw(canvas);
        }
        string svg = Encoding.UTF8.GetString(stream.ToArray());
        return new RenderedPlot(png, svg, width, height);
    }

    private static IReadOnlyList<SpectrumPoint> RequirePoints(Spectrum spectrum, string benchmark)
    {
        IReadOnlyList<SpectrumPoint> points = spectrum.PointsFor(benchmark);
        if (points.Count == 0)
            throw new AlloyInputException($"Benchmark '{benchmark}' has no points in the spectrum; pick one of: {string.Join(", ", spectrum.Benchmarks)}.");
        return points;
    }

    private static void RequireSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 10_000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 10_000);
    }

    private static Color SeriesColor(int index)
    {
        Color[] palette = new ScottPlot.Palettes.Category10().Colors;
        return palette[index % palette.Length];
    }

    private static double Percent(double fraction) => fraction * 100;
}
