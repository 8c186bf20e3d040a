// Model Stock: interpolate between the base and the average of the fine-tuned models with a ratio set by the angle
// between their task vectors; whole tensor or per row (filter_wise).
namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="ModelStock"/>.</summary>
public sealed record ModelStockSettings : MethodSettings
{
    /// <summary>Compute the ratio per row (vectors along the last dimension; a 1-D tensor is one row). Default false.</summary>
    public bool FilterWise { get; init; }
}

/// <summary>
/// <c>model_stock</c>: base b and N ≥ 2 models; δᵢ = xᵢ − b (fp32). cos θ = the mean over pairs i &lt; j of
/// clamp(⟨δᵢ,δⱼ⟩ / max(‖δᵢ‖‖δⱼ‖, 1e-6), −1, 1); t = N·cos θ / (1 + (N−1)·cos θ); output = t·(Σxᵢ/N) + (1−t)·b.
/// With filter_wise each row gets its own t. Difference from mergekit: when 1 + (N−1)cos θ = 0 (task vectors exactly
/// opposed) t is taken as 0 (the base) instead of ±∞/NaN. Reductions fp64, blend fp32; a NaN makes its row (or the tensor) NaN.
/// </summary>
public sealed class ModelStock : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static ModelStock Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "model_stock";

    /// <inheritdoc/>
    public string Summary => "base-to-average interpolation with a ratio from the task vectors' angle (Jang et al. 2024)";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.Required;

    /// <inheritdoc/>
    public int MinModels => 2;

    /// <inheritdoc/>
    public int MaxModels => int.MaxValue;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("filter_wise", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(false), "one ratio per row instead of per tensor"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount) =>
        new ModelStockSettings { FilterWise = new ParameterReader(this, values, modelCount).Flag("filter_wise") };

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) => 0;

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (ModelStockSettings)settings, output);

    /// <summary>The interpolation ratio t for N models and mean cosine c (0 when the denominator vanishes).</summary>
    public static double Ratio(int models, double meanCosine)
    {
        double denominator = 1 + (models - 1) * meanCosine;
        return denominator == 0 ? 0 : models * meanCosine / denominator;
    }

    /// <summary>Merges one tensor: base and at least two models.</summary>
    public static void Merge(in MergeInputs inputs, ModelStockSettings settings, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int models = inputs.ModelCount, n = inputs.Length;
        if (!inputs.HasBase || models < 2) throw new ArgumentException("model_stock needs a base and at least two models", nameof(inputs));
        if (output.Length != n) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        int row = settings.FilterWise ? Math.Max(inputs.RowLength, 1) : Math.Max(n, 1);
        Span<double> norms = stackalloc double[models];
        for (int start = 0; start < n; start += row)
        {
            ReadOnlySpan<float> b = inputs.Base.Slice(start, row);
            for (int i = 0; i < models; i++)
                norms[i] = Math.Sqrt(Reductions.DotOfDifferences(inputs.Model(i).Slice(start, row), inputs.Model(i).Slice(start, row), b));
            double cosSum = 0;
            int pairs = 0;
            for (int i = 0; i < models; i++)
            {
                for (int j = i + 1; j < models; j++)
                {
                    double dot = Reductions.DotOfDifferences(inputs.Model(i).Slice(start, row), inputs.Model(j).Slice(start, row), b);
                    cosSum += Math.Clamp(dot / Math.Max(norms[i] * norms[j], 1e-6), -1, 1);
                    pairs++;
                }
            }
            float t = (float)Ratio(models, cosSum / pairs);
            float average = t / models, keep = 1 - t;
            Span<float> sum = output.Slice(start, row);
            inputs.Model(0).Slice(start, row).CopyTo(sum);
            for (int i = 1; i < models; i++)
            {
                ReadOnlySpan<float> x = inputs.Model(i).Slice(start, row);
                for (int e = 0; e < row; e++) sum[e] += x[e];
            }
            for (int e = 0; e < row; e++) sum[e] = average * sum[e] + keep * b[e];
        }
    }
}
