// Shared parameters and selection of the Thinking Spectrum's top-k-difference merges (surgical, avg_override):
// which entries differ most between the receiver and the donor, per tensor or over the whole model.
using System.Runtime.InteropServices;

namespace Alloy.Merging.Methods;

/// <summary>Bound parameters of <see cref="Surgical"/> and <see cref="AvgOverride"/>.</summary>
public sealed record TopKDifferenceSettings : MethodSettings
{
    /// <summary>Fraction k of entries, by |donor − receiver|, that take the donor's value (0.1 = 10 %).</summary>
    public required float TopK { get; init; }

    /// <summary>avg_override only: the donor's share of the average the other entries get (0.5 = plain average).</summary>
    public float T { get; init; } = 0.5f;

    /// <summary>Rank differences over the whole model (the Thinking Spectrum's choice, default) or per tensor.</summary>
    public TrimScope TrimScope { get; init; } = TrimScope.Global;

    /// <summary>With a global scope: the cut over the whole model (from <see cref="MagnitudeThresholdEstimator"/> fed donor − receiver).</summary>
    public RankCut? GlobalCut { get; init; }
}

/// <summary>The parameter list, binding and selection shared by the two top-k-difference methods.</summary>
internal static class TopKDifference
{
    public static List<ParameterSpec> Parameters(bool withT)
    {
        var list = new List<ParameterSpec>
        {
            new("top_k", ParameterKind.Number, ParameterScope.Global, true, null, "fraction of entries, by |donor − receiver|, that take the donor's value (0.1 = 10%)"),
            new("trim_scope", ParameterKind.Choice, ParameterScope.Global, false, ParameterValue.Of("global"), "rank over the whole model (Thinking Spectrum) or per tensor", ["global", "tensor"]),
        };
        if (withT) list.Add(new("t", ParameterKind.Number, ParameterScope.Global, false, ParameterValue.Of(0.5), "donor share of the average elsewhere (0.5 = plain average)"));
        return list;
    }

    public static TopKDifferenceSettings Bind(IMergeMethod method, ParameterValues values, int modelCount, bool withT)
    {
        var reader = new ParameterReader(method, values, modelCount);
        return new TopKDifferenceSettings
        {
            TopK = (float)reader.Number("top_k", -1, 0, 1, " (top_k is a fraction: for 10% write 0.1)"),
            T = withT ? (float)reader.Number("t") : 0.5f,
            TrimScope = reader.Choice("trim_scope") == "global" ? TrimScope.Global : TrimScope.Tensor,
        };
    }

    public static long ScratchLength(TopKDifferenceSettings settings) =>
        settings.TrimScope == TrimScope.Tensor ? 2 * MagnitudeSelection.BinCount : 0;

    /// <summary>The cut over |donor − receiver| this call uses.</summary>
    public static RankCut Cut(in MergeInputs inputs, string method, TopKDifferenceSettings settings, Span<float> scratch)
    {
        if (inputs.ModelCount != 2) throw new ArgumentException($"{method} takes exactly two models: the receiver, then the donor", nameof(inputs));
        if (settings.TrimScope == TrimScope.Global)
            return settings.GlobalCut ?? throw new InvalidOperationException($"{method} with trim_scope global needs GlobalCut (tensor {inputs.TensorName})");
        long k = MagnitudeSelection.CountForFraction(settings.TopK, inputs.Length);
        var source = new DifferenceSource(inputs.Model(1), inputs.Model(0));
        return MagnitudeSelection.TopK(source, k, MemoryMarshal.Cast<float, long>(scratch[..(2 * MagnitudeSelection.BinCount)]));
    }
}
