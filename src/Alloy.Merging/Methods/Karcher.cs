// The Karcher (Riemannian/Fréchet) mean of N tensors on the unit sphere, rescaled by their weighted mean norm.
// Unlike mergekit, which hard-codes equal weights, the per-model weight is honoured.
namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="Karcher"/>.</summary>
public sealed record KarcherSettings : MethodSettings
{
    /// <summary>Per-model weight (≥ 0, positive sum; default 1 each).</summary>
    public required IReadOnlyList<float> Weights { get; init; }

    /// <summary>Most iterations (default 10).</summary>
    public int MaxIterations { get; init; } = 10;

    /// <summary>Convergence tolerance (default 1e-5).</summary>
    public double Tolerance { get; init; } = 1e-5;
}

/// <summary>
/// <c>karcher</c>: aᵢ = wᵢ/Σw; nᵢ = ‖xᵢ‖, uᵢ = xᵢ/nᵢ for the "valid" models with nᵢ &gt; tol (none valid: output 0);
/// âᵢ = aᵢ renormalized over the valid models. Start u = normalize(Σ âᵢuᵢ) (or the first valid uᵢ when that norm &lt; tol).
/// Repeat up to max_iter: T = Σ âᵢ·θᵢ/sin θᵢ·(uᵢ − cos θᵢ·u) over models with θᵢ = arccos(clamp(⟨u,uᵢ⟩)) ≥ tol; stop when
/// ‖T‖ &lt; tol; else u ← normalize(cos‖T‖·u + sin‖T‖·T/‖T‖). Output = (Σ aᵢnᵢ)·u.
/// Differences from mergekit: weights are honoured (mergekit uses 1/N whatever the config says; with equal weights the
/// results agree); a model exactly antipodal to u (sin θ = 0) is skipped instead of dividing by zero.
/// No base: a base_model in a config is one more input, as in mergekit. Dots and norms fp64, vectors fp32.
/// A NaN input makes the output NaN.
/// </summary>
public sealed class Karcher : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static Karcher Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "karcher";

    /// <inheritdoc/>
    public string Summary => "weighted Karcher mean on the sphere, scaled by the weighted mean norm";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.None;

    /// <inheritdoc/>
    public int MinModels => 1;

    /// <inheritdoc/>
    public int MaxModels => int.MaxValue;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("weight", ParameterKind.Number, ParameterScope.PerModel, false, ParameterValue.Of(1.0), "weight of the model (mergekit ignores it)"),
        new("max_iter", ParameterKind.Integer, ParameterScope.Global, false, ParameterValue.Of(10.0), "most iterations"),
        new("tol", ParameterKind.Number, ParameterScope.Global, false, ParameterValue.Of(1e-5), "convergence tolerance"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount)
    {
        var reader = new ParameterReader(this, values, modelCount);
        float[] weights = reader.PerModelNumbers("weight", modelCount, 0, double.PositiveInfinity, " (Karcher weights must not be negative)");
        if (modelCount > 0 && weights.Sum() <= 0) throw reader.Error("the weights sum to 0; give at least one model a positive weight");
        return new KarcherSettings { Weights = weights, MaxIterations = reader.Integer("max_iter", 0, 100000), Tolerance = reader.Number("tol", -1, 0) };
    }

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (KarcherSettings)settings, output, scratch);

    /// <summary>Merges one tensor; scratch holds one tensor's worth of floats.</summary>
    public static void Merge(in MergeInputs inputs, KarcherSettings settings, Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int models = inputs.ModelCount, n = inputs.Length;
        if (models < 1 || settings.Weights.Count != models) throw new ArgumentException("karcher needs one weight per model", nameof(settings));
        if (output.Length != n || scratch.Length < n) throw new ArgumentException("output or scratch is too short");
        if (models == 1)
        {
            inputs.Model(0).CopyTo(output);
            return;
        }
        double tol = settings.Tolerance;
        double weightSum = 0;
        foreach (float w in settings.Weights) weightSum += w;
        Span<double> alphas = stackalloc double[models];
        Span<double> norms = stackalloc double[models];
        Span<double> valid = stackalloc double[models]; // renormalized weight over valid models, 0 for invalid
        double scale = 0, validSum = 0;
        for (int i = 0; i < models; i++)
        {
            alphas[i] = settings.Weights[i] / weightSum;
            norms[i] = Reductions.Norm(inputs.Model(i));
            scale += alphas[i] * norms[i];
            if (norms[i] > tol) validSum += alphas[i];
        }
        int firstValid = -1;
        for (int i = 0; i < models; i++)
        {
            valid[i] = norms[i] > tol && validSum > 0 ? alphas[i] / validSum : 0;
            if (norms[i] > tol && firstValid < 0) firstValid = i;
        }
        if (firstValid < 0)
        {
            output.Clear();
            return;
        }
        Span<float> u = scratch[..n];
        Span<float> tangent = output;
        Span<float> inverseNorms = stackalloc float[models];
        for (int i = 0; i < models; i++) inverseNorms[i] = norms[i] > 0 ? (float)(1.0 / norms[i]) : 0f;

        u.Clear();
        for (int i = 0; i < models; i++)
        {
            if (valid[i] == 0) continue;
            float c = (float)valid[i] * inverseNorms[i];
            ReadOnlySpan<float> x = inputs.Model(i);
            for (int e = 0; e < n; e++) u[e] += c * x[e];
        }
        double normU = Reductions.Norm(u);
        if (normU < tol) Scale(inputs.Model(firstValid), inverseNorms[firstValid], u);
        else Scale(u, (float)(1.0 / normU), u);

        for (int iteration = 0; iteration < settings.MaxIterations; iteration++)
        {
            tangent.Clear();
            for (int i = 0; i < models; i++)
            {
                if (valid[i] == 0) continue;
                ReadOnlySpan<float> x = inputs.Model(i);
                double dot = Math.Clamp(Reductions.Dot(u, x) * inverseNorms[i], -1.0, 1.0);
                double theta = Math.Acos(dot);
                if (theta < tol) continue;
                double sinTheta = Math.Sin(theta);
                if (sinTheta == 0) continue;
                float c = (float)(valid[i] * theta / sinTheta);
                float unitScale = inverseNorms[i], along = (float)dot;
                for (int e = 0; e < n; e++) tangent[e] += c * (x[e] * unitScale - along * u[e]);
            }
            double normT = Reductions.Norm(tangent);
            if (normT < tol) break;
            float cosT = (float)Math.Cos(normT), sinOverNorm = (float)(Math.Sin(normT) / normT);
            for (int e = 0; e < n; e++) u[e] = cosT * u[e] + sinOverNorm * tangent[e];
            double normUpdated = Reductions.Norm(u);
            if (normUpdated > tol) Scale(u, (float)(1.0 / normUpdated), u);
        }
        Scale(u, (float)scale, output);
    }

    private static void Scale(ReadOnlySpan<float> source, float factor, Span<float> destination)
    {
        for (int e = 0; e < destination.Length; e++) destination[e] = source[e] * factor;
    }
}
