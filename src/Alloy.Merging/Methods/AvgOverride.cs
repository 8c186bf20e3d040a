// The Thinking Spectrum's "avg_override_top_k_T": average the two models, then put the donor's values back where the
// two differ most. Selection is shared with surgical in TopKDifference.cs.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>avg_override</c>: two models, receiver r (first; instruct) and donor d (second; thinking); Δ = d − r (fp32).
/// output(e) = d(e) for the top k = CountForFraction(top_k, count) entries by |Δ| (global by default, as surgical), else
/// (1 − t)·r(e) + t·d(e) with t = 0.5 by default (the Thinking Spectrum's 50/50 average). NaN propagates.
/// </summary>
public sealed class AvgOverride : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static AvgOverride Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "avg_override";

    /// <inheritdoc/>
    public string Summary => "average the two models, then the top-k most different entries take the donor's value";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.None;

    /// <inheritdoc/>
    public int MinModels => 2;

    /// <inheritdoc/>
    public int MaxModels => 2;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } = TopKDifference.Parameters(withT: true);

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount) => TopKDifference.Bind(this, values, modelCount, withT: true);

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) =>
        TopKDifference.ScratchLength((TopKDifferenceSettings)settings);

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (TopKDifferenceSettings)settings, output, scratch);

    /// <summary>Merges one tensor: models (receiver, donor).</summary>
    public static void Merge(in MergeInputs inputs, TopKDifferenceSettings settings, Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (output.Length != inputs.Length) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        RankCut cut = TopKDifference.Cut(inputs, "avg_override", settings, scratch);
        ReadOnlySpan<float> receiver = inputs.Model(0), donor = inputs.Model(1);
        float t = settings.T, keep = 1 - settings.T;
        for (int e = 0; e < output.Length; e++)
            output[e] = cut.Contains(donor[e] - receiver[e], e) ? donor[e] : keep * receiver[e] + t * donor[e];
    }
}
