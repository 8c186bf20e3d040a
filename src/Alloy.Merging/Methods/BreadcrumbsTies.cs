// The breadcrumbs_ties merge method: a task-vector merge configured on the shared engine in TaskArithmeticFamily.cs.
// This file only states its sparsifier, consensus and defaults, and documents its math.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>breadcrumbs_ties</c>: Model Breadcrumbs sparsification followed by TIES sign election and disjoint mean.
/// As breadcrumbs (with its zero-outlier fix), then sign consensus.
/// Needs a base model and at least one other model. Global parameters: lambda (1), normalize (false), rescale (false),
/// rescale_mode (l1), int8_mask (no effect), trim_scope (tensor); per-model: weight (required), density (1), gamma (0.01).
/// </summary>
public static class BreadcrumbsTies
{
    /// <summary>The variant: sparsifier MagnitudeOutliers, defaults normalize=false, rescale=false.</summary>
    public static TaskArithmeticVariant Variant { get; } = new("breadcrumbs_ties", "Model Breadcrumbs sparsification followed by TIES sign election and disjoint mean.", Sparsification.MagnitudeOutliers, true, false, false);

    /// <summary>The registry entry.</summary>
    public static IMergeMethod Method { get; } = new TaskArithmeticMethod(Variant);

    /// <summary>Merges one tensor (see <see cref="TaskArithmeticFamily.Merge"/>).</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, settings, output, scratch);
}
