// mergekit's multislerp: barycentric interpolation on the hypersphere of N tensors (or task vectors), whole tensor.
// Computed in the closed form its algorithm reduces to (see the class docs); not an iterative mean (that is karcher).
using Alloy.Tensors;

namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="MultiSlerp"/>.</summary>
public sealed record MultiSlerpSettings : MethodSettings
{
    /// <summary>Per-model weight.</summary>
    public required IReadOnlyList<float> Weights { get; init; }

    /// <summary>Divide the weights by their sum (default true).</summary>
    public bool NormalizeWeights { get; init; } = true;

    /// <summary>Stability constant ε (default 1e-8).</summary>
    public double Epsilon { get; init; } = 1e-8;
}

/// <summary>
/// <c>multislerp</c>: vᵢ = xᵢ (or xᵢ − b with a base), flattened; wᵢ normalized to sum 1 unless normalize_weights is false.
/// mergekit's steps: uᵢ = vᵢ/(‖vᵢ‖ + ε); m = Σ wᵢuᵢ; m̂ = m/‖m‖; project each uᵢ to the tangent space at m̂ and sum with the weights;
/// map back with the exponential map; scale by Σ wᵢ‖vᵢ‖. Because the tangent point m̂ is the weighted mean itself, the
/// weighted tangent sum is m − ⟨m, m̂⟩m̂ = 0 exactly, so the result is (Σᵢ wᵢ‖vᵢ‖) · m̂ (mergekit adds rounding noise of that
/// zero vector). Alloy computes that closed form. When ‖m‖ &lt; ε: two models fall back to w₀v₀ + w₁v₁; more models are an
/// error (antipodal inputs with balancing weights) unless every input is (nearly) zero, Σ wᵢ‖vᵢ‖ &lt; ε, which also falls back to Σ wᵢvᵢ (mergekit raises). One model returns it unchanged. The base is added back.
/// Reductions fp64, scaling fp32; a NaN input makes the whole output NaN.
/// </summary>
public sealed class MultiSlerp : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static MultiSlerp Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "multislerp";

    /// <inheritdoc/>
    public string Summary => "weighted spherical interpolation of any number of models (or task vectors)";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.Optional;

    /// <inheritdoc/>
    public int MinModels => 1;

    /// <inheritdoc/>
    public int MaxModels => int.MaxValue;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("weight", ParameterKind.Number, ParameterScope.PerModel, true, null, "weight of the model"),
        new("normalize_weights", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(true), "divide the weights by their sum"),
        new("eps", ParameterKind.Number, ParameterScope.Global, false, ParameterValue.Of(1e-8), "stability constant"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount)
    {
        var reader = new ParameterReader(this, values, modelCount);
        float[] weights = reader.PerModelNumbers("weight", modelCount);
        bool normalize = reader.Flag("normalize_weights");
        if (normalize && weights.Sum() == 0) throw reader.Error("the weights sum to 0, so normalize_weights would divide by zero");
        return new MultiSlerpSettings { Weights = weights, NormalizeWeights = normalize, Epsilon = reader.Number("eps", -1, 0) };
    }

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) => 0;

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (MultiSlerpSettings)settings, output);

    /// <summary>Merges one tensor.</summary>
    public static void Merge(in MergeInputs inputs, MultiSlerpSettings settings, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int models = inputs.ModelCount, n = inputs.Length;
        if (models < 1 || settings.Weights.Count != models) throw new ArgumentException("multislerp needs one weight per model", nameof(settings));
        if (output.Length != n) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        if (models == 1)
        {
            inputs.Model(0).CopyTo(output);
            return;
        }
        bool hasBase = inputs.HasBase;
        ReadOnlySpan<float> b = inputs.Base;
        double weightSum = 0;
        foreach (float w in settings.Weights) weightSum += w;
        Span<double> weights = stackalloc double[models];
        Span<double> norms = stackalloc double[models];
        double averageNorm = 0;
        for (int i = 0; i < models; i++)
        {
            weights[i] = settings.NormalizeWeights ? settings.Weights[i] / weightSum : settings.Weights[i];
            norms[i] = Math.Sqrt(hasBase ? Reductions.DotOfDifferences(inputs.Model(i), inputs.Model(i), b) : Reductions.SumOfSquares(inputs.Model(i)));
            averageNorm += weights[i] * norms[i];
        }
        // m = Σ wᵢ vᵢ/(‖vᵢ‖ + ε), accumulated in output (fp32) and measured in fp64.
        Span<float> coefficients = stackalloc float[models];
        for (int i = 0; i < models; i++) coefficients[i] = (float)(weights[i] / (norms[i] + settings.Epsilon));
        output.Clear();
        for (int i = 0; i < models; i++)
        {
            ReadOnlySpan<float> x = inputs.Model(i);
            float c = coefficients[i];
            if (hasBase) for (int e = 0; e < n; e++) output[e] += c * (x[e] - b[e]);
            else for (int e = 0; e < n; e++) output[e] += c * x[e];
        }
        double meanNormSquared = Reductions.SumOfSquares(output);
        double meanNorm = Math.Sqrt(meanNormSquared);
        if (meanNorm < settings.Epsilon)
        {
            // Two models, or inputs that are all (nearly) zero vectors, fall back to the weighted linear average.
            if (models != 2 && averageNorm >= settings.Epsilon)
                throw new AlloyInputException($"tensor {inputs.TensorName}: multislerp's weighted mean direction is zero (antipodal inputs whose weights balance out); use different weights");
            output.Clear();
            for (int i = 0; i < models; i++)
            {
                ReadOnlySpan<float> x = inputs.Model(i);
                float w = (float)weights[i];
                for (int e = 0; e < n; e++) output[e] += w * (hasBase ? x[e] - b[e] : x[e]);
            }
            if (hasBase) for (int e = 0; e < n; e++) output[e] += b[e];
            return;
        }
        float scale = (float)(averageNorm / meanNorm);
        for (int e = 0; e < n; e++) output[e] = hasBase ? b[e] + output[e] * scale : output[e] * scale;
    }
}
