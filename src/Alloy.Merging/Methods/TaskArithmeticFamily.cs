// The shared engine of the task-vector methods (task_arithmetic, ties, dare_*, breadcrumbs*, della*): sparsify each
// delta, weight, optionally elect a sign, combine. Each method's own file picks the sparsifier and the defaults.
using System.Runtime.InteropServices;

namespace Alloy.Merging.Methods;

/// <summary>How each task vector δᵢ = xᵢ − b is sparsified before weighting.</summary>
public enum Sparsification
{
    /// <summary>Keep everything (task arithmetic).</summary>
    None,
    /// <summary>Keep the top ⌊density·n⌋ entries by |δ| (TIES trim).</summary>
    Magnitude,
    /// <summary>Keep each entry independently with probability density (DARE).</summary>
    Random,
    /// <summary>Drop the top ⌊gamma·n⌋ entries by |δ|, then the smallest, so that ⌊density·n⌋ remain (Model Breadcrumbs).</summary>
    MagnitudeOutliers,
    /// <summary>Keep each entry with a probability linear in its magnitude rank within its row (DELLA MagPrune).</summary>
    DellaMagnitudePrune,
}

/// <summary>How a sparsified delta is rescaled when <c>rescale</c> is on.</summary>
public enum RescaleMode
{
    /// <summary>mergekit's rescale: multiply the kept delta by ‖δ‖₁ / ‖kept δ‖₁ (no rescale when either is below 1e-7).</summary>
    L1,
    /// <summary>The DARE paper's rescale: divide each kept entry by its keep probability (density; DELLA: its own pᵢ).</summary>
    Inverse,
}

/// <summary>Over what a magnitude trim ranks entries.</summary>
public enum TrimScope
{
    /// <summary>Within each tensor (mergekit).</summary>
    Tensor,
    /// <summary>Over the whole model: one threshold per model, computed by the executor with <see cref="MagnitudeThresholdEstimator"/>.</summary>
    Global,
}

/// <summary>
/// Which entries of one model's delta a magnitude trim keeps: those in <see cref="Keep"/> and not in <see cref="Outliers"/>.
/// TIES uses Keep = top-k and Outliers = <see cref="RankCut.None"/>; breadcrumbs also removes its top-γ outliers.
/// </summary>
/// <param name="Keep">Entries at or above the lower cut.</param>
/// <param name="Outliers">Entries removed from the top.</param>
public readonly record struct TrimBand(RankCut Keep, RankCut Outliers)
{
    /// <summary>Whether the delta entry <paramref name="delta"/> at <paramref name="index"/> survives the trim.</summary>
    public bool Contains(float delta, long index) => Keep.Contains(delta, index) && !Outliers.Contains(delta, index);
}

/// <summary>One task-vector method: its name, sparsifier, whether it elects signs, and its defaults.</summary>
/// <param name="Name">Config name.</param>
/// <param name="Summary">One line.</param>
/// <param name="Sparsification">The sparsifier.</param>
/// <param name="SignConsensus">Whether TIES sign election ("sum" consensus) and the disjoint mean are applied.</param>
/// <param name="DefaultNormalize">Default of <c>normalize</c> (as mergekit).</param>
/// <param name="DefaultRescale">Default of <c>rescale</c> (as mergekit).</param>
public sealed record TaskArithmeticVariant(string Name, string Summary, Sparsification Sparsification, bool SignConsensus,
    bool DefaultNormalize, bool DefaultRescale);

/// <summary>Bound parameters of a task-vector method. Arrays hold one entry per non-base model.</summary>
public sealed record TaskArithmeticSettings : MethodSettings
{
    /// <summary>Per-model weight wᵢ.</summary>
    public required IReadOnlyList<float> Weights { get; init; }

    /// <summary>Per-model density in [0, 1] (fraction kept; 1 = no sparsification).</summary>
    public required IReadOnlyList<float> Densities { get; init; }

    /// <summary>Per-model breadcrumbs outlier fraction γ in [0, 1].</summary>
    public IReadOnlyList<float>? Gammas { get; init; }

    /// <summary>Per-model DELLA ε: keep probabilities span density ± ε.</summary>
    public IReadOnlyList<float>? Epsilons { get; init; }

    /// <summary>Divide the combined delta by the (masked) weight sum.</summary>
    public bool Normalize { get; init; }

    /// <summary>Rescale sparsified deltas (see <see cref="RescaleMode"/>).</summary>
    public bool Rescale { get; init; }

    /// <summary>Which rescale.</summary>
    public RescaleMode RescaleMode { get; init; } = RescaleMode.L1;

    /// <summary>Tensor or global magnitude trims.</summary>
    public TrimScope TrimScope { get; init; } = TrimScope.Tensor;

    /// <summary>Scale λ of the combined delta.</summary>
    public float Lambda { get; init; } = 1f;

    /// <summary>Per-model trims computed over the whole model; required when <see cref="TrimScope"/> is Global for a magnitude trim.</summary>
    public IReadOnlyList<TrimBand>? GlobalBands { get; init; }
}

/// <summary>The registry entry for a task-vector method.</summary>
public sealed class TaskArithmeticMethod : IMergeMethod, IChunkedMethod
{
    /// <summary>Creates the entry for <paramref name="variant"/>.</summary>
    public TaskArithmeticMethod(TaskArithmeticVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        Variant = variant;
        var parameters = new List<ParameterSpec>
        {
            new("weight", ParameterKind.Number, ParameterScope.PerModel, true, null, "weight wᵢ of the model's task vector"),
            new("density", ParameterKind.Number, ParameterScope.PerModel, false, ParameterValue.Of(1.0), "fraction of the task vector kept, in [0, 1]"),
            new("lambda", ParameterKind.Number, ParameterScope.Global, false, ParameterValue.Of(1.0), "scale of the combined task vector"),
            new("normalize", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(variant.DefaultNormalize), "divide by the sum of the (sign-agreeing) weights"),
            new("rescale", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(variant.DefaultRescale), "rescale sparsified task vectors"),
            new("rescale_mode", ParameterKind.Choice, ParameterScope.Global, false, ParameterValue.Of("l1"), "l1: match the unpruned L1 norm (mergekit); inverse: divide by the keep probability (DARE paper)", ["l1", "inverse"]),
            new("int8_mask", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(false), "accepted for mergekit compatibility; no effect (masks are never materialised)"),
        };
        if (variant.Sparsification is Sparsification.Magnitude or Sparsification.MagnitudeOutliers)
            parameters.Add(new("trim_scope", ParameterKind.Choice, ParameterScope.Global, false, ParameterValue.Of("tensor"), "rank magnitudes per tensor (mergekit) or over the whole model", ["tensor", "global"]));
        if (variant.Sparsification == Sparsification.MagnitudeOutliers)
            parameters.Add(new("gamma", ParameterKind.Number, ParameterScope.PerModel, false, ParameterValue.Of(0.01), "fraction of largest-magnitude entries removed, in [0, 1]"));
        if (variant.Sparsification == Sparsification.DellaMagnitudePrune)
            parameters.Add(new("epsilon", ParameterKind.Number, ParameterScope.PerModel, false, ParameterValue.Of(0.15), "keep probabilities span density ± epsilon"));
        Parameters = parameters;
    }

    /// <summary>The variant this entry runs.</summary>
    public TaskArithmeticVariant Variant { get; }

    /// <inheritdoc/>
    public string Name => Variant.Name;

    /// <inheritdoc/>
    public string Summary => Variant.Summary;

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.Required;

    /// <inheritdoc/>
    public int MinModels => 1;

    /// <inheritdoc/>
    public int MaxModels => TaskArithmeticFamily.MaxModels;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount)
    {
        var reader = new ParameterReader(this, values, modelCount);
        const string densityHint = " (density is the kept fraction: for 80% write 0.8; 1 means no trimming)";
        float[] densities = reader.PerModelNumbers("density", modelCount, 0, 1, densityHint);
        float[]? gammas = Variant.Sparsification == Sparsification.MagnitudeOutliers ? reader.PerModelNumbers("gamma", modelCount, 0, 1) : null;
        float[]? epsilons = null;
        if (Variant.Sparsification == Sparsification.DellaMagnitudePrune)
        {
            epsilons = reader.PerModelNumbers("epsilon", modelCount, 0, 1);
            for (int i = 0; i < modelCount; i++)
            {
                float d = densities[i];
                if (d > 0 && d < 1 && (d + epsilons[i] >= 1 || d - epsilons[i] <= 0))
                    throw reader.Error($"parameter 'epsilon' of model {i} is {epsilons[i]}: density ± epsilon must lie inside (0, 1), so epsilon must be below {Math.Min(d, 1 - d)}");
            }
        }
        TrimScope scope = TrimScope.Tensor;
        if (Parameters.Any(p => p.Name == "trim_scope")) scope = reader.Choice("trim_scope") == "global" ? TrimScope.Global : TrimScope.Tensor;
        reader.Flag("int8_mask");
        return new TaskArithmeticSettings
        {
            Weights = reader.PerModelNumbers("weight", modelCount),
            Densities = densities,
            Gammas = gammas,
            Epsilons = epsilons,
            Normalize = reader.Flag("normalize"),
            Rescale = reader.Flag("rescale"),
            RescaleMode = reader.Choice("rescale_mode") == "inverse" ? RescaleMode.Inverse : RescaleMode.L1,
            TrimScope = scope,
            Lambda = (float)reader.Number("lambda"),
        };
    }

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) =>
        TaskArithmeticFamily.ScratchLength(Variant, shape, modelCount, (TaskArithmeticSettings)settings);

    /// <inheritdoc/>
    public void Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, (TaskArithmeticSettings)settings, output, scratch);

    int IChunkedMethod.ChunkAlignment(ReadOnlySpan<int> shape, MethodSettings settings) => TaskArithmeticFamily.ChunkAlignment(Variant, shape);

    long IChunkedMethod.PrepareScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings, int window) =>
        TaskArithmeticFamily.PrepareScratchLength(Variant, shape, window);

    object? IChunkedMethod.Prepare(ITensorRanges ranges, ReadOnlySpan<int> shape, string tensorName, ulong seed, MethodSettings settings, int window, float[] scratch, int threads) =>
        TaskArithmeticFamily.Prepare(ranges, shape, tensorName, seed, Variant, (TaskArithmeticSettings)settings, window, scratch, threads);

    long IChunkedMethod.ChunkScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) =>
        TaskArithmeticFamily.ChunkScratchLength(Variant, shape, modelCount);

    void IChunkedMethod.MergeChunk(object? state, in MergeInputs inputs, long start, ReadOnlySpan<int> shape, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.MergeChunk((TaskArithmeticChunkState)state!, inputs, start, shape, Variant, (TaskArithmeticSettings)settings, output, scratch);
}

/// <summary>
/// The task-vector merge. With δᵢ = xᵢ − b (fp32) and δ′ᵢ = sparsify(δᵢ) (rescaled when <c>rescale</c>), Dᵢ = wᵢ·δ′ᵢ:
/// <list type="bullet">
/// <item>without sign consensus: τ = Σᵢ Dᵢ, divisor = Σᵢ wᵢ (taken as 1 when |Σwᵢ| &lt; 1e-8);</item>
/// <item>with sign consensus (TIES "sum"): s = sign(Σᵢ Dᵢ) with a zero sum counting as +; mᵢ = [sign(Dᵢ) = s] (a zero Dᵢ never
/// agrees); τ = Σᵢ mᵢDᵢ, divisor = Σᵢ mᵢwᵢ (taken as 1 when 0);</item>
/// <item>output = b + λ·(normalize ? τ / divisor : τ).</item>
/// </list>
/// Element-wise arithmetic is fp32; the election sum is fp64 in ascending-magnitude order (so model order cannot flip an
/// exactly cancelling sum's sign) and the rescale norms are fp64. A NaN delta makes that element NaN;
/// ±∞ inputs give ±∞ or NaN as IEEE arithmetic does.
/// </summary>
public static class TaskArithmeticFamily
{
    /// <summary>Most non-base models (per-model state lives on the stack).</summary>
    public const int MaxModels = 64;

    private const int CombineChunk = 4096;
    private const int CountsFloats = MagnitudeSelection.BinCount * 2;

    /// <summary>
    /// Counts a breadcrumbs trim keeps and removes from the top, over <paramref name="total"/> entries:
    /// kept = CountForFraction(density), top = ⌊γ·total⌋, bottom = total − kept − top; when bottom &lt; 0 the top removal shrinks.
    /// The kept set is [top, total − bottom) in the magnitude order. For a global trim the executor turns
    /// (total − bottom) and top into two thresholds with <see cref="MagnitudeThresholdEstimator"/>
    /// (a count of 0 is <see cref="RankCut.None"/>, a count of total is <see cref="RankCut.All"/>).
    /// </summary>
    public static (long KeepTop, long RemoveTop) BreadcrumbsCounts(double density, double gamma, long total)
    {
        if (density >= 1) return (total, 0);
        long target = MagnitudeSelection.CountForFraction(density, total);
        long top = (long)Math.Floor(gamma * total);
        long bottom = total - target - top;
        if (bottom < 0)
        {
            top += bottom;
            bottom = 0;
        }
        return (total - bottom, Math.Max(top, 0));
    }

    /// <summary>Floats of scratch <see cref="Merge"/> needs.</summary>
    public static long ScratchLength(TaskArithmeticVariant variant, ReadOnlySpan<int> shape, int modelCount, TaskArithmeticSettings settings)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(settings);
        long n = 1;
        foreach (int d in shape) n *= d;
        long row = Math.Max(shape.Length <= 1 ? n : shape[^1], 1);
        bool della = variant.Sparsification == Sparsification.DellaMagnitudePrune;
        long chunk = della ? row : Math.Min(Math.Max(n, 1), CombineChunk);
        long total = (long)modelCount * chunk;
        if (NeedsCounts(variant, settings)) total += CountsFloats;
        if (della) total += 2 * row;
        return total;
    }

    private static bool NeedsCounts(TaskArithmeticVariant variant, TaskArithmeticSettings settings) =>
        variant.Sparsification is Sparsification.Magnitude or Sparsification.MagnitudeOutliers && settings.TrimScope == TrimScope.Tensor;

    /// <summary>Merges one tensor. Requires a base and 1..<see cref="MaxModels"/> models; scratch of <see cref="ScratchLength"/> floats.</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticVariant variant, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(settings);
        int models = inputs.ModelCount;
        int n = inputs.Length;
        CheckArguments(variant, settings, models, inputs.HasBase);
        if (output.Length != n) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        if (scratch.Length < ScratchLength(variant, inputs.Shape, models, settings))
            throw new ArgumentException("scratch is smaller than ScratchLength", nameof(scratch));

        bool della = variant.Sparsification == Sparsification.DellaMagnitudePrune;
        int rowLength = Math.Max(inputs.RowLength, 1);
        int chunk = della ? rowLength : Math.Min(Math.Max(n, 1), CombineChunk);
        int offset = 0;
        Span<long> counts = default;
        if (NeedsCounts(variant, settings))
        {
            counts = MemoryMarshal.Cast<float, long>(scratch[..CountsFloats]);
            offset = CountsFloats;
        }
        Span<float> multipliers = scratch.Slice(offset, models * chunk);
        offset += models * chunk;
        Span<ulong> sortBuffer = della ? MemoryMarshal.Cast<float, ulong>(scratch.Slice(offset, 2 * rowLength)) : default;

        var plan = new ModelPlan[models];
        ReadOnlySpan<float> b = inputs.Base;
        for (int i = 0; i < models; i++)
        {
            var source = new DifferenceSource(inputs.Model(i), b);
            plan[i] = PlanModel(source, n, inputs.ModelCount, inputs.TensorName, inputs.RandomSeed, variant, settings, i, counts);
        }

        // Rescale factors: L1 mode matches the unpruned L1 norm with one scalar per model.
        if (NeedsL1Sums(settings))
        {
            for (int i = 0; i < models; i++)
            {
                if (plan[i].KeepsAll || plan[i].DropsAll) continue;
                double before = 0, after = 0;
                AccumulateL1(inputs.Model(i), b, 0, variant, settings, plan[i], i, multipliers[..chunk], sortBuffer, chunk, ref before, ref after);
                SetFactor(ref plan[i], before, after);
            }
        }
        CombineRange(inputs, 0, variant, settings, plan, output, multipliers, sortBuffer, chunk);
    }

    private static void CheckArguments(TaskArithmeticVariant variant, TaskArithmeticSettings settings, int models, bool hasBase)
    {
        if (!hasBase) throw new ArgumentException($"{variant.Name} needs a base model");
        if (models < 1 || models > MaxModels) throw new ArgumentException($"{variant.Name} takes 1..{MaxModels} models, got {models}");
        if (settings.Weights.Count != models || settings.Densities.Count != models)
            throw new ArgumentException("settings were bound for a different number of models", nameof(settings));
    }

    private static bool NeedsL1Sums(TaskArithmeticSettings settings) => settings.Rescale && settings.RescaleMode == RescaleMode.L1;

    private static void SetFactor(ref ModelPlan plan, double before, double after)
    {
        if (!(before < 1e-7 || after < 1e-7)) plan.Factor = (float)(before / after);
    }

    /// <summary>Adds Σ|δ| and Σ|δ·keep| over x/b, whose first element is element <paramref name="start"/> of the tensor, in element order.</summary>
    private static void AccumulateL1(ReadOnlySpan<float> x, ReadOnlySpan<float> b, long start, TaskArithmeticVariant variant, TaskArithmeticSettings settings,
        in ModelPlan plan, int i, Span<float> mask, Span<ulong> sortBuffer, int chunk, ref double before, ref double after)
    {
        int n = x.Length;
        for (int s = 0; s < n; s += chunk)
        {
            int count = Math.Min(chunk, n - s);
            ReadOnlySpan<float> xs = x.Slice(s, count), bs = b.Slice(s, count);
            Span<float> m = mask[..count];
            FillKeep(xs, bs, start + s, variant, settings, plan, i, m, sortBuffer, inverse: false);
            for (int j = 0; j < count; j++)
            {
                float delta = xs[j] - bs[j];
                before += Math.Abs(delta);
                after += Math.Abs(delta * m[j]);
            }
        }
    }

    /// <summary>
    /// The combine over all elements of <paramref name="inputs"/>, whose element 0 is element <paramref name="start0"/> of the
    /// tensor; every element's result depends only on that element and the per-model plans (DELLA: on its row).
    /// </summary>
    private static void CombineRange(in MergeInputs inputs, long start0, TaskArithmeticVariant variant, TaskArithmeticSettings settings,
        ReadOnlySpan<ModelPlan> plan, Span<float> output, Span<float> multipliers, Span<ulong> sortBuffer, int chunk)
    {
        int models = inputs.ModelCount;
        int n = inputs.Length;
        ReadOnlySpan<float> b = inputs.Base;
        double weightSum = 0;
        for (int i = 0; i < models; i++) weightSum += settings.Weights[i];
        float plainDivisor = Math.Abs(weightSum) < 1e-8 ? 1f : (float)weightSum;
        bool inverse = settings.Rescale && settings.RescaleMode == RescaleMode.Inverse;
        Span<float> weights = stackalloc float[models];
        for (int i = 0; i < models; i++) weights[i] = settings.Weights[i];

        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            ReadOnlySpan<float> baseChunk = b.Slice(start, count);
            // Model-outer pass: turn each model's keep multipliers into its weighted sparse delta Dᵢ for this chunk.
            for (int i = 0; i < models; i++)
            {
                Span<float> weighted = multipliers.Slice(i * chunk, count);
                ReadOnlySpan<float> x = inputs.Model(i).Slice(start, count);
                FillKeep(x, baseChunk, start0 + start, variant, settings, plan[i], i, weighted, sortBuffer, inverse);
                TaskVectorKernels.Weight(x, baseChunk, plan[i].Factor, settings.Weights[i], weighted);
            }
            TaskVectorKernels.Combine(multipliers, models, chunk, count, weights, variant.SignConsensus, settings.Normalize, plainDivisor,
                settings.Lambda, baseChunk, output.Slice(start, count));
        }
    }

    /// <summary>
    /// Chunk boundaries a chunked merge may use: multiples of the row length for DELLA (it ranks within rows), any for the
    /// others. Always positive.
    /// </summary>
    internal static int ChunkAlignment(TaskArithmeticVariant variant, ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return variant.Sparsification == Sparsification.DellaMagnitudePrune ? (int)Math.Max(shape.Length <= 1 ? n : shape[^1], 1) : 1;
    }

    /// <summary>Floats of scratch <see cref="Prepare"/> needs with a window of <paramref name="window"/> elements.</summary>
    internal static long PrepareScratchLength(TaskArithmeticVariant variant, ReadOnlySpan<int> shape, int window)
    {
        int align = ChunkAlignment(variant, shape);
        // counts, x, b and mask windows; the parallel L1 pass uses two more windows of terms per thread
        return CountsFloats + 5L * window + (variant.Sparsification == Sparsification.DellaMagnitudePrune ? 2L * align : 0);
    }

    /// <summary>Floats of scratch <see cref="MergeChunk"/> needs.</summary>
    internal static long ChunkScratchLength(TaskArithmeticVariant variant, ReadOnlySpan<int> shape, int modelCount)
    {
        int align = ChunkAlignment(variant, shape);
        bool della = variant.Sparsification == Sparsification.DellaMagnitudePrune;
        return (long)modelCount * (della ? align : CombineChunk) + (della ? 2L * align : 0);
    }

    /// <summary>
    /// The per-tensor statistics of a chunked merge, streamed from <paramref name="ranges"/> in windows of
    /// <paramref name="window"/> elements (a multiple of <see cref="ChunkAlignment"/>): the magnitude cuts (two or three
    /// histogram passes per model) and the L1 rescale factors (one more pass). The same values in the same order as
    /// <see cref="Merge"/>, so the result is bit-identical.
    /// </summary>
    internal static TaskArithmeticChunkState Prepare(ITensorRanges ranges, ReadOnlySpan<int> shape, string tensorName, ulong seed,
        TaskArithmeticVariant variant, TaskArithmeticSettings settings, int window, float[] scratch, int threads = 1)
    {
        int models = ranges.ModelCount;
        CheckArguments(variant, settings, models, hasBase: true);
        int n = checked((int)ranges.Length);
        int align = ChunkAlignment(variant, shape);
        if (window <= 0 || window % align != 0) throw new ArgumentException("the window must be a positive multiple of the chunk alignment", nameof(window));
        if (scratch.Length < PrepareScratchLength(variant, shape, window)) throw new ArgumentException("scratch is smaller than PrepareScratchLength", nameof(scratch));
        Span<long> counts = MemoryMarshal.Cast<float, long>(scratch.AsSpan(0, CountsFloats));
        var xWindow = new Memory<float>(scratch, CountsFloats, window);
        var bWindow = new Memory<float>(scratch, CountsFloats + window, window);
        Span<float> mask = scratch.AsSpan(CountsFloats + (2 * window), window);
        bool della = variant.Sparsification == Sparsification.DellaMagnitudePrune;
        Span<ulong> sortBuffer = della ? MemoryMarshal.Cast<float, ulong>(scratch.AsSpan(CountsFloats + (3 * window), 2 * align)) : default;
        int chunk = della ? align : CombineChunk;

        var plan = new ModelPlan[models];
        // Large tensors count their magnitude histograms on several threads (integer counts: the order does not matter).
        bool parallelTrim = threads > 1 && n >= ParallelWindows * (long)window && NeedsCounts(variant, settings);
        for (int i = 0; i < models; i++)
        {
            if (parallelTrim && settings.Densities[i] < 1)
            {
                plan[i] = new ModelPlan { Factor = 1f };
                if (variant.Sparsification == Sparsification.Magnitude)
                {
                    plan[i].Band = new TrimBand(ParallelTopK(ranges, i, MagnitudeSelection.CountForFraction(settings.Densities[i], n), window, threads), RankCut.None);
                }
                else
                {
                    float gamma = settings.Gammas is null ? 0.01f : settings.Gammas[i];
                    (long keepTop, long removeTop) = BreadcrumbsCounts(settings.Densities[i], gamma, n);
                    plan[i].Band = new TrimBand(ParallelTopK(ranges, i, keepTop, window, threads), ParallelTopK(ranges, i, removeTop, window, threads));
                }
                continue;
            }
            var source = new StreamedDifference(ranges, i, xWindow, bWindow);
            plan[i] = PlanModel(source, n, models, tensorName, seed, variant, settings, i, counts);
        }
        if (NeedsL1Sums(settings))
        {
            for (int i = 0; i < models; i++)
            {
                if (plan[i].KeepsAll || plan[i].DropsAll) continue;
                double before = 0, after = 0;
                if (threads > 1 && n >= ParallelWindows * (long)window)
                {
                    ParallelL1(ranges, variant, settings, plan[i], i, window, chunk, align, threads, ref before, ref after);
                }
                else
                {
                    for (int start = 0; start < n; start += window)
                    {
                        int count = Math.Min(window, n - start);
                        Span<float> x = xWindow.Span[..count], b = bWindow.Span[..count];
                        ranges.ReadModel(i, start, x);
                        ranges.ReadBase(start, b);
                        AccumulateL1(x, b, start, variant, settings, plan[i], i, mask, sortBuffer, chunk, ref before, ref after);
                    }
                }
                SetFactor(ref plan[i], before, after);
            }
        }
        return new TaskArithmeticChunkState(plan);
    }

    /// <summary>
    /// The L1 sums of <see cref="AccumulateL1"/> for a large tensor: groups of windows compute their fp32 terms |δ| and
    /// |δ·keep| on <paramref name="threads"/> threads, then one thread adds the terms in element order, so the fp64 sums
    /// take the same additions in the same order.
    /// </summary>
    private static void ParallelL1(ITensorRanges ranges, TaskArithmeticVariant variant, TaskArithmeticSettings settings, ModelPlan plan, int i,
        int window, int chunk, int align, int threads, ref double before, ref double after)
    {
        int n = (int)ranges.Length;
        int windows = (n + window - 1) / window;
        bool della = variant.Sparsification == Sparsification.DellaMagnitudePrune;
        var pool = System.Buffers.ArrayPool<float>.Shared;
        var slots = new (float[] X, float[] B, float[] Mask, float[] Plain, float[] Kept, ulong[] Sort)[threads];
        for (int s = 0; s < threads; s++)
            slots[s] = (pool.Rent(window), pool.Rent(window), pool.Rent(window), pool.Rent(window), pool.Rent(window), della ? new ulong[2 * align] : []);
        try
        {
            for (int group = 0; group < windows; group += threads)
            {
                int first = group;
                int inGroup = Math.Min(threads, windows - group);
                Parallel.For(0, inGroup, new ParallelOptions { MaxDegreeOfParallelism = threads }, s =>
                {
                    var slot = slots[s];
                    long start = (long)(first + s) * window;
                    int count = (int)Math.Min(window, n - start);
                    Span<float> x = slot.X.AsSpan(0, count), b = slot.B.AsSpan(0, count);
                    ranges.ReadModel(i, start, x);
                    ranges.ReadBase(start, b);
                    for (int c = 0; c < count; c += chunk)
                    {
                        int part = Math.Min(chunk, count - c);
                        Span<float> m = slot.Mask.AsSpan(c, part);
                        FillKeep(x.Slice(c, part), b.Slice(c, part), start + c, variant, settings, plan, i, m, slot.Sort, inverse: false);
                    }
                    for (int j = 0; j < count; j++)
                    {
                        float delta = x[j] - b[j];
                        slot.Plain[j] = Math.Abs(delta);
                        slot.Kept[j] = Math.Abs(delta * slot.Mask[j]);
                    }
                });
                for (int s = 0; s < inGroup; s++)
                {
                    int count = (int)Math.Min(window, n - ((long)(first + s) * window));
                    float[] plain = slots[s].Plain, kept = slots[s].Kept;
                    for (int j = 0; j < count; j++)
                    {
                        before += plain[j];
                        after += kept[j];
                    }
                }
            }
        }
        finally
        {
            foreach (var slot in slots)
            {
                pool.Return(slot.X);
                pool.Return(slot.B);
                pool.Return(slot.Mask);
                pool.Return(slot.Plain);
                pool.Return(slot.Kept);
            }
        }
    }

    /// <summary>Tensors of at least this many windows count their magnitude histograms in parallel.</summary>
    internal const int ParallelWindows = 4;

    /// <summary>
    /// <see cref="MagnitudeSelection.TopK"/> over model <paramref name="model"/>'s deltas with the two histogram passes split
    /// over windows on <paramref name="threads"/> threads (each with its own counts, added up); the tie scan, when needed,
    /// runs in order. The counts are integers, so the cut is the one TopK finds.
    /// </summary>
    internal static RankCut ParallelTopK(ITensorRanges ranges, int model, long k, int window, int threads)
    {
        long n = ranges.Length;
        if (k <= 0) return RankCut.None;
        if (k >= n) return RankCut.All;
        long[] coarse = Histogram(ranges, model, window, threads, -1);
        int bin = MagnitudeSelection.FindCoarseBin(coarse, k, out long countAboveBin);
        long[] fine = Histogram(ranges, model, window, threads, bin);
        uint key = MagnitudeSelection.FindFineKey(fine, bin, k, countAboveBin, out long countAboveKey, out long ties);
        long quota = k - countAboveKey;
        if (quota >= ties) return new RankCut(key, long.MaxValue);
        float[] x = System.Buffers.ArrayPool<float>.Shared.Rent(window), b = System.Buffers.ArrayPool<float>.Shared.Rent(window);
        try
        {
            long seen = 0;
            for (long start = 0; start < n; start += window)
            {
                int count = (int)Math.Min(window, n - start);
                ranges.ReadModel(model, start, x.AsSpan(0, count));
                ranges.ReadBase(start, b.AsSpan(0, count));
                for (int j = 0; j < count; j++)
                {
                    if (MagnitudeSelection.KeyOf(x[j] - b[j]) == key && ++seen == quota) return new RankCut(key, start + j);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(x);
            System.Buffers.ArrayPool<float>.Shared.Return(b);
        }
        throw new InvalidOperationException("the tie scan saw fewer ties than the refinement pass");
    }

    /// <summary>The coarse (<paramref name="bin"/> &lt; 0) or fine (within <paramref name="bin"/>) magnitude histogram of one model's deltas.</summary>
    private static long[] Histogram(ITensorRanges ranges, int model, int window, int threads, int bin)
    {
        long n = ranges.Length;
        var total = new long[MagnitudeSelection.BinCount];
        int windows = (int)((n + window - 1) / window);
        Parallel.For(0, windows, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => (Counts: new long[MagnitudeSelection.BinCount], X: System.Buffers.ArrayPool<float>.Shared.Rent(window), B: System.Buffers.ArrayPool<float>.Shared.Rent(window)),
            (w, _, local) =>
            {
                long start = (long)w * window;
                int count = (int)Math.Min(window, n - start);
                Span<float> x = local.X.AsSpan(0, count), b = local.B.AsSpan(0, count);
                ranges.ReadModel(model, start, x);
                ranges.ReadBase(start, b);
                for (int j = 0; j < count; j++) x[j] -= b[j];
                if (bin < 0) MagnitudeSelection.AddCoarse(local.Counts, x);
                else MagnitudeSelection.AddFine(local.Counts, x, bin);
                return local;
            },
            local =>
            {
                lock (total)
                {
                    for (int i = 0; i < total.Length; i++) total[i] += local.Counts[i];
                }
                System.Buffers.ArrayPool<float>.Shared.Return(local.X);
                System.Buffers.ArrayPool<float>.Shared.Return(local.B);
            });
        return total;
    }

    /// <summary>
    /// Merges elements [start, start + inputs.Length) of a tensor whose statistics <paramref name="state"/> holds;
    /// <paramref name="start"/> and the length are multiples of <see cref="ChunkAlignment"/> (except at the tensor's end).
    /// </summary>
    internal static void MergeChunk(TaskArithmeticChunkState state, in MergeInputs inputs, long start, ReadOnlySpan<int> shape,
        TaskArithmeticVariant variant, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(state);
        int models = inputs.ModelCount;
        CheckArguments(variant, settings, models, inputs.HasBase);
        if (output.Length != inputs.Length) throw new ArgumentException("output length differs from the chunk's", nameof(output));
        if (scratch.Length < ChunkScratchLength(variant, shape, models)) throw new ArgumentException("scratch is smaller than ChunkScratchLength", nameof(scratch));
        bool della = variant.Sparsification == Sparsification.DellaMagnitudePrune;
        int align = ChunkAlignment(variant, shape);
        int chunk = della ? align : CombineChunk;
        Span<float> multipliers = scratch[..(models * chunk)];
        Span<ulong> sortBuffer = della ? MemoryMarshal.Cast<float, ulong>(scratch.Slice(models * chunk, 2 * align)) : default;
        CombineRange(inputs, start, variant, settings, state.Plans, output, multipliers, sortBuffer, chunk);
    }

    internal struct ModelPlan
    {
        public bool KeepsAll;
        public bool DropsAll;
        public TrimBand Band;
        public CounterRandom Random;
        public float Factor;
    }

    private static ModelPlan PlanModel<TSource>(scoped in TSource source, int n, int modelCount, string tensorName, ulong seed,
        TaskArithmeticVariant variant, TaskArithmeticSettings settings, int i, Span<long> counts)
        where TSource : IValueSource, allows ref struct
    {
        float density = settings.Densities[i];
        var plan = new ModelPlan { Factor = 1f };
        if (variant.Sparsification == Sparsification.None || density >= 1)
        {
            plan.KeepsAll = true;
            return plan;
        }
        switch (variant.Sparsification)
        {
            case Sparsification.Magnitude or Sparsification.MagnitudeOutliers when settings.TrimScope == TrimScope.Global:
                if (settings.GlobalBands is null || settings.GlobalBands.Count != modelCount)
                    throw new InvalidOperationException($"{variant.Name} with trim_scope global needs GlobalBands for every model (tensor {tensorName})");
                plan.Band = settings.GlobalBands[i];
                break;
            case Sparsification.Magnitude:
            {
                plan.Band = new TrimBand(MagnitudeSelection.TopK(source, MagnitudeSelection.CountForFraction(density, n), counts), RankCut.None);
                break;
            }
            case Sparsification.MagnitudeOutliers:
            {
                float gamma = settings.Gammas is null ? 0.01f : settings.Gammas[i];
                (long keepTop, long removeTop) = BreadcrumbsCounts(density, gamma, n);
                RankCut keep = MagnitudeSelection.TopK(source, keepTop, counts);
                RankCut outliers = MagnitudeSelection.TopK(source, removeTop, counts);
                plan.Band = new TrimBand(keep, outliers);
                break;
            }
            case Sparsification.Random or Sparsification.DellaMagnitudePrune:
                if (density <= 0)
                {
                    plan.DropsAll = true;
                    return plan;
                }
                plan.Random = new CounterRandom(seed, tensorName, i);
                break;
        }
        return plan;
    }

    /// <summary>
    /// Writes, for the elements x/b (element 0 is element <paramref name="start"/> of the tensor) of model i, the keep
    /// multiplier: 0 when dropped, else 1, or with <paramref name="inverse"/> the inverse keep probability (1/density; DELLA: 1/pₑ).
    /// </summary>
    private static void FillKeep(ReadOnlySpan<float> x, ReadOnlySpan<float> b, long start, TaskArithmeticVariant variant, TaskArithmeticSettings settings,
        in ModelPlan plan, int i, Span<float> m, Span<ulong> sortBuffer, bool inverse)
    {
        if (plan.KeepsAll)
        {
            m.Fill(1f);
            return;
        }
        if (plan.DropsAll)
        {
            m.Clear();
            return;
        }
        float density = settings.Densities[i];
        float kept = inverse ? 1f / density : 1f;
        switch (variant.Sparsification)
        {
            case Sparsification.Magnitude or Sparsification.MagnitudeOutliers:
                TaskVectorKernels.MagnitudeKeep(x[..m.Length], b[..m.Length], start, plan.Band, kept, m);
                break;
            case Sparsification.Random:
                TaskVectorKernels.RandomKeep(plan.Random, start, density, kept, m);
                break;
            case Sparsification.DellaMagnitudePrune:
                FillDellaKeep(x[..m.Length], b[..m.Length], start, density, settings.Epsilons![i], plan.Random, m, sortBuffer, inverse);
                break;
            default:
                m.Fill(1f);
                break;
        }
    }

    /// <summary>
    /// DELLA MagPrune on one row: rank r ∈ [0, L−1] ascending by |δ| (among equal magnitudes the later index ranks lower, so
    /// the order matches the trims'); pₑ = (density − ε) + 2ε·r/(L−1) (pₑ = density when L = 1); keep when uₑ &lt; pₑ.
    /// </summary>
    private static void FillDellaKeep(ReadOnlySpan<float> x, ReadOnlySpan<float> b, long start, float density, float epsilon,
        in CounterRandom random, Span<float> m, Span<ulong> sortBuffer, bool inverse)
    {
        int length = m.Length;
        Span<ulong> order = sortBuffer[..length];
        for (int j = 0; j < length; j++)
            order[j] = ((ulong)MagnitudeSelection.KeyOf(x[j] - b[j]) << 32) | (uint)(length - 1 - j);
        order.Sort();
        double low = (double)density - epsilon;
        for (int r = 0; r < length; r++)
        {
            int j = length - 1 - (int)(uint)order[r];
            double p = length == 1 ? density : low + 2.0 * epsilon * r / (length - 1);
            bool keep = random.Uniform(start + j) < p;
            m[j] = keep ? (inverse ? (float)(1.0 / p) : 1f) : 0f;
        }
    }

    /// <summary>The differences x − b of one model, read from the tensor's ranges one window at a time (for the magnitude passes).</summary>
    private sealed class StreamedDifference(ITensorRanges ranges, int model, Memory<float> window, Memory<float> baseWindow) : IValueSource
    {
        private long _start = -1;
        private int _count;

        public int Length => (int)ranges.Length;

        public void Fill(int start, scoped Span<float> destination)
        {
            for (int done = 0; done < destination.Length;)
            {
                long position = start + done;
                if (_start < 0 || position < _start || position >= _start + _count)
                {
                    _start = position;
                    _count = (int)Math.Min(window.Length, ranges.Length - position);
                    Span<float> x = window.Span[.._count], b = baseWindow.Span[.._count];
                    ranges.ReadModel(model, position, x);
                    ranges.ReadBase(position, b);
                    for (int j = 0; j < x.Length; j++) x[j] -= b[j];
                }
                int offset = (int)(position - _start);
                int n = Math.Min(destination.Length - done, _count - offset);
                window.Span.Slice(offset, n).CopyTo(destination.Slice(done, n));
                done += n;
            }
        }
    }
}

/// <summary>The per-tensor plans a chunked task-vector merge computed in its first pass.</summary>
internal sealed class TaskArithmeticChunkState(TaskArithmeticFamily.ModelPlan[] plans)
{
    /// <summary>One plan per model.</summary>
    public TaskArithmeticFamily.ModelPlan[] Plans { get; } = plans;
}
