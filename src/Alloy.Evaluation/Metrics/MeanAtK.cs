// Mean@k: accuracy averaged over k samples per problem, with a t-interval over sample indices and the standard
// error over problems. Pure arithmetic over a problems × samples grid; no grading here.
namespace Alloy.Evaluation.Metrics;

/// <summary>
/// The Mean@k summary of a problems × samples grid of scores (N problems, k samples each).
/// </summary>
/// <param name="Problems">N.</param>
/// <param name="Samples">k.</param>
/// <param name="Mean">(1/(N·k)) Σ_p Σ_j s_pj, equal to the mean over j of a_j = (1/N) Σ_p s_pj.</param>
/// <param name="IntervalLow">Mean − t·SE_j (NaN when k = 1).</param>
/// <param name="IntervalHigh">Mean + t·SE_j (NaN when k = 1).</param>
/// <param name="SampleIndexStandardError">SE_j = sd(a_1..a_k)/√k with the n−1 (Bessel) sd; NaN when k = 1.</param>
/// <param name="ProblemStandardError">sd(m_1..m_N)/√N over per-problem means m_p = (1/k) Σ_j s_pj; NaN when N = 1.</param>
public readonly record struct MeanAtKResult(
    int Problems, int Samples, double Mean, double IntervalLow, double IntervalHigh,
    double SampleIndexStandardError, double ProblemStandardError);

/// <summary>
/// Mean@k as in the interpolation paper (MI): for each sample index j compute the accuracy a_j over the N problems;
/// report mean_j a_j with a two-sided t-interval at the given confidence (default 90 %):
/// mean ± t_{(1+c)/2, k−1} · sd(a)/√k, where sd uses k−1 in the denominator and t is <see cref="StudentT.InverseCdf"/>.
/// The standard error over problems, sd(m_p)/√N, is reported beside it (the lighteval/evalscope convention).
/// Scores are laid out row-major: score of problem p, sample j at index p·k + j.
/// </summary>
public static class MeanAtK
{
    /// <summary>Computes the summary for boolean correctness (true = 1, false = 0).</summary>
    public static MeanAtKResult Compute(ReadOnlySpan<bool> correct, int problems, int samples, double confidence = 0.90)
    {
        var scores = new double[correct.Length];
        for (int i = 0; i < correct.Length; i++) scores[i] = correct[i] ? 1 : 0;
        return Compute(scores, problems, samples, confidence);
    }

    /// <summary>Computes the summary for real-valued scores (e.g. partial credit in [0, 1]).</summary>
    /// <exception cref="ArgumentException">The grid size is not problems × samples, either count is &lt; 1, or confidence ∉ (0, 1).</exception>
    public static MeanAtKResult Compute(ReadOnlySpan<double> scores, int problems, int samples, double confidence = 0.90)
    {
        if (problems < 1 || samples < 1) throw new ArgumentException($"Mean@k needs at least one problem and one sample; got {problems} × {samples}.");
        if (scores.Length != (long)problems * samples)
            throw new ArgumentException($"Mean@k expects {problems} × {samples} = {(long)problems * samples} scores, got {scores.Length}.", nameof(scores));
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentException($"Confidence must lie in (0, 1); got {confidence}.", nameof(confidence));

        var perIndex = new double[samples];
        AccuracyPerSampleIndex(scores, problems, samples, perIndex);
        double mean = MeanOf(perIndex);
        double indexError = samples > 1 ? SampleStandardDeviation(perIndex, mean) / Math.Sqrt(samples) : double.NaN;
        double t = samples > 1 ? StudentT.InverseCdf((1 + confidence) / 2, samples - 1) : double.NaN;

        var perProblem = new double[problems];
        for (int p = 0; p < problems; p++) perProblem[p] = MeanOf(scores.Slice(p * samples, samples));
        double problemError = problems > 1 ? SampleStandardDeviation(perProblem, MeanOf(perProblem)) / Math.Sqrt(problems) : double.NaN;

        return new MeanAtKResult(problems, samples, mean, mean - t * indexError, mean + t * indexError, indexError, problemError);
    }

    /// <summary>a_j = (1/N) Σ_p s_pj for each sample index j, written to <paramref name="destination"/> (length k).</summary>
    public static void AccuracyPerSampleIndex(ReadOnlySpan<double> scores, int problems, int samples, Span<double> destination)
    {
        if (scores.Length != (long)problems * samples || destination.Length != samples)
            throw new ArgumentException($"Expected {problems} × {samples} scores and a destination of {samples}.");
        destination.Clear();
        for (int p = 0; p < problems; p++)
        {
            var row = scores.Slice(p * samples, samples);
            for (int j = 0; j < samples; j++) destination[j] += row[j];
        }
        for (int j = 0; j < samples; j++) destination[j] /= problems;
    }

    private static double MeanOf(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        return sum / values.Length;
    }

    private static double SampleStandardDeviation(ReadOnlySpan<double> values, double mean)
    {
        double sum = 0;
        foreach (double v in values) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / (values.Length - 1));
    }
}
