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
public sealed class Slerp : IMergeMethod, IChunkedMethod
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

    int IChunkedMethod.ChunkAlignment(ReadOnlySpan<int> shape, MethodSettings settings) => 4;

    long IChunkedMethod.PrepareScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings, int window) => 2L * window;

    // Pass 1: the norms and the dot, accumulated exactly as Reductions.Dot does over the whole tensor (windows are multiples of 4).
    object? IChunkedMethod.Prepare(ITensorRanges ranges, ReadOnlySpan<int> shape, string tensorName, ulong seed, MethodSettings settings, int window, float[] scratch, int threads)
    {
        if (ranges.ModelCount != 1) throw new ArgumentException("slerp needs a base and exactly one other model", nameof(ranges));
        DotAccumulator d00 = default, d11 = default, d01 = default;
        // Groups of windows are read (and widened) on the threads, then accumulated in order on this one.
        int slots = Math.Max(1, threads);
        var buffers = new float[slots][];
        buffers[0] = scratch;
        for (int i = 1; i < slots; i++) buffers[i] = System.Buffers.ArrayPool<float>.Shared.Rent(2 * window);
        try
        {
            long windows = (ranges.Length + window - 1) / window;
            for (long group = 0; group < windows; group += slots)
            {
                long first = group;
                int inGroup = (int)Math.Min(slots, windows - group);
                Parallel.For(0, inGroup, new ParallelOptions { MaxDegreeOfParallelism = slots }, i =>
                {
                    long start = (first + i) * window;
                    int count = (int)Math.Min(window, ranges.Length - start);
                    ranges.ReadBase(start, buffers[i].AsSpan(0, count));
                    ranges.ReadModel(0, start, buffers[i].AsSpan(window, count));
                });
                for (int i = 0; i < inGroup; i++)
                {
                    int count = (int)Math.Min(window, ranges.Length - ((first + i) * window));
                    ReadOnlySpan<float> v0 = buffers[i].AsSpan(0, count), v1 = buffers[i].AsSpan(window, count);
                    d00.Add(v0, v0);
                    d11.Add(v1, v1);
                    d01.Add(v0, v1);
                }
            }
        }
        finally
        {
            for (int i = 1; i < slots; i++) System.Buffers.ArrayPool<float>.Shared.Return(buffers[i]);
        }
        (double c0, double c1) = Coefficients(Math.Sqrt(d00.Result), Math.Sqrt(d11.Result), d01.Result, ((SlerpSettings)settings).T);
        return new float[] { (float)c0, (float)c1 };
    }

    long IChunkedMethod.ChunkScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) => 0;

    // Pass 2: the blend, element-wise.
    void IChunkedMethod.MergeChunk(object? state, in MergeInputs inputs, long start, ReadOnlySpan<int> shape, MethodSettings settings, Span<float> output, Span<float> scratch)
    {
        var c = (float[])state!;
        if (!inputs.HasBase || inputs.ModelCount != 1) throw new ArgumentException("slerp needs a base and exactly one other model", nameof(inputs));
        Blend(inputs.Base, inputs.Model(0), c[0], c[1], output);
    }

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
        return Coefficients(Reductions.Norm(v0), Reductions.Norm(v1), Reductions.Dot(v0, v1), t);
    }

    private static (double C0, double C1) Coefficients(double n0, double n1, double rawDot, double t)
    {
        double s0 = n0 > 1e-8 ? n0 : 1, s1 = n1 > 1e-8 ? n1 : 1;
        double dot = rawDot / (s0 * s1);
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
