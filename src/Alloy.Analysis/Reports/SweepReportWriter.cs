// Rebuilds a sweep's analysis from its run directory alone (sweep.json + variants/*/*/metrics.json): spectrum.csv,
// plots (PNG + SVG), report.html and report.md. It reads and writes files and calls the analysis; it evaluates nothing.
using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Alloy.Analysis.Sweep;
using Alloy.Tensors;
using Alloy.Tensors.IO;

namespace Alloy.Analysis.Reports;

/// <summary>Choices of the report's recommendations and stages.</summary>
/// <param name="TokenBudget">An absolute mean-token budget for "most accurate under a budget"; null to use <paramref name="BudgetFractions"/>.</param>
/// <param name="BudgetFractions">Budgets as fractions of the thinking parent's mean tokens (default 1, 0.75, 0.5).</param>
/// <param name="Tolerances">"Cheapest within x of the best" tolerances, fractions of accuracy (default 0.01, 0.02, 0.05).</param>
/// <param name="Thresholds">Think#R thresholds of the stages; null for 10 % / 90 %.</param>
public sealed record ReportOptions(
    double? TokenBudget = null,
    IReadOnlyList<double>? BudgetFractions = null,
    IReadOnlyList<double>? Tolerances = null,
    StageThresholds? Thresholds = null)
{
    /// <summary>The default options.</summary>
    public static ReportOptions Default { get; } = new();
}

/// <summary>The files a report step wrote (absolute paths).</summary>
/// <param name="Html">report.html (or the path asked for).</param>
/// <param name="Markdown">report.md.</param>
/// <param name="SpectrumCsv">spectrum.csv.</param>
/// <param name="Plots">Every PNG and SVG written under RUNDIR/plots.</param>
/// <param name="Points">Spectrum points (variant × benchmark) in the report.</param>
/// <param name="Missing">"VARIANT/BENCH" pairs of sweep.json without a metrics.json (not yet evaluated).</param>
public sealed record ReportFiles(string Html, string Markdown, string SpectrumCsv, ImmutableArray<string> Plots, int Points, ImmutableArray<string> Missing);

/// <summary>The analysed content of a report, shared by the HTML and Markdown renderers.</summary>
/// <param name="RunName">The run directory's folder name.</param>
/// <param name="Manifest">sweep.json.</param>
/// <param name="Spectrum">All points.</param>
/// <param name="Pareto">Pareto flags of every point.</param>
/// <param name="Benchmarks">Per benchmark: plots, stages and recommendations.</param>
/// <param name="Missing">Pairs without metrics.</param>
public sealed record ReportContent(
    string RunName,
    SweepManifest Manifest,
    Spectrum Spectrum,
    ParetoReport Pareto,
    ImmutableArray<BenchmarkSection> Benchmarks,
    ImmutableArray<string> Missing)
{
    /// <summary>The parents' per-layer difference (RUNDIR/parents-diff.json), or null when the run has none.</summary>
    public ParentDifference? ParentDifference { get; init; }

    /// <summary>Its plot, or null.</summary>
    public RenderedPlot? ParentDifferencePlot { get; init; }

    /// <summary>The PNG file name of <see cref="ParentDifferencePlot"/> under plots/.</summary>
    public const string ParentDifferencePlotFile = "parents-layer-difference.png";
}

/// <summary>What the report shows for one benchmark.</summary>
/// <param name="Name">Benchmark name (its run folder name).</param>
/// <param name="AccuracyPlot">Accuracy vs tokens.</param>
/// <param name="AccuracyPlotFile">Its PNG file name under plots/.</param>
/// <param name="LambdaPlot">λ panels, or null when no series has λ.</param>
/// <param name="LambdaPlotFile">Its PNG file name, or null.</param>
/// <param name="Stages">Stages of the main linear series, or null when it has fewer than two λ points.</param>
/// <param name="Recommendations">(question, answer) pairs.</param>
public sealed record BenchmarkSection(
    string Name,
    RenderedPlot AccuracyPlot,
    string AccuracyPlotFile,
    RenderedPlot? LambdaPlot,
    string? LambdaPlotFile,
    StageBoundaries? Stages,
    ImmutableArray<(string Question, LambdaRecommendation Answer)> Recommendations)
{
    /// <summary>The layer/module ablation rows (empty when the sweep has no scoped variant).</summary>
    public IReadOnlyList<AblationRow> Ablations { get; init; } = [];

    /// <summary>The ablation bars, or null without ablations.</summary>
    public RenderedPlot? AblationPlot { get; init; }

    /// <summary>Its PNG file name under plots/, or null.</summary>
    public string? AblationPlotFile { get; init; }
}

/// <summary>Writes the report of a run directory.</summary>
public static partial class SweepReportWriter
{
    /// <summary>
    /// Reads RUNDIR/sweep.json and every RUNDIR/variants/VARIANT/BENCH/metrics.json it names, then writes RUNDIR/spectrum.csv,
    /// RUNDIR/plots/BENCH-accuracy-tokens.{png,svg} and BENCH-lambda.{png,svg}, RUNDIR/report.md and the HTML report
    /// (<paramref name="htmlPath"/>, default RUNDIR/report.html). Pairs without metrics are listed as not evaluated.
    /// </summary>
    /// <exception cref="AlloyInputException">RUNDIR or sweep.json is missing or invalid, a metrics.json is invalid, or no pair has metrics.</exception>
    public static ReportFiles Write(string runDirectory, string? htmlPath = null, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        runDirectory = Path.GetFullPath(runDirectory);
        ReportContent content = Analyze(runDirectory, options ?? ReportOptions.Default);

        string csvPath = Path.Combine(runDirectory, "spectrum.csv");
        AtomicFile.WriteAllText(csvPath, SpectrumCsvWriter.ToCsv(content.Pareto));
        string plotsDirectory = Path.Combine(runDirectory, "plots");
        Directory.CreateDirectory(plotsDirectory);
        var plots = ImmutableArray.CreateBuilder<string>();
        foreach (BenchmarkSection section in content.Benchmarks)
        {
            plots.AddRange(WritePlot(plotsDirectory, section.AccuracyPlotFile, section.AccuracyPlot));
            if (section.LambdaPlot is { } lambda) plots.AddRange(WritePlot(plotsDirectory, section.LambdaPlotFile!, lambda));
            if (section.AblationPlot is { } ablation) plots.AddRange(WritePlot(plotsDirectory, section.AblationPlotFile!, ablation));
        }
        if (content.ParentDifferencePlot is { } difference)
            plots.AddRange(WritePlot(plotsDirectory, ReportContent.ParentDifferencePlotFile, difference));
        string html = Path.GetFullPath(htmlPath ?? Path.Combine(runDirectory, "report.html"));
        string markdown = Path.Combine(runDirectory, "report.md");
        if (Path.GetDirectoryName(html) is { Length: > 0 } htmlFolder) Directory.CreateDirectory(htmlFolder);
        AtomicFile.WriteAllText(html, HtmlReport.Render(content));
        AtomicFile.WriteAllText(markdown, MarkdownReport.Render(content, "plots/"));
        return new ReportFiles(html, markdown, csvPath, plots.ToImmutable(), content.Spectrum.Points.Count, content.Missing);
    }

    /// <summary>Reads and analyses a run directory without writing anything.</summary>
    /// <exception cref="AlloyInputException">See <see cref="Write"/>.</exception>
    public static ReportContent Analyze(string runDirectory, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SweepManifest manifest = SweepManifest.Read(runDirectory);
        var points = new List<SpectrumPoint>();
        var missing = ImmutableArray.CreateBuilder<string>();
        foreach (ManifestBenchmark benchmark in manifest.Benchmarks)
            RequireSafe(benchmark.Directory, "benchmark directory", runDirectory);
        foreach (ManifestVariant variant in manifest.Variants)
        {
            RequireSafe(variant.Name, "variant name", runDirectory);
            foreach (ManifestBenchmark benchmark in manifest.Benchmarks)
            {
                string path = Path.Combine(SweepRunner.PairDirectory(runDirectory, variant.Name, benchmark.Directory), "metrics.json");
                if (!File.Exists(path))
                {
                    missing.Add(variant.Name + "/" + benchmark.Directory);
                    continue;
                }
                VariantMetrics m = VariantMetrics.ReadFile(path);
                points.Add(new SpectrumPoint(variant.Name, variant.Method, variant.Lambda, variant.Params, benchmark.Directory,
                    m.MeanAtK, m.MeanAtKCiLow, m.MeanAtKCiHigh, m.PassAtK, m.MeanTokens, m.ThinkRatio, m.TruncatedRatio, variant.Parent));
            }
        }
        if (points.Count == 0)
            throw new AlloyInputException($"{runDirectory}: no variant has a metrics.json under variants/VARIANT/BENCH/; expected at least one evaluated pair (run `alloy sweep` first)");
        var spectrum = new Spectrum(points);
        ParetoReport pareto = ParetoAnalysis.Analyze(spectrum);
        var sections = ImmutableArray.CreateBuilder<BenchmarkSection>();
        foreach (string benchmark in spectrum.Benchmarks)
            sections.Add(Section(spectrum, benchmark, options));
        ParentDifference? parents = ParentDifference.TryRead(runDirectory);
        return new ReportContent(Path.GetFileName(runDirectory.TrimEnd(Path.DirectorySeparatorChar)), manifest, spectrum, pareto, sections.ToImmutable(), missing.ToImmutable())
        {
            ParentDifference = parents,
            ParentDifferencePlot = parents is { Layers.IsEmpty: false } ? SpectrumPlots.LayerDifferences(parents) : null,
        };
    }

    private static BenchmarkSection Section(Spectrum spectrum, string benchmark, ReportOptions options)
    {
        StageBoundaries? stages = null;
        if (spectrum.MainSeries(benchmark, "linear") is { } linear && linear.LambdaPoints.Count >= 2)
            stages = StageDetector.Detect(linear.LambdaPoints, options.Thresholds);
        RenderedPlot accuracy = SpectrumPlots.AccuracyVersusTokens(spectrum, benchmark);
        bool hasLambda = spectrum.Series(benchmark).Any(s => s.LambdaPoints.Count > 0);
        RenderedPlot? lambda = hasLambda ? SpectrumPlots.LambdaPanels(spectrum, benchmark, stages) : null;

        var recommendations = ImmutableArray.CreateBuilder<(string, LambdaRecommendation)>();
        IReadOnlyList<SpectrumPoint> points = spectrum.PointsFor(benchmark);
        var budgets = new List<(double Budget, string Label)>();
        if (options.TokenBudget is double absolute)
            budgets.Add((absolute, $"{absolute:#,0} mean tokens"));
        else if (spectrum.ThinkingParent(benchmark) is { } thinking)
            foreach (double fraction in options.BudgetFractions ?? [1, 0.75, 0.5])
                budgets.Add((thinking.MeanTokens * fraction, $"{fraction * 100:0.#} % of the thinking parent's tokens ({thinking.MeanTokens * fraction:#,0})"));
        foreach (var (budget, label) in budgets)
            recommendations.Add(($"Most accurate within {label}", LambdaRecommender.MostAccurateWithinBudget(points, budget)));
        foreach (double tolerance in options.Tolerances ?? [0.01, 0.02, 0.05])
            recommendations.Add(($"Cheapest within {tolerance * 100:0.##} points of the best Mean@k", LambdaRecommender.CheapestNearBest(points, tolerance)));
        IReadOnlyList<AblationRow> ablations = AblationTable.Rows(spectrum, benchmark);
        return new BenchmarkSection(benchmark, accuracy, benchmark + "-accuracy-tokens.png", lambda, hasLambda ? benchmark + "-lambda.png" : null, stages, recommendations.ToImmutable())
        {
            Ablations = ablations,
            AblationPlot = ablations.Count > 0 ? SpectrumPlots.AblationBars(ablations, benchmark) : null,
            AblationPlotFile = ablations.Count > 0 ? benchmark + "-ablations.png" : null,
        };
    }

    private static IEnumerable<string> WritePlot(string folder, string pngName, RenderedPlot plot)
    {
        string png = Path.Combine(folder, pngName);
        string svg = Path.ChangeExtension(png, ".svg");
        AtomicFile.WriteAllBytes(png, plot.Png.Span);
        AtomicFile.WriteAllText(svg, plot.Svg);
        return [png, svg];
    }

    private static void RequireSafe(string name, string what, string runDirectory)
    {
        if (!SafeName().IsMatch(name) || name is "." or "..")
            throw new AlloyInputException($"{Path.Combine(runDirectory, SweepManifest.FileName)}: {what} '{name}' is not a safe folder name; expected letters, digits, '.', '_', '+' and '-' only");
    }

    [GeneratedRegex(@"^[A-Za-z0-9._+-]{1,200}$")]
    private static partial Regex SafeName();
}
