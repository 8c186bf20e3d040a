// The registry and parameter binding: every method is listed with sane metadata, and bad parameters become
// AlloyInputException messages that name the parameter and say what would be right.
using Alloy.Merging.Methods;
using Alloy.Tensors;

namespace Alloy.Merging.Tests.Methods;

public sealed class ParameterBindingTests
{
    [Fact]
    public void Registry_lists_every_method_once_with_the_brief_s_names()
    {
        string[] expected =
        [
            "linear", "slerp", "nuslerp", "multislerp", "karcher", "task_arithmetic", "ties", "dare_linear", "dare_ties",
            "breadcrumbs", "breadcrumbs_ties", "della", "della_linear", "model_stock", "sce", "nearswap", "passthrough",
            "surgical", "avg_override",
        ];
        Assert.Equal(expected, MergeMethodRegistry.All.Select(m => m.Name));
        foreach (IMergeMethod method in MergeMethodRegistry.All)
        {
            Assert.InRange(method.MinModels, 1, method.MaxModels);
            Assert.Equal(method.Parameters.Count, method.Parameters.Select(p => p.Name).Distinct().Count());
            Assert.All(method.Parameters, p => Assert.True(p.Required || p.Default is not null || p.Name == "scale", $"{method.Name}.{p.Name} has no default"));
        }
        AlloyInputException unknown = Assert.Throws<AlloyInputException>(() => MergeMethodRegistry.Get("tie", "config.yml"));
        Assert.Contains("ties", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Density_given_as_a_percentage_is_rejected_with_a_hint()
    {
        var e = Assert.Throws<AlloyInputException>(() => Run.Bind(Ties.Method, 1, [], [("weight", 1.0), ("density", 80.0)]));
        Assert.Contains("'density' of model 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_and_missing_parameters_are_named()
    {
        var unknown = Assert.Throws<AlloyInputException>(() => Run.Bind(Ties.Method, 1, [("densty", 0.5)], [("weight", 1.0)]));
        Assert.Contains("densty", unknown.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<AlloyInputException>(() => Run.Bind(Linear.Method, 2, [], [("weight", 1.0)], []));
        Assert.Contains("'weight' of model 1 is required", missing.Message, StringComparison.Ordinal);
        var word = Assert.Throws<AlloyInputException>(() => Run.Bind(DareTies.Method, 1, [("rescale_mode", "l2")], [("weight", 1.0)]));
        Assert.Contains("l1, inverse", word.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Della_epsilon_must_keep_probabilities_inside_0_1()
    {
        var e = Assert.Throws<AlloyInputException>(() => Run.Bind(Della.Method, 1, [], [("weight", 1.0), ("density", 0.9), ("epsilon", 0.15)]));
        Assert.Contains("epsilon", e.Message, StringComparison.Ordinal);
        Run.Bind(Della.Method, 1, [], [("weight", 1.0), ("density", 1.0), ("epsilon", 0.15)]);
    }

    [Fact]
    public void Global_parameters_apply_to_every_model_unless_a_model_overrides_them()
    {
        var settings = (TaskArithmeticSettings)Run.Bind(Ties.Method, 2, [("density", 0.3), ("weight", 1.0)], [], [("density", 0.7)]);
        Assert.Equal([0.3f, 0.7f], settings.Densities);
        Assert.Equal([1f, 1f], settings.Weights);
        Assert.True(settings.Normalize);
        Assert.False(settings.Rescale);
        Assert.Equal(RescaleMode.L1, settings.RescaleMode);
    }

    [Fact]
    public void Top_k_merges_default_to_a_global_scope_and_reject_percentages()
    {
        var settings = (TopKDifferenceSettings)Run.Bind(Surgical.Method, 2, [("top_k", 0.1)]);
        Assert.Equal(TrimScope.Global, settings.TrimScope);
        Assert.Throws<AlloyInputException>(() => Run.Bind(AvgOverride.Method, 2, [("top_k", 10.0)]));
        // A global scope without the executor's cut is a programming error, not user input.
        Assert.Throws<InvalidOperationException>(() => Run.Merge(Surgical.Method, settings, "x", [2], [[1, 2], [3, 4]], null));
    }

    [Fact]
    public void Model_counts_outside_a_method_s_range_are_rejected()
    {
        var slerp = Assert.Throws<AlloyInputException>(() => Run.Bind(Slerp.Method, 2, [("t", 0.5)]));
        Assert.Contains("exactly 1 model besides the base model, got 2", slerp.Message, StringComparison.Ordinal);
        Assert.Throws<AlloyInputException>(() => Run.Bind(ModelStock.Method, 1, []));
    }

    [Fact]
    public void Empty_tensors_merge_to_empty_outputs()
    {
        foreach (IMergeMethod method in new IMergeMethod[] { Ties.Method, Della.Method, Breadcrumbs.Method })
        {
            MethodSettings settings = Run.Bind(method, 1, [], [("weight", 1.0), ("density", 0.5)]);
            Assert.Empty(Run.Merge(method, settings, "empty", [0, 4], [[]], []));
        }
    }

    [Fact]
    public void Linear_with_normalize_rejects_weights_that_sum_to_zero()
    {
        var e = Assert.Throws<AlloyInputException>(() => Run.Bind(Linear.Method, 2, [], [("weight", 1.0)], [("weight", -1.0)]));
        Assert.Contains("normalize", e.Message, StringComparison.Ordinal);
    }
}
