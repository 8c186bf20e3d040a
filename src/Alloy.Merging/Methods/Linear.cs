// The linear merge (weighted average, "model soup"): Σ wᵢxᵢ, optionally divided by Σ wᵢ.
// It is λ-interpolation between two parents when the weights are (1−λ, λ).
using System.Numerics.Tensors;

namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="Linear"/>.</summary>
public sealed record LinearSettings : MethodSettings
{
    /// <summary>Per-model weight wᵢ.</summary>
    public required IReadOnlyList<float> Weights { get; init; }

    /// <summary>Divide by Σ wᵢ (default true).</summary>
    public bool Normalize { get; init; } = true;
}

/// <summary>
/// <c>linear</c>: output = Σᵢ wᵢxᵢ, divided by Σᵢ wᵢ when normalize (default). No base; one or more models.
/// Parameters: per-model weight (required); global normalize (true). A zero weight sum with normalize is rejected at
/// bind time (mergekit divides by zero). fp32 arithmetic, models accumulated in input order; NaN/∞ propagate element-wise.
/// </summary>
public sealed class Linear : IMergeMethod, IChunkedMethod
{
    /// <summary>The registry entry.</summary>
    public static Linear Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "linear";

    /// <inheritdoc/>
    public string Summary => "weighted average Σ wᵢxᵢ / Σ wᵢ (Wortsman et al. 2022)";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.None;

    /// <inheritdoc/>
    public int MinModels => 1;

    /// <inheritdoc/>
    public int MaxModels => int.MaxValue;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("weight", ParameterKind.Number, ParameterScope.PerModel, true, null, "weight of the model"),
        new("normalize", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(true), "divide by the sum of the weights"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount)
    {
        var reader = new ParameterReader(this, values, modelCount);
        float[] weights = reader.PerModelNumbers("weight", modelCount);
        bool normalize = reader.Flag("normalize");
        if (normalize && weights.Sum() == 0) throw reader.Error("the weights sum to 0, so normalize would divide by zero; change a weight or set normalize: false");
        return new LinearSettings { Weights = weights, Normalize = normalize };
    }

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) => 0;

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (LinearSettings)settings, output);

    int IChunkedMethod.ChunkAlignment(ReadOnlySpan<int> shape, MethodSettings settings) => 1;

    long IChunkedMethod.PrepareScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings, int window) => 0;

    object? IChunkedMethod.Prepare(ITensorRanges ranges, ReadOnlySpan<int> shape, string tensorName, ulong seed, MethodSettings settings, int window, float[] scratch, int threads) => null;

    long IChunkedMethod.ChunkScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) => 0;

    // Element-wise: the chunk is merged exactly as the whole tensor would be.
    void IChunkedMethod.MergeChunk(object? state, in MergeInputs inputs, long start, ReadOnlySpan<int> shape, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (LinearSettings)settings, output);

    /// <summary>Merges one tensor.</summary>
    public static void Merge(in MergeInputs inputs, LinearSettings settings, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int models = inputs.ModelCount;
        if (models < 1 || settings.Weights.Count != models) throw new ArgumentException("linear needs one weight per model and at least one model");
        if (output.Length != inputs.Length) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        TensorPrimitives.Multiply(inputs.Model(0), settings.Weights[0], output);
        for (int i = 1; i < models; i++) TensorPrimitives.MultiplyAdd(inputs.Model(i), settings.Weights[i], output, output);
        if (settings.Normalize)
        {
            float sum = 0;
            foreach (float w in settings.Weights) sum += w;
            TensorPrimitives.Divide(output, sum, output);
        }
    }
}
