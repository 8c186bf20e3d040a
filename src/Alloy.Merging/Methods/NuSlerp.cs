// mergekit's nuslerp: slerp of two models (or of their task vectors against an optional base), whole tensor or per
// row/column, with t taken from the two weights. Not slerp's base-as-endpoint convention.
using System.Runtime.InteropServices;

namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="NuSlerp"/>.</summary>
public sealed record NuSlerpSettings : MethodSettings
{
    /// <summary>The two models' weights; t = w₁ / (w₀ + w₁) (0.5 when |w₀ + w₁| &lt; 1e-6).</summary>
    public required IReadOnlyList<float> Weights { get; init; }

    /// <summary>Slerp the whole flattened tensor (default true).</summary>
    public bool Flatten { get; init; } = true;

    /// <summary>When not flattening: false slerps each vector along the last dimension (rows of a matrix); true each vector along dimension 0 (columns of a matrix).</summary>
    public bool RowWise { get; init; }
}

/// <summary>
/// <c>nuslerp</c>: exactly two models, optional base (distinct from both). vᵢ = xᵢ (or xᵢ − b with a base), t = w₁/(w₀+w₁).
/// For each vector pair (the whole tensor, or each fiber, see <see cref="NuSlerpSettings"/>): uᵢ = vᵢ / max(‖vᵢ‖, 1e-7),
/// θ = arccos(clamp(⟨u₀,u₁⟩, −1, 1)); if |sin θ| &lt; 1e-8 the pair is lerped, (1−t)v₀ + t·v₁, else
/// (sin((1−t)θ)·v₀ + sin(tθ)·v₁) / sin θ. The base is added back. Note that mergekit's "row_wise: true" slerps vectors along
/// dimension 0, i.e. the columns of a matrix; Alloy keeps that meaning. Reductions fp64, blend fp32; NaN in a fiber makes the fiber NaN.
/// </summary>
public sealed class NuSlerp : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static NuSlerp Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "nuslerp";

    /// <inheritdoc/>
    public string Summary => "slerp of two models or two task vectors, t = w₁/(w₀+w₁), whole tensor or per row/column";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.Optional;

    /// <inheritdoc/>
    public int MinModels => 2;

    /// <inheritdoc/>
    public int MaxModels => 2;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("weight", ParameterKind.Number, ParameterScope.PerModel, true, null, "relative weight; t = w₁/(w₀+w₁)"),
        new("nuslerp_flatten", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(true), "slerp the whole flattened tensor"),
        new("nuslerp_row_wise", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(false), "without flatten: slerp vectors along dimension 0 instead of the last"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount)
    {
        var reader = new ParameterReader(this, values, modelCount);
        return new NuSlerpSettings
        {
            Weights = reader.PerModelNumbers("weight", modelCount),
            Flatten = reader.Flag("nuslerp_flatten"),
            RowWise = reader.Flag("nuslerp_row_wise"),
        };
    }

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings)
    {
        var s = (NuSlerpSettings)settings;
        if (s.Flatten || !s.RowWise || shape.Length < 2) return 0;
        long n = 1;
        foreach (int d in shape) n *= d;
        return shape[0] == 0 ? 0 : 6 * (n / shape[0]);
    }

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (NuSlerpSettings)settings, output, scratch);

    /// <summary>The interpolation factor mergekit derives from the two weights.</summary>
    public static double FactorFromWeights(float w0, float w1)
    {
        double sum = (double)w0 + w1;
        return Math.Abs(sum) < 1e-6 ? 0.5 : w1 / sum;
    }

    /// <summary>Merges one tensor: two models, optional base; scratch as <see cref="ScratchLength"/>.</summary>
    public static void Merge(in MergeInputs inputs, NuSlerpSettings settings, Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (inputs.ModelCount != 2 || settings.Weights.Count != 2) throw new ArgumentException("nuslerp needs exactly two models (plus an optional base)", nameof(inputs));
        int n = inputs.Length;
        if (output.Length != n) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        double t = FactorFromWeights(settings.Weights[0], settings.Weights[1]);
        ReadOnlySpan<float> x0 = inputs.Model(0), x1 = inputs.Model(1), b = inputs.Base;
        bool hasBase = inputs.HasBase;
        ReadOnlySpan<int> shape = inputs.Shape;

        if (settings.Flatten || shape.Length < 2 || !settings.RowWise)
        {
            // Contiguous fibers: the whole tensor, or each run of the last dimension.
            int fiber = settings.Flatten || shape.Length < 2 ? n : shape[^1];
            if (fiber == 0) return;
            for (int start = 0; start < n; start += fiber)
            {
                double dot = 0, nn0 = 0, nn1 = 0;
                for (int e = start; e < start + fiber; e++)
                {
                    double v0 = hasBase ? x0[e] - b[e] : x0[e];
                    double v1 = hasBase ? x1[e] - b[e] : x1[e];
                    dot += v0 * v1;
                    nn0 += v0 * v0;
                    nn1 += v1 * v1;
                }
                (float c0, float c1) = Coefficients(dot, nn0, nn1, t);
                for (int e = start; e < start + fiber; e++)
                {
                    float v0 = hasBase ? x0[e] - b[e] : x0[e];
                    float v1 = hasBase ? x1[e] - b[e] : x1[e];
                    float r = c0 * v0 + c1 * v1;
                    output[e] = hasBase ? b[e] + r : r;
                }
            }
            return;
        }

        // Fibers along dimension 0: fiber j holds elements j, j + stride, j + 2·stride, ...
        int rows = shape[0];
        if (rows == 0) return;
        int stride = n / rows;
        Span<double> acc = MemoryMarshal.Cast<float, double>(scratch[..(6 * stride)]);
        Span<double> dots = acc[..stride], norms0 = acc.Slice(stride, stride), norms1 = acc.Slice(2 * stride, stride);
        acc.Clear();
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < stride; j++)
            {
                int e = r * stride + j;
                double v0 = hasBase ? x0[e] - b[e] : x0[e];
                double v1 = hasBase ? x1[e] - b[e] : x1[e];
                dots[j] += v0 * v1;
                norms0[j] += v0 * v0;
                norms1[j] += v1 * v1;
            }
        }
        for (int j = 0; j < stride; j++)
        {
            (float c0, float c1) = Coefficients(dots[j], norms0[j], norms1[j], t);
            dots[j] = c0;
            norms0[j] = c1;
        }
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < stride; j++)
            {
                int e = r * stride + j;
                float v0 = hasBase ? x0[e] - b[e] : x0[e];
                float v1 = hasBase ? x1[e] - b[e] : x1[e];
                float res = (float)dots[j] * v0 + (float)norms0[j] * v1;
                output[e] = hasBase ? b[e] + res : res;
            }
        }
    }

    private static (float C0, float C1) Coefficients(double dot, double squaredNorm0, double squaredNorm1, double t)
    {
        double cos = dot / (Math.Max(Math.Sqrt(squaredNorm0), 1e-7) * Math.Max(Math.Sqrt(squaredNorm1), 1e-7));
        double theta = Math.Acos(Math.Clamp(cos, -1, 1));
        double sinTheta = Math.Sin(theta);
        if (double.IsNaN(cos)) return (float.NaN, float.NaN);
        if (Math.Abs(sinTheta) < 1e-8) return ((float)(1 - t), (float)t);
        return ((float)(Math.Sin((1 - t) * theta) / sinTheta), (float)(Math.Sin(t * theta) / sinTheta));
    }
}
