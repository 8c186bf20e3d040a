// The Thinking Spectrum's "surgical merge": the entries where the donor differs most from the receiver take the
// donor's value; everything else stays the receiver's. Selection is shared with avg_override in TopKDifference.cs.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>surgical</c>: two models, receiver r (first; the instruct model in the Thinking Spectrum) and donor d (second; the
/// thinking model). With Δ = d − r (fp32): output(e) = d(e) when e is among the top k = CountForFraction(top_k, count)
/// entries by |Δ| (ties by lower index; over the whole model by default, where the threshold comes from the executor and
/// all ties at it are included), else r(e). top_k = 0 gives r, top_k = 1 gives d. A NaN difference ranks highest, so
/// that element takes the donor's value. No base.
/// </summary>
public sealed class Surgical : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static Surgical Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "surgical";

    /// <inheritdoc/>
    public string Summary => "the top-k most different entries take the donor's (second model's) value; the rest keep the receiver's";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.None;

    /// <inheritdoc/>
    public int MinModels => 2;

    /// <inheritdoc/>
    public int MaxModels => 2;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } = TopKDifference.Parameters(withT: false);

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount) => TopKDifference.Bind(this, values, modelCount, withT: false);

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
        RankCut cut = TopKDifference.Cut(inputs, "surgical", settings, scratch);
        ReadOnlySpan<float> receiver = inputs.Model(0), donor = inputs.Model(1);
        for (int e = 0; e < output.Length; e++)
            output[e] = cut.Contains(donor[e] - receiver[e], e) ? donor[e] : receiver[e];
    }
}
