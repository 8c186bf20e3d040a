// Parameter precedence as mergekit's ConfigReader walks it: slice source or model > output slice > global,
// first matching filter wins, and a filter list with no match falls through to the next level.
using Alloy.Merging.Config;

namespace Alloy.Merging.Tests.Config;

public class FilterPrecedenceTests
{
    private static double? Weight(MergeConfig config, int slice, int? model, string tensor, int? layer, int layers) =>
        ParameterSet.Resolve(config.ParameterLevels(slice, model), "weight", tensor, layer, layers)?.Number;

    [Fact]
    public void First_matching_filter_wins_even_when_a_later_one_is_more_specific()
    {
        var config = MergeConfigParser.Parse("""
            merge_method: linear
            models:
              - model: a
                parameters:
                  weight:
                    - filter: mlp
                      value: 1
                    - filter: up_proj
                      value: 2
                    - value: 3
            """, "f.yml");
        Assert.Equal(1, Weight(config, 0, 0, "model.layers.0.mlp.up_proj.weight", 0, 4));
        Assert.Equal(3, Weight(config, 0, 0, "model.layers.0.self_attn.q_proj.weight", 0, 4));
    }

    [Fact]
    public void A_filter_list_without_a_match_falls_through_to_the_global_block()
    {
        var config = MergeConfigParser.Parse("""
            merge_method: linear
            models:
              - model: a
                parameters:
                  weight:
                    - filter: self_attn
                      value: 0.9
            parameters:
              weight: 0.1
            """, "f.yml");
        Assert.Equal(0.9, Weight(config, 0, 0, "model.layers.2.self_attn.o_proj.weight", 2, 4));
        Assert.Equal(0.1, Weight(config, 0, 0, "model.layers.2.mlp.down_proj.weight", 2, 4));
    }

    [Fact]
    public void Per_model_value_beats_the_global_value()
    {
        var config = MergeConfigParser.Parse("""
            merge_method: linear
            models:
              - model: a
                parameters: {weight: 0.7}
              - model: b
            parameters:
              weight: 0.2
            """, "f.yml");
        Assert.Equal(0.7, Weight(config, 0, 0, "model.norm.weight", null, 4));
        Assert.Equal(0.2, Weight(config, 0, 1, "model.norm.weight", null, 4));
    }

    [Fact]
    public void Slices_resolve_source_then_slice_then_global()
    {
        var config = MergeConfigParser.ParseFile(TestPaths.Fixtures("merge-configs", "slices-ties-per-slice.yml"));
        const string tensor = "model.layers.5.mlp.up_proj.weight";
        Assert.Equal(0.9, Weight(config, 0, 1, tensor, 5, 16));   // source a in slice 0
        Assert.Equal(0.3, Weight(config, 0, 2, tensor, 5, 16));   // source b in slice 0: the slice's value
        Assert.Equal(0.5, Weight(config, 1, 1, tensor, 5, 16));   // slice 1: the global value

        // density is a slice-level gradient [0.2, 0.8] over 16 layers: t = i/15.
        double? Density(int slice, int layer) =>
            ParameterSet.Resolve(config.ParameterLevels(slice, 1), "density", tensor, layer, 16)?.Number;
        Assert.Equal(0.2, Density(0, 0)!.Value, 12);
        Assert.Equal(0.2 + 0.6 * 5 / 15, Density(0, 5)!.Value, 12);
        Assert.Equal(0.8, Density(0, 15)!.Value, 12);
        Assert.Equal(0.5, Density(1, 5));
    }

    [Fact]
    public void Star_filter_is_a_default_and_matching_is_a_case_sensitive_substring()
    {
        var config = MergeConfigParser.Parse("""
            merge_method: linear
            models:
              - model: a
                parameters:
                  weight:
                    - filter: MLP
                      value: 5
                    - filter: "*"
                      value: 6
            """, "f.yml");
        Assert.Equal(6, Weight(config, 0, 0, "model.layers.0.mlp.up_proj.weight", 0, 2));
    }

    [Fact]
    public void An_empty_tensor_name_matches_only_the_default_entry()
    {
        var entry = new ParameterFilterEntry("mlp", new ScalarParameterValue(ParameterScalar.Of(1.0), default), default);
        Assert.False(entry.Matches(""));
        Assert.True(entry.Matches("x.mlp.y"));
        Assert.True(new ParameterFilterEntry(null, entry.Value, default).Matches(""));
    }

    [Fact]
    public void Nothing_resolves_when_no_level_sets_the_parameter_or_no_filter_matches()
    {
        var config = MergeConfigParser.Parse("""
            merge_method: linear
            models:
              - model: a
                parameters:
                  weight:
                    - filter: lm_head
                      value: 1
            """, "f.yml");
        Assert.Null(Weight(config, 0, 0, "model.layers.0.mlp.up_proj.weight", 0, 2));
        Assert.Equal(1, Weight(config, 0, 0, "lm_head.weight", null, 2));
        Assert.Null(ParameterSet.Resolve(config.ParameterLevels(0, 0), "normalize", "lm_head.weight", null, 2));
    }

    [Fact]
    public void A_filtered_gradient_outside_the_layers_takes_its_first_anchor()
    {
        var config = MergeConfigParser.Parse("""
            merge_method: linear
            models:
              - model: a
                parameters:
                  weight:
                    - filter: embed_tokens
                      value: [0.25, 1]
                    - value: [0.5, 1]
            """, "f.yml");
        Assert.Equal(0.25, Weight(config, 0, 0, "model.embed_tokens.weight", null, 8));
        Assert.Equal(0.5, Weight(config, 0, 0, "model.norm.weight", null, 8));
        Assert.Equal(1, Weight(config, 0, 0, "model.layers.7.mlp.up_proj.weight", 7, 8));
    }

    [Fact]
    public void A_single_filter_mapping_is_a_one_entry_list()
    {
        var config = MergeConfigParser.Parse("""
            merge_method: linear
            models:
              - model: a
                parameters:
                  weight: {filter: mlp, value: 0.4}
            parameters:
              weight: 0.6
            """, "f.yml");
        Assert.Equal(0.4, Weight(config, 0, 0, "model.layers.0.mlp.up_proj.weight", 0, 2));
        Assert.Equal(0.6, Weight(config, 0, 0, "model.layers.0.self_attn.q_proj.weight", 0, 2));
    }

    [Fact]
    public void Required_parameter_may_come_from_the_global_block_and_the_base_needs_none()
    {
        var config = MergeConfigParser.Parse("""
            merge_method: ties
            base_model: base
            models:
              - model: base
              - model: a
              - model: b
            parameters:
              weight: 0.5
            """, "f.yml");
        Assert.Equal(3, config.Models.Length);
        Assert.Equal(0.5, Weight(config, 0, 2, "x", 0, 2));
    }
}
