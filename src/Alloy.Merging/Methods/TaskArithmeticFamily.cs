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
public sealed class TaskArithmeticMethod : IMergeMethod
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
        if (!inputs.HasBase) throw new ArgumentException($"{variant.Name} needs a base model", nameof(inputs));
        if (models < 1 || models > MaxModels) throw new ArgumentException($"{variant.Name} takes 1..{MaxModels} models, got {models}", nameof(inputs));
        if (settings.Weights.Count != models || settings.Densities.Count != models)
            throw new ArgumentException("settings were bound for a different number of models", nameof(settings));
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

        Span<ModelPlan> plan = stackalloc ModelPlan[models];
        ReadOnlySpan<float> b = inputs.Base;
        for (int i = 0; i < models; i++)
        {
            plan[i] = PlanModel(inputs, variant, settings, i, counts);
        }

        // Rescale factors: L1 mode matches the unpruned L1 norm with one scalar per model.
        if (settings.Rescale && settings.RescaleMode == RescaleMode.L1)
        {
            for (int i = 0; i < models; i++)
            {
                if (plan[i].KeepsAll || plan[i].DropsAll) continue;
                ReadOnlySpan<float> x = inputs.Model(i);
                double before = 0, after = 0;
                Span<float> mask = multipliers[..chunk];
                for (int start = 0; start < n; start += chunk)
                {
                    int count = Math.Min(chunk, n - start);
                    FillKeep(inputs, variant, settings, plan[i], i, start, mask[..count], sortBuffer, inverse: false);
                    for (int j = 0; j < count; j++)
                    {
                        float delta = x[start + j] - b[start + j];
                        before += Math.Abs(delta);
                        after += Math.Abs(delta * mask[j]);
                    }
                }
                if (!(before < 1e-7 || after < 1e-7)) plan[i].Factor = (float)(before / after);
            }
        }

        double weightSum = 0;
        for (int i = 0; i < models; i++) weightSum += settings.Weights[i];
        float plainDivisor = Math.Abs(weightSum) < 1e-8 ? 1f : (float)weightSum;
        bool inverse = settings.Rescale && settings.RescaleMode == RescaleMode.Inverse;
        Span<float> deltas = stackalloc float[models];
        Span<float> sumWork = stackalloc float[models];

        for (int start = 0; start < n; start += chunk)
        {
            int count = Math.Min(chunk, n - start);
            ReadOnlySpan<float> baseChunk = b.Slice(start, count);
            // Model-outer pass: turn each model's keep multipliers into its weighted sparse delta Dᵢ for this chunk.
            for (int i = 0; i < models; i++)
            {
                Span<float> weighted = multipliers.Slice(i * chunk, count);
                FillKeep(inputs, variant, settings, plan[i], i, start, weighted, sortBuffer, inverse);
                ReadOnlySpan<float> x = inputs.Model(i).Slice(start, count);
                float factor = plan[i].Factor, weight = settings.Weights[i];
                for (int j = 0; j < count; j++) weighted[j] = weight * ((x[j] - baseChunk[j]) * (weighted[j] * factor));
            }
            for (int j = 0; j < count; j++)
            {
                for (int i = 0; i < models; i++) deltas[i] = multipliers[i * chunk + j];
                double electionSum = OrderFreeSum.Sum(deltas, sumWork);
                float mixed;
                if (double.IsNaN(electionSum))
                {
                    mixed = float.NaN;
                }
                else if (variant.SignConsensus)
                {
                    bool positive = electionSum >= 0;
                    float sum = 0, divisor = 0;
                    for (int i = 0; i < models; i++)
                    {
                        float d = deltas[i];
                        if (positive ? d > 0 : d < 0)
                        {
                            sum += d;
                            divisor += settings.Weights[i];
                        }
                    }
                    if (divisor == 0) divisor = 1;
                    mixed = settings.Normalize ? sum / divisor : sum;
                }
                else
                {
                    float sum = 0;
                    for (int i = 0; i < models; i++) sum += deltas[i];
                    mixed = settings.Normalize ? sum / plainDivisor : sum;
                }
                output[start + j] = baseChunk[j] + mixed * settings.Lambda;
            }
        }
    }

    private struct ModelPlan
    {
        public bool KeepsAll;
        public bool DropsAll;
        public TrimBand Band;
        public CounterRandom Random;
        public float Factor;
    }

    private static ModelPlan PlanModel(in MergeInputs inputs, TaskArithmeticVariant variant, TaskArithmeticSettings settings, int i, Span<long> counts)
    {
        float density = settings.Densities[i];
        var plan = new ModelPlan { Factor = 1f };
        if (variant.Sparsification == Sparsification.None || density >= 1)
        {
            plan.KeepsAll = true;
            return plan;
        }
        int n = inputs.Length;
        switch (variant.Sparsification)
        {
            case Sparsification.Magnitude or Sparsification.MagnitudeOutliers when settings.TrimScope == TrimScope.Global:
                if (settings.GlobalBands is null || settings.GlobalBands.Count != inputs.ModelCount)
                    throw new InvalidOperationException($"{variant.Name} with trim_scope global needs GlobalBands for every model (tensor {inputs.TensorName})");
                plan.Band = settings.GlobalBands[i];
                break;
            case Sparsification.Magnitude:
            {
                var source = new DifferenceSource(inputs.Model(i), inputs.Base);
                plan.Band = new TrimBand(MagnitudeSelection.TopK(source, MagnitudeSelection.CountForFraction(density, n), counts), RankCut.None);
                break;
            }
            case Sparsification.MagnitudeOutliers:
            {
                float gamma = settings.Gammas is null ? 0.01f : settings.Gammas[i];
                (long keepTop, long removeTop) = BreadcrumbsCounts(density, gamma, n);
                var source = new DifferenceSource(inputs.Model(i), inputs.Base);
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
                plan.Random = new CounterRandom(inputs.RandomSeed, inputs.TensorName, i);
                break;
        }
        return plan;
    }

    /// <summary>
    /// Writes, for elements [start, start + m.Length) of model i, the keep multiplier: 0 when dropped, else 1, or with
    /// <paramref name="inverse"/> the inverse keep probability (1/density; DELLA: 1/pₑ).
    /// </summary>
    private static void FillKeep(in MergeInputs inputs, TaskArithmeticVariant variant, TaskArithmeticSettings settings, in ModelPlan plan,
        int i, int start, Span<float> m, Span<ulong> sortBuffer, bool inverse)
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
        ReadOnlySpan<float> x = inputs.Model(i);
        ReadOnlySpan<float> b = inputs.Base;
        switch (variant.Sparsification)
        {
            case Sparsification.Magnitude or Sparsification.MagnitudeOutliers:
                for (int j = 0; j < m.Length; j++)
                    m[j] = plan.Band.Contains(x[start + j] - b[start + j], start + j) ? kept : 0f;
                break;
            case Sparsification.Random:
                for (int j = 0; j < m.Length; j++)
                    m[j] = plan.Random.Uniform(start + j) < density ? kept : 0f;
                break;
            case Sparsification.DellaMagnitudePrune:
                FillDellaKeep(x.Slice(start, m.Length), b.Slice(start, m.Length), start, density, settings.Epsilons![i], plan.Random, m, sortBuffer, inverse);
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
    private static void FillDellaKeep(ReadOnlySpan<float> x, ReadOnlySpan<float> b, int start, float density, float epsilon,
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
}
