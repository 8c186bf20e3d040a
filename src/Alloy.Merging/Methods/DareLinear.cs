// The dare_linear merge method: a task-vector merge configured on the shared engine in TaskArithmeticFamily.cs.
// This file only states its sparsifier, consensus and defaults, and documents its math.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>dare_linear</c>: DARE without sign election: drop each delta entry with probability 1 − density, rescale, sum (Yu et al. 2023).
/// Entry e of model i is kept when uᵢ(e) &lt; density with uᵢ the CounterRandom stream of (seed, tensor name, i). Rescale l1 (mergekit's default for DARE: match ‖δᵢ‖₁) or inverse (÷density, the DARE paper and the Thinking Spectrum's DARE).
/// Needs a base model and at least one other model. Global parameters: lambda (1), normalize (false), rescale (true),
/// rescale_mode (l1), int8_mask (no effect); per-model: weight (required), density (1).
/// </summary>
public static class DareLinear
{
    /// <summary>The variant: sparsifier Random, defaults normalize=false, rescale=true.</summary>
    public static TaskArithmeticVariant Variant { get; } = new("dare_linear", "DARE without sign election: drop each delta entry with probability 1 − density, rescale, sum (Yu et al. 2023).", Sparsification.Random, false, false, true);

    /// <summary>The registry entry.</summary>
    public static IMergeMethod Method { get; } = new TaskArithmeticMethod(Variant);

    /// <summary>Merges one tensor (see <see cref="TaskArithmeticFamily.Merge"/>).</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, settings, output, scratch);
}
