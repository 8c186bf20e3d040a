// SCE (FuseChat): select high-variance positions, weight models by their task vectors' energy, erase sign conflicts.
// Whole tensor; variance and energies in fp64.
using System.Runtime.InteropServices;

namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="Sce"/>.</summary>
public sealed record SceSettings : MethodSettings
{
    /// <summary>Fraction of positions kept by variance across the task vectors (default 1 = all).</summary>
    public float SelectTopK { get; init; } = 1f;
}

/// <summary>
/// <c>sce</c>: base b and N ≥ 1 models, δᵢ = xᵢ − b (fp32).
/// (1) Select: when select_topk &lt; 1, vₑ = population variance over i of δᵢ(e); keep the top k = CountForFraction(select_topk,
/// #{e: vₑ ≠ 0}) positions by vₑ (ties by lower index), zero δ elsewhere (select_topk = 0 zeroes all).
/// (2) Calculate: sᵢ = mean over e of δᵢ(e)² (after selection); wᵢ = sᵢ/Σs, or 1/N when Σs = 0.
/// (3) Erase: s(e) = sign(Σᵢ δᵢ(e)) (0 counts as +), mᵢ(e) = [sign δᵢ(e) = s(e)].
/// output = b + Σᵢ wᵢmᵢδᵢ / max(Σᵢ wᵢmᵢ, 1e-6).
/// Differences from mergekit: mergekit falls back to equal weights when Σs &lt; 1e-6 in absolute terms, which on real
/// LLM deltas (|δ| ~ 1e-3, so s ~ 1e-6) silently replaces the energy weights; Alloy only does so when Σs = 0. The kept
/// count is at least 1 when select_topk &gt; 0 and some variance is nonzero (mergekit keeps ⌊·⌋, possibly 0).
/// A NaN delta gives NaN at its element (and NaN weights, hence a NaN tensor, when it survives selection).
/// </summary>
public sealed class Sce : IMergeMethod
{
    /// <summary>The registry entry.</summary>
    public static Sce Method { get; } = new();

    /// <inheritdoc/>
    public string Name => "sce";

    /// <inheritdoc/>
    public string Summary => "select by variance, calculate energy weights, erase sign conflicts (FuseChat, Wan et al. 2024)";

    /// <inheritdoc/>
    public BaseModelUse BaseModel => BaseModelUse.Required;

    /// <inheritdoc/>
    public int MinModels => 1;

    /// <inheritdoc/>
    public int MaxModels => TaskArithmeticFamily.MaxModels;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        new("select_topk", ParameterKind.Number, ParameterScope.Global, false, ParameterValue.Of(1.0), "fraction of positions kept by variance, in [0, 1]"),
        new("int8_mask", ParameterKind.Boolean, ParameterScope.Global, false, ParameterValue.Of(false), "accepted for mergekit compatibility; no effect"),
    ];

    /// <inheritdoc/>
    public MethodSettings Bind(ParameterValues values, int modelCount)
    {
        var reader = new ParameterReader(this, values, modelCount);
        reader.Flag("int8_mask");
        return new SceSettings { SelectTopK = (float)reader.Number("select_topk", -1, 0, 1, " (a fraction: for 10% write 0.1)") };
    }

    /// <inheritdoc/>
    public long ScratchLength(ReadOnlySpan<int> shape, int modelCount, MethodSettings settings) =>
        ((SceSettings)settings).SelectTopK < 1 ? 2 * MagnitudeSelection.BinCount : 0;

    void IMergeMethod.Merge(in MergeInputs inputs, MethodSettings settings, Span<float> output, Span<float> scratch) =>
        Merge(inputs, (SceSettings)settings, output, scratch);

    /// <summary>Merges one tensor: base and 1..64 models.</summary>
    public static void Merge(in MergeInputs inputs, SceSettings settings, Span<float> output, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int models = inputs.ModelCount, n = inputs.Length;
        if (!inputs.HasBase || models < 1 || models > TaskArithmeticFamily.MaxModels) throw new ArgumentException("sce needs a base and 1..64 models", nameof(inputs));
        if (output.Length != n) throw new ArgumentException("output length differs from the tensor's", nameof(output));
        ReadOnlySpan<float> b = inputs.Base;

        RankCut selected = RankCut.All;
        var variance = new VarianceSource(inputs);
        if (settings.SelectTopK <= 0)
        {
            selected = RankCut.None;
        }
        else if (settings.SelectTopK < 1)
        {
            Span<float> chunk = stackalloc float[MagnitudeSelection.ChunkLength];
            long nonzero = 0;
            for (int start = 0; start < n; start += chunk.Length)
            {
                Span<float> part = chunk[..Math.Min(chunk.Length, n - start)];
                variance.Fill(start, part);
                foreach (float v in part) if (v != 0) nonzero++;
            }
            long k = MagnitudeSelection.CountForFraction(settings.SelectTopK, nonzero);
            selected = MagnitudeSelection.TopK(variance, k, MemoryMarshal.Cast<float, long>(scratch[..(2 * MagnitudeSelection.BinCount)]));
        }

        bool ranking = selected != RankCut.All && selected != RankCut.None;
        Span<float> block = stackalloc float[models * Block];
        Span<float> deltas = stackalloc float[models];
        Span<float> sumWork = stackalloc float[models];

        // Energy weights over the selected deltas.
        Span<double> weights = stackalloc double[models];
        if (selected != RankCut.None)
        {
            for (int start = 0; start < n; start += Block)
            {
                int count = Math.Min(Block, n - start);
                GatherDeltas(inputs, start, count, block);
                for (int j = 0; j < count; j++)
                {
                    if (ranking && !selected.Contains(Variance(block, j, count, models, deltas, sumWork), start + j)) continue;
                    for (int i = 0; i < models; i++)
                    {
                        double delta = block[i * count + j];
                        weights[i] += delta * delta;
                    }
                }
            }
        }
        double energySum = 0;
        for (int i = 0; i < models; i++)
        {
            weights[i] /= Math.Max(n, 1);
            energySum += weights[i];
        }
        for (int i = 0; i < models; i++) weights[i] = energySum == 0 ? 1.0 / models : weights[i] / energySum;

        for (int start = 0; start < n; start += Block)
        {
            int count = Math.Min(Block, n - start);
            GatherDeltas(inputs, start, count, block);
            for (int j = 0; j < count; j++)
            {
                int e = start + j;
                float baseValue = b[e];
                if (selected == RankCut.None || (ranking && !selected.Contains(Variance(block, j, count, models, deltas, sumWork), e)))
                {
                    output[e] = baseValue;
                    continue;
                }
                for (int i = 0; i < models; i++) deltas[i] = block[i * count + j];
                double sum = OrderFreeSum.Sum(deltas, sumWork);
                bool positive = sum >= 0;
                double numerator = 0, denominator = 0;
                for (int i = 0; i < models; i++)
                {
                    float d = deltas[i];
                    if (positive ? d > 0 : d < 0)
                    {
                        numerator += weights[i] * d;
                        denominator += weights[i];
                    }
                }
                output[e] = double.IsNaN(sum) ? float.NaN : baseValue + (float)(numerator / Math.Max(denominator, 1e-6));
            }
        }
    }

    /// <summary>Elements per block of gathered deltas (models × Block floats on the stack).</summary>
    private const int Block = 64;

    /// <summary>block[i·count + j] = xᵢ(start + j) − b(start + j), one model at a time.</summary>
    private static void GatherDeltas(in MergeInputs inputs, int start, int count, Span<float> block)
    {
        ReadOnlySpan<float> b = inputs.Base.Slice(start, count);
        for (int i = 0; i < inputs.ModelCount; i++)
        {
            ReadOnlySpan<float> x = inputs.Model(i).Slice(start, count);
            Span<float> row = block.Slice(i * count, count);
            for (int j = 0; j < count; j++) row[j] = x[j] - b[j];
        }
    }

    /// <summary>
    /// Population variance over the models of element j of a gathered block, in fp64 over the deltas sorted into a
    /// canonical order (so the rounding, hence the ranking, does not depend on model order), rounded to fp32.
    /// </summary>
    private static float Variance(ReadOnlySpan<float> block, int j, int count, int models, Span<float> deltas, Span<float> sorted)
    {
        for (int i = 0; i < models; i++) deltas[i] = block[i * count + j];
        OrderFreeSum.Sum(deltas, sorted);
        ReadOnlySpan<float> ordered = models <= 2 ? deltas : sorted[..models];
        double mean = 0;
        foreach (float d in ordered) mean += d;
        mean /= models;
        double sumSquares = 0;
        foreach (float d in ordered) sumSquares += (d - mean) * (d - mean);
        return (float)(sumSquares / models);
    }

    /// <summary>Population variance over the models of δᵢ(e) = xᵢ(e) − b(e) (fp64 in a canonical order, rounded to fp32 for ranking).</summary>
    private readonly ref struct VarianceSource : IValueSource
    {
        private readonly MergeInputs inputs;

        public VarianceSource(in MergeInputs inputs) => this.inputs = inputs;

        public int Length => inputs.Length;

        public void Fill(int start, scoped Span<float> destination)
        {
            int models = inputs.ModelCount;
            Span<float> block = stackalloc float[models * Block];
            Span<float> deltas = stackalloc float[models];
            Span<float> sorted = stackalloc float[models];
            for (int offset = 0; offset < destination.Length; offset += Block)
            {
                int count = Math.Min(Block, destination.Length - offset);
                GatherDeltas(inputs, start + offset, count, block);
                for (int j = 0; j < count; j++) destination[offset + j] = Variance(block, j, count, models, deltas, sorted);
            }
        }
    }
}
