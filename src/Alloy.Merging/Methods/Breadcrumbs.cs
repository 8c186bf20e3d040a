// The breadcrumbs merge method: a task-vector merge configured on the shared engine in TaskArithmeticFamily.cs.
// This file only states its sparsifier, consensus and defaults, and documents its math.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>breadcrumbs</c>: Model Breadcrumbs: drop the largest-magnitude gamma fraction and the smallest entries so density remains (Davari and Belilovsky 2023).
/// Kept: positions [top, n − bottom) of the magnitude order (see TaskArithmeticFamily.BreadcrumbsCounts). Difference from mergekit: when ⌊gamma·n⌋ = 0 mergekit's slice indices[bottom:-0] is empty and the whole delta is silently zeroed; here no outlier is removed. Kept count is at least 1 when density &gt; 0.
/// Needs a base model and at least one other model. Global parameters: lambda (1), normalize (false), rescale (false),
/// rescale_mode (l1), int8_mask (no effect), trim_scope (tensor); per-model: weight (required), density (1), gamma (0.01).
/// </summary>
public static class Breadcrumbs
{
    /// <summary>The variant: sparsifier MagnitudeOutliers, defaults normalize=false, rescale=false.</summary>
    public static TaskArithmeticVariant Variant { get; } = new("breadcrumbs", "Model Breadcrumbs: drop the largest-magnitude gamma fraction and the smallest entries so density remains (Davari and Belilovsky 2023).", Sparsification.MagnitudeOutliers, false, false, false);

    /// <summary>The registry entry.</summary>
    public static IMergeMethod Method { get; } = new TaskArithmeticMethod(Variant);

    /// <summary>Merges one tensor (see <see cref="TaskArithmeticFamily.Merge"/>).</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, settings, output, scratch);
}
