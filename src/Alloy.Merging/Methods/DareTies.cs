// The dare_ties merge method: a task-vector merge configured on the shared engine in TaskArithmeticFamily.cs.
// This file only states its sparsifier, consensus and defaults, and documents its math.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>dare_ties</c>: DARE sparsification followed by TIES sign election and disjoint mean.
/// As dare_linear for the sparsifier, then sign consensus; normalize defaults to false as in mergekit.
/// Needs a base model and at least one other model. Global parameters: lambda (1), normalize (false), rescale (true),
/// rescale_mode (l1), int8_mask (no effect); per-model: weight (required), density (1).
/// </summary>
public static class DareTies
{
    /// <summary>The variant: sparsifier Random, defaults normalize=false, rescale=true.</summary>
    public static TaskArithmeticVariant Variant { get; } = new("dare_ties", "DARE sparsification followed by TIES sign election and disjoint mean.", Sparsification.Random, true, false, true);

    /// <summary>The registry entry.</summary>
    public static IMergeMethod Method { get; } = new TaskArithmeticMethod(Variant);

    /// <summary>Merges one tensor (see <see cref="TaskArithmeticFamily.Merge"/>).</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, settings, output, scratch);
}
