// Spherical linear interpolation of two whole tensors (flattened), from the base (t = 0) to the other model (t = 1).
// mergekit's slerp: lerp fallback when nearly colinear; norms and dot in fp64 here (mergekit: numpy fp32).
namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="Slerp"/>.</summary>
public sealed record SlerpSettings : MethodSettings
{
    /// <summary>Interpolation factor t (0 gives the base, 1 the other model; values outside [0, 1] extrapolate).</summary>
    public required float T { get; init; }
}

/// <summary>
/// <c>slerp</c>: v₀ = base (the t = 0 end, mergekit's base_model), v₁ = the one other model, both flattened.
/// d = ⟨v₀/‖v₀‖, v₁/‖v₁‖⟩ (a norm ≤ 1e-8 is taken as 1). If |d| &gt; 0.9995: output = (1−t)v₀ + t·v₁. Otherwise θ = arccos d and
/// output = sin((1−t)θ)/sin θ · v₀ + sin(tθ)/sin θ · v₁. Norms, dot and coefficients are fp64, the blend fp32.
/// A NaN anywhere in either tensor makes the whole output NaN (the dot is NaN).
/// </summary>
public sealed class Slerp : IMergeMethod
{
    /// <summary>|cos θ| above this falls back to linear interpolation.</summary>
    public const double ColinearThreshold = 0.9995;

    /// <summary>The registry entry.</summary>
    public static Slerp Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "slerp";

    /// <inheritdoc/>
    public string Summary => "spherical interpolation from the base (t = 0) to the other model (t = 1), whole tensor";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.Required;

    /// <inheritdoc/>
    public int MinModels => 1;

    /// <inheritdoc/>
    public int MaxModels => 1;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("t", ParameterKind.Number, ParameterScope.Global, true, null, "interpolation factor: 0 = base, 1 = the other model"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount) =>
        new SlerpSettings { T = (float)new ParameterReader(this, values, modelCount).Number("t") };

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) => 0;

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (SlerpSettings)settings, output);

    /// <summary>Merges one tensor: base and exactly one model.</summary>
    public static void Merge(in MergeInputs inputs, SlerpSettings settings, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!inputs.HasBase || inputs.ModelCount != 1) throw new ArgumentException("slerp needs a base and exactly one other model", nameof(inputs));
        if (output.Length != inputs.Length) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        (double c0, double c1) = Coefficients(inputs.Base, inputs.Model(0), settings.T);
        Blend(inputs.Base, inputs.Model(0), (float)c0, (float)c1, output);
    }

    /// <summary>The blend coefficients (c₀, c₁) of v₀ and v₁ for factor t (mergekit's slerp, eps = 1e-8).</summary>
    public static (double C0, double C1) Coefficients(ReadOnlySpan<float> v0, ReadOnlySpan<float> v1, double t)
    {
        double n0 = Reductions.Norm(v0), n1 = Reductions.Norm(v1);
        double s0 = n0 > 1e-8 ? n0 : 1, s1 = n1 > 1e-8 ? n1 : 1;
        double dot = Reductions.Dot(v0, v1) / (s0 * s1);
        if (Math.Abs(dot) > ColinearThreshold) return (1 - t, t);
        double theta = Math.Acos(dot);
        double sinTheta = Math.Sin(theta);
        return (Math.Sin(theta - theta * t) / sinTheta, Math.Sin(theta * t) / sinTheta);
    }

    internal static void Blend(ReadOnlySpan<float> v0, ReadOnlySpan<float> v1, float c0, float c1, Span<float> output)
    {
        for (int e = 0; e < output.Length; e++) output[e] = c0 * v0[e] + c1 * v1[e];
    }
}
