// The della_linear merge method: a task-vector merge configured on the shared engine in TaskArithmeticFamily.cs.
// This file only states its sparsifier, consensus and defaults, and documents its math.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>della_linear</c>: DELLA sparsification without sign election.
/// As della without sign consensus.
/// Needs a base model and at least one other model. Global parameters: lambda (1), normalize (false), rescale (true),
/// rescale_mode (l1), int8_mask (no effect); per-model: weight (required), density (1), epsilon (0.15).
/// </summary>
public static class DellaLinear
{
    /// <summary>The variant: sparsifier DellaMagnitudePrune, defaults normalize=false, rescale=true.</summary>
    public static TaskArithmeticVariant Variant { get; } = new("della_linear", "DELLA sparsification without sign election.", Sparsification.DellaMagnitudePrune, false, false, true);

    /// <summary>The registry entry.</summary>
    public static IMergeMethod Method { get; } = new TaskArithmeticMethod(Variant);

    /// <summary>Merges one tensor (see <see cref="TaskArithmeticFamily.Merge"/>).</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, settings, output, scratch);
}
