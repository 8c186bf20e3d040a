// NearSwap: pull the base towards the other model only where they are already close (per element).
// Element-wise; no reductions.
namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="NearSwap"/>.</summary>
public sealed record NearSwapSettings : MethodSettings
{
    /// <summary>Similarity threshold t.</summary>
    public required float T { get; init; }
}

/// <summary>
/// <c>nearswap</c>: base b and one model x. Per element: w = clamp(t / max(|b − x|, 1e-6), 0, 1);
/// output = w·x + (1 − w)·b. Elements with |b − x| ≤ t take x; farther ones move a distance t from b towards x.
/// NaN in either input gives NaN at that element.
/// </summary>
public sealed class NearSwap : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static NearSwap Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "nearswap";

    /// <inheritdoc/>
    public string Summary => "per element, take the other model's value where it is within t of the base";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.Required;

    /// <inheritdoc/>
    public int MinModels => 1;

    /// <inheritdoc/>
    public int MaxModels => 1;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("t", ParameterKind.Number, ParameterScope.Global, true, null, "similarity threshold"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount) =>
        new NearSwapSettings { T = (float)new ParameterReader(this, values, modelCount).Number("t") };

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) => 0;

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (NearSwapSettings)settings, output);

    /// <summary>Merges one tensor: base and one model.</summary>
    public static void Merge(in MergeInputs inputs, NearSwapSettings settings, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!inputs.HasBase || inputs.ModelCount != 1) throw new ArgumentException("nearswap needs a base and exactly one other model", nameof(inputs));
        if (output.Length != inputs.Length) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        ReadOnlySpan<float> b = inputs.Base, x = inputs.Model(0);
        float t = settings.T;
        for (int e = 0; e < output.Length; e++)
        {
            float distance = Math.Max(Math.Abs(b[e] - x[e]), 1e-6f);
            float w = Math.Clamp(t / distance, 0f, 1f);
            if (float.IsNaN(distance)) w = float.NaN;
            output[e] = w * x[e] + (1 - w) * b[e];
        }
    }
}
