// MI's Table 2 (Qwen3-4B, AIME'25, k = 64) transcribed as spectrum points: the paper's published numbers, used as test input.
// Source: Wu et al., "Revisiting Model Interpolation for Efficient Reasoning", arXiv 2510.10977, Table 2 (via shared/reference/papers.md).
namespace Alloy.Analysis.Tests;

internal static class MiTable2
{
    public const string Benchmark = "aime25";

    private static readonly Dictionary<string, string> NoParams = [];

    // λ, Mean@64 %, Pass@64 %, mean tokens, Think#R %. λ = 0 is the instruct parent, λ = 1 the thinking parent.
    public static readonly (double Lambda, double Mean, double Pass, double Tokens, double Think)[] Rows =
    [
        (0.0, 46.6, 76.7, 15097, 0.0),
        (0.2, 52.2, 86.7, 16794, 0.0),
        (0.4, 55.8, 90.0, 12448, 1.4),
        (0.45, 58.5, 93.3, 11290, 14.4),
        (0.5, 62.5, 90.0, 11189, 59.6),
        (0.55, 67.6, 90.0, 11634, 91.6),
        (0.6, 71.0, 90.0, 12681, 100.0),
        (0.8, 80.5, 93.3, 17574, 99.9),
        (1.0, 80.4, 90.0, 22813, 99.9),
    ];

    public static string VariantName(double lambda) => "linear-" + lambda.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    public static List<SpectrumPoint> Points() =>
        Rows.Select(r => new SpectrumPoint(
                VariantName(r.Lambda), "linear", r.Lambda, NoParams, Benchmark,
                MeanAtK: Fraction(r.Mean), MeanAtKCiLow: null, MeanAtKCiHigh: null, PassAtK: Fraction(r.Pass),
                MeanTokens: r.Tokens, ThinkRatio: Fraction(r.Think), TruncatedRatio: 0))
            .ToList();

    // Percent to fraction through decimal, so 93.3 becomes the double nearest 0.933 (93.3 / 100 in double is not).
    private static double Fraction(double percent) => (double)((decimal)percent / 100m);

    public static Spectrum Spectrum() => new(Points());

    public static SpectrumPoint Point(
        string variant, double meanAtK, double tokens, double? lambda = null, string benchmark = "b",
        double? ciLow = null, double? ciHigh = null, string method = "linear", ParentRole parent = ParentRole.None,
        IReadOnlyDictionary<string, string>? parameters = null, double think = 0) =>
        new(variant, method, lambda, parameters ?? NoParams, benchmark, meanAtK, ciLow, ciHigh, PassAtK: null,
            MeanTokens: tokens, ThinkRatio: think, TruncatedRatio: 0, Parent: parent);
}
