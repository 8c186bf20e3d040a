// The task_arithmetic merge method: a task-vector merge configured on the shared engine in TaskArithmeticFamily.cs.
// This file only states its sparsifier, consensus and defaults, and documents its math.
namespace Alloy.Merging.Methods;

/// <summary>
/// <c>task_arithmetic</c>: b + λ·Σᵢ wᵢ(xᵢ − b) (Ilharco et al. 2022).
/// output = b + λ·Σᵢ wᵢδᵢ, divided by Σᵢwᵢ when normalize (a sum below 1e-8 in magnitude divides by 1). density has no effect.
/// Needs a base model and at least one other model. Global parameters: lambda (1), normalize (false), rescale (false),
/// rescale_mode (l1), int8_mask (no effect); per-model: weight (required), density (1).
/// </summary>
public static class TaskArithmetic
{
    /// <summary>The variant: sparsifier None, defaults normalize=false, rescale=false.</summary>
    public static TaskArithmeticVariant Variant { get; } = new("task_arithmetic", "b + λ·Σᵢ wᵢ(xᵢ − b) (Ilharco et al. 2022).", Sparsification.None, false, false, false);

    /// <summary>The registry entry.</summary>
    public static IMergeMethod Method { get; } = new TaskArithmeticMethod(Variant);

    /// <summary>Merges one tensor (see <see cref="TaskArithmeticFamily.Merge"/>).</summary>
    public static void Merge(in MergeInputs inputs, TaskArithmeticSettings settings, Span<float> output, Span<float> scratch) =>
        TaskArithmeticFamily.Merge(inputs, Variant, settings, output, scratch);
}
