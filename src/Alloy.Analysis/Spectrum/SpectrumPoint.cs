// One evaluated point of a spectrum (one variant on one benchmark) as the analysis layer sees it.
// It is the analysis input only: it knows nothing of graders, run stores or how results are kept on disk.
using System.Globalization;
using Alloy.Tensors;

namespace Alloy.Analysis;

/// <summary>Whether a point is one of the two parents of the spectrum.</summary>
public enum ParentRole
{
    /// <summary>A merged variant (or a parent left for <see cref="Spectrum"/> to recognise from its method and λ).</summary>
    None,

    /// <summary>The instruct parent (λ = 0: short direct answers).</summary>
    Instruct,

    /// <summary>The thinking parent (λ = 1: long chain of thought).</summary>
    Thinking,
}

/// <summary>
/// One variant evaluated on one benchmark: the numbers the analysis needs, nothing more.
/// </summary>
/// <remarks>
/// <para>Units: <see cref="MeanAtK"/>, <see cref="MeanAtKCiLow"/>, <see cref="MeanAtKCiHigh"/>, <see cref="PassAtK"/>,
/// <see cref="ThinkRatio"/> and <see cref="TruncatedRatio"/> are fractions in [0, 1] (0.805 means 80.5 %), as in
/// <c>metrics.json</c>. <see cref="MeanTokens"/> is the mean number of response tokens per sample, thinking included.</para>
/// <para>λ is the weight of the thinking model (λ = 0 is the instruct parent, λ = 1 the thinking parent); it is null for
/// points that are not on a λ axis (a hand-written merge config, a parent evaluated on its own).</para>
/// <para>Equality is record equality; <see cref="Params"/> compares by reference.</para>
/// </remarks>
/// <param name="Variant">The variant's name, unique within a benchmark (e.g. <c>linear-0.8</c>).</param>
/// <param name="Method">The merge method (<c>linear</c>, <c>slerp</c>, <c>ties</c>, ...), or a free label for parents.</param>
/// <param name="Lambda">The thinking weight λ, or null when the point has none.</param>
/// <param name="Params">Method parameters other than λ (density, scale, layers, modules); empty when none.</param>
/// <param name="Benchmark">The benchmark name.</param>
/// <param name="MeanAtK">Mean@k: the mean accuracy over all k samples of all problems, in [0, 1].</param>
/// <param name="MeanAtKCiLow">Lower end of the confidence interval of Mean@k, or null when unknown.</param>
/// <param name="MeanAtKCiHigh">Upper end of the confidence interval of Mean@k, or null when unknown.</param>
/// <param name="PassAtK">Pass@k in [0, 1], or null when not measured.</param>
/// <param name="MeanTokens">Mean response tokens per sample (thinking included), finite and ≥ 0.</param>
/// <param name="ThinkRatio">Think#R: the fraction of responses that contain <c>&lt;/think&gt;</c>, in [0, 1].</param>
/// <param name="TruncatedRatio">The fraction of responses cut off at the token limit, in [0, 1].</param>
/// <param name="Parent">Marks the point as a parent explicitly; <see cref="ParentRole.None"/> leaves it to <see cref="Spectrum"/>.</param>
public sealed record SpectrumPoint(
    string Variant,
    string Method,
    double? Lambda,
    IReadOnlyDictionary<string, string> Params,
    string Benchmark,
    double MeanAtK,
    double? MeanAtKCiLow,
    double? MeanAtKCiHigh,
    double? PassAtK,
    double MeanTokens,
    double ThinkRatio,
    double TruncatedRatio,
    ParentRole Parent = ParentRole.None)
{
    /// <summary>
    /// The parameters as one canonical string: <c>key=value</c> pairs sorted by key (ordinal) and joined by <c>;</c>;
    /// empty when there are none. Used to group points into series and as the <c>params</c> column of spectrum.csv.
    /// </summary>
    public string ParamsText =>
        string.Join(';', Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));

    /// <summary>A short human label: the variant name with its method and λ, e.g. <c>linear-0.8 (linear, λ=0.8)</c>.</summary>
    public string Describe() =>
        Lambda is double lambda
            ? string.Create(CultureInfo.InvariantCulture, $"{Variant} ({Method}, λ={lambda})")
            : $"{Variant} ({Method})";

    /// <summary>
    /// Checks every field and throws <see cref="AlloyInputException"/> naming the variant, the benchmark and the field
    /// when a value is missing, not finite or out of range. NaN is never accepted: an analysis over NaN would silently
    /// drop or misplace points.
    /// </summary>
    public void Validate()
    {
        string where = $"spectrum point '{Variant}' on benchmark '{Benchmark}'";
        if (string.IsNullOrWhiteSpace(Variant))
            throw new AlloyInputException($"A spectrum point on benchmark '{Benchmark}' has an empty variant name; give every point a name.");
        if (string.IsNullOrWhiteSpace(Benchmark))
            throw new AlloyInputException($"Spectrum point '{Variant}' has an empty benchmark name; name the benchmark it was evaluated on.");
        if (string.IsNullOrWhiteSpace(Method))
            throw new AlloyInputException($"{where}: method is empty; give the merge method (e.g. 'linear').");
        if (Params is null)
            throw new AlloyInputException($"{where}: params is missing; pass an empty dictionary when there are none.");
        if (Lambda is double lambda && !double.IsFinite(lambda))
            throw new AlloyInputException($"{where}: lambda is {Format(lambda)}; it must be a finite number (the thinking weight) or absent.");
        RequireFraction(where, "mean_at_k", MeanAtK);
        if (PassAtK is double pass) RequireFraction(where, "pass_at_k", pass);
        RequireFraction(where, "think_ratio", ThinkRatio);
        RequireFraction(where, "truncated_ratio", TruncatedRatio);
        if (!double.IsFinite(MeanTokens) || MeanTokens < 0)
            throw new AlloyInputException($"{where}: mean_tokens is {Format(MeanTokens)}; it must be a finite number ≥ 0.");
        if (MeanAtKCiLow.HasValue != MeanAtKCiHigh.HasValue)
            throw new AlloyInputException($"{where}: only one end of the Mean@k confidence interval is given; give both or neither.");
        if (MeanAtKCiLow is double low && MeanAtKCiHigh is double high)
        {
            RequireFraction(where, "mean_at_k_ci low", low);
            RequireFraction(where, "mean_at_k_ci high", high);
            if (low > high)
                throw new AlloyInputException($"{where}: the Mean@k confidence interval [{Format(low)}, {Format(high)}] is reversed; the low end must not exceed the high end.");
        }
    }

    private static void RequireFraction(string where, string field, double value)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1)
            throw new AlloyInputException($"{where}: {field} is {Format(value)}; it must be a fraction in [0, 1] (0.805 for 80.5 %).");
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
