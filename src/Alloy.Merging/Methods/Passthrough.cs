// Passthrough: copy one model's tensor, optionally scaled (the basis of layer-stacking "frankenmerges").
// The slicing itself is the planner's job.
namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="Passthrough"/>.</summary>
public sealed record PassthroughSettings : MethodSettings
{
    /// <summary>Multiplier of the copied tensor (default 1, i.e. mergekit's absent scale).</summary>
    public float Scale { get; init; } = 1f;
}

/// <summary><c>passthrough</c>: exactly one model; output = scale·x (a plain copy when scale is absent or 1). NaN propagates.</summary>
public sealed class Passthrough : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static Passthrough Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "passthrough";

    /// <inheritdoc/>
    public string Summary => "copy one model's tensor, optionally scaled";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.None;

    /// <inheritdoc/>
    public int MinModels => 1;

    /// <inheritdoc/>
    public int MaxModels => 1;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("scale", ParameterKind.Number, ParameterScope.PerModel, false, null, "multiplier of the copied tensor"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount)
    {
        var reader = new ParameterReader(this, values, modelCount);
        return new PassthroughSettings { Scale = reader.Has("scale", 0) ? (float)reader.Number("scale", 0) : 1f };
    }

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) => 0;

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (PassthroughSettings)settings, output);

    /// <summary>Copies (and scales) the one model's tensor.</summary>
    public static void Merge(in MergeInputs inputs, PassthroughSettings settings, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (inputs.ModelCount != 1) throw new ArgumentException("passthrough takes exactly one model", nameof(inputs));
        if (output.Length != inputs.Length) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        ReadOnlySpan<float> x = inputs.Model(0);
        if (settings.Scale == 1f)
        {
            x.CopyTo(output);
            return;
        }
        for (int e = 0; e < output.Length; e++) output[e] = x[e] * settings.Scale;
    }
}
