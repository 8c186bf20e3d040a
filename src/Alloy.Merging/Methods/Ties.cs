// The ties merge method: a task-vector merge configured on the shared engine in TaskArithmeticFamily.cs.
// This file only states its sparsifier, consensus and defaults, and documents its math.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>ties</c>: TIES: trim each task vector to its top-density entries by magnitude, elect signs, disjoint mean (Yadav et al. 2023).
/// Trim: keep the top k = ⌊density·n⌋ entries of |δᵢ| (ties broken by lower index), then sign consensus and disjoint mean as in TaskArithmeticFamily. Differences from mergekit: k is at least 1 when density &gt; 0 (mergekit asserts k &gt; 0 and crashes on tiny tensors such as a 1-element tensor at density 0.5; density 0 keeps nothing); density above 1 is rejected (mergekit treats density 80 as no trim); with trim_scope global the threshold is one per model over the whole model.
/// Needs a base model and at least one other model. Global parameters: lambda (1), normalize (true), rescale (false),
/// rescale_mode (l1), int8_mask (no effect), trim_scope (tensor); per-model: weight (required), density (1).
/// </summary>
public static class Ties
{
    /// <summary>The variant: sparsifier Magnitude, defaults normalize=true, rescale=false.</summary>
    public static TaskArithmeticVariant Variant { get; } = new("ties", "TIES: trim each task vector to its top-density entries by magnitude, elect signs, disjoint mean (Yadav et al. 2023).", Sparsification.Magnitude, true, true, false);

    /// <summary>The registry entry.</summary>
    public static IMergeMethod Method { get; } = new TaskArithmeticMethod(Variant);

    /// <summary>Merges one tensor (see <see cref="TaskArithmeticFamily.Merge"/>).</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, settings, output, scratch);
}
