// The della merge method: a task-vector merge configured on the shared engine in TaskArithmeticFamily.cs.
// This file only states its sparsifier, consensus and defaults, and documents its math.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>della</c>: DELLA: keep entries with probabilities linear in their magnitude rank within the row, rescale, elect signs (Deep et al. 2024).
/// Rows are the last dimension (1-D tensors are one row; mergekit ranks 3-D and larger tensors along dimension 1, Alloy along the last). Probability pₑ = density − ε + 2ε·rank/(L−1) (pₑ = density for a 1-element row, where mergekit divides 0 by 0); keep when uᵢ(e) &lt; pₑ. Rescale l1 (mergekit) or inverse (÷pₑ per entry, the DELLA paper). density ± epsilon must lie in (0, 1) unless density is 0 or 1.
/// Needs a base model and at least one other model. Global parameters: lambda (1), normalize (true), rescale (true),
/// rescale_mode (l1), int8_mask (no effect); per-model: weight (required), density (1), epsilon (0.15).
/// </summary>
public static class Della
{
    /// <summary>The variant: sparsifier DellaMagnitudePrune, defaults normalize=true, rescale=true.</summary>
    public static TaskArithmeticVariant Variant { get; } = new("della", "DELLA: keep entries with probabilities linear in their magnitude rank within the row, rescale, elect signs (Deep et al. 2024).", Sparsification.DellaMagnitudePrune, true, true, true);

    /// <summary>The registry entry.</summary>
    public static IMergeMethod Method { get; } = new TaskArithmeticMethod(Variant);

    /// <summary>Merges one tensor (see <see cref="TaskArithmeticFamily.Merge"/>).</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, settings, output, scratch);
}
