// Smaller pieces of the config layer: model references, layer sets, scope rules, edit distance, schema table.
using Alloy.Merging.Config;
using Alloy.Tensors;

namespace Alloy.Merging.Tests.Config;

public class ConfigPiecesTests
{
    private static readonly SourcePosition At = new("p.yml", 3, 5);

    [Theory]
    [InlineData("Qwen/Qwen3-4B", "Qwen/Qwen3-4B", null)]
    [InlineData("Qwen/Qwen3-4B@main", "Qwen/Qwen3-4B", "main")]
    [InlineData("./models/a", "./models/a", null)]
    [InlineData("  /abs/path@v1.0  ", "/abs/path", "v1.0")]
    public void Model_references_parse(string text, string path, string? revision)
    {
        var reference = ModelReference.Parse(text, At, "model");
        Assert.Equal(path, reference.Path);
        Assert.Equal(revision, reference.Revision);
    }

    [Fact]
    public void Model_reference_equality_ignores_positions()
    {
        var a = ModelReference.Parse("org/a@r", At, "model");
        var b = ModelReference.Parse("org/a@r", new SourcePosition("p.yml", 9, 9), "model");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, ModelReference.Parse("org/a", At, "model"));
        Assert.Equal("org/a@r", a.ToString());
    }

    [Theory]
    [InlineData("a+b+c", "more than one '+'")]
    [InlineData("org/a@", "empty revision")]
    [InlineData("@main", "is empty")]
    public void Bad_model_references_say_why(string text, string phrase)
    {
        var error = Assert.Throws<AlloyInputException>(() => ModelReference.Parse(text, At, "base_model"));
        Assert.StartsWith("p.yml:3:5: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layer_sets_merge_overlapping_and_adjacent_intervals()
    {
        var set = LayerSet.FromIntervals([new(20, 25), new(0, 3), new(4, 6), new(22, 30)]);
        Assert.Equal("0-6,20-30", set.ToString());
        Assert.True(set.Contains(6));
        Assert.False(set.Contains(7));
        Assert.Equal(30, set.MaxLayer);
    }

    [Fact]
    public void Layers_text_accepts_single_layers_and_spaces()
    {
        var config = MergeConfigParser.Parse(
            "merge_method: linear\nlayers: \"3, 5 - 7\"\nmodels:\n  - model: a\n    parameters: {weight: 1}\n", "l.yml");
        Assert.Equal("3,5-7", config.Scope.Layers!.ToString());
        Assert.Null(config.Scope.Modules);
        Assert.True(config.Scope.Includes(ModelModule.Attention, 6));
        Assert.False(config.Scope.Includes(ModelModule.Attention, 4));
        Assert.False(config.Scope.Includes(ModelModule.Embeddings, null));
    }

    [Fact]
    public void Whole_model_scope_includes_everything()
    {
        var scope = new MergeScope(null, null, null);
        Assert.True(scope.IsWholeModel);
        Assert.True(scope.Includes(ModelModule.LmHead, null));
        Assert.True(scope.Includes(ModelModule.Mlp, 100));
        var modulesOnly = new MergeScope(null, [ModelModule.Embeddings], null);
        Assert.True(modulesOnly.Includes(ModelModule.Embeddings, null));
        Assert.False(modulesOnly.Includes(ModelModule.Norms, null));
        Assert.False(modulesOnly.Includes(ModelModule.Mlp, 3));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("density", "desnity", 2)]
    [InlineData("same", "same", 0)]
    public void Edit_distance(string a, string b, int distance) => Assert.Equal(distance, ConfigErrors.EditDistance(a, b));

    [Fact]
    public void Suggestions_need_a_close_candidate()
    {
        Assert.Equal("weight", ConfigErrors.Suggest("wieght", ["weight", "density"]));
        Assert.Null(ConfigErrors.Suggest("zzz", ["weight", "density"]));
    }

    [Fact]
    public void Mergekit_table_has_twenty_methods_and_their_key_facts()
    {
        var table = MethodSchemas.Mergekit;
        Assert.Equal(20, table.MethodNames.Count);
        Assert.True(table.TryGet("ties", out var ties));
        Assert.Equal(BaseModelUse.Required, ties.BaseModel);
        Assert.True(ties.FindParameter("weight")!.Required);
        Assert.Equal(ParameterScope.PerModel, ties.FindParameter("density")!.Scope);
        Assert.True(ties.FindParameter("normalize")!.Default!.Value.Boolean);
        Assert.True(table.TryGet("dare_ties", out var dareTies));
        Assert.False(dareTies.FindParameter("normalize")!.Default!.Value.Boolean);
        Assert.True(dareTies.FindParameter("rescale")!.Default!.Value.Boolean);
        Assert.True(table.TryGet("slerp", out var slerp));
        Assert.Equal(ParameterScope.Global, slerp.FindParameter("t")!.Scope);
        Assert.True(table.TryGet("karcher", out var karcher));
        Assert.Null(karcher.FindParameter("weight"));
        Assert.Equal(ParameterType.Integer, karcher.FindParameter("max_iter")!.Type);
        Assert.False(table.TryGet("Linear", out _));
    }

    [Fact]
    public void Only_refuses_a_name_it_does_not_have()
    {
        Assert.Throws<ArgumentException>(() => MethodSchemas.Mergekit.Only("linear", "nope"));
    }

    [Fact]
    public void Yaml_one_point_one_booleans_and_exponent_numbers()
    {
        var config = MergeConfigParser.Parse(
            "merge_method: karcher\nmodels:\n  - model: a\n  - model: b\nparameters:\n  tol: 1e-6\n  max_iter: 12\n", "b.yml");
        Assert.Equal(1e-6, ((ScalarParameterValue)config.Parameters.Entries[0].Value).Value.Number);
        var linear = MergeConfigParser.Parse(
            "merge_method: linear\nparameters:\n  normalize: no\nmodels:\n  - model: a\n    parameters: {weight: 1}\n", "b.yml");
        var normalize = ((ScalarParameterValue)linear.Parameters.Entries[0].Value).Value;
        Assert.True(normalize.IsBoolean);
        Assert.False(normalize.Boolean);
    }

    [Fact]
    public void Referenced_models_are_distinct_and_base_first()
    {
        var config = MergeConfigParser.ParseFile(TestPaths.Fixtures("merge-configs", "ties-gradients.yml"));
        Assert.Equal(["org/base", "org/expert-a", "org/expert-b", "org/expert-c"],
            config.ReferencedModels().Select(m => m.ToString()).ToArray());
    }
}

public class CustomSchemaTests
{
    // A table as the engine might build it from its own method registry: one method with a choice parameter.
    private static readonly MergeMethodSchemaTable Table = new(
    [
        new MergeMethodSchema("blend", BaseModelUse.Optional, 1, null,
        [
            new MergeParameterSchema("mode", ParameterType.Choice, ParameterScope.Global, false, ParameterScalar.Of("fast"), ["fast", "exact"]),
            new MergeParameterSchema("weight", ParameterType.Number, ParameterScope.PerModel, true, null),
        ]),
    ]);

    private const string Head = "merge_method: blend\nmodels:\n  - model: a\n    parameters: {weight: 1}\n";

    [Fact]
    public void A_choice_parameter_takes_one_of_its_words_including_through_filters()
    {
        var config = MergeConfigParser.Parse(Head + "parameters:\n  mode:\n    - filter: mlp\n      value: exact\n    - value: fast\n", "c.yml", Table);
        var mlp = ParameterSet.Resolve(config.ParameterLevels(0, null), "mode", "model.layers.0.mlp.up_proj.weight", 0, 4)!.Value;
        Assert.True(mlp.IsText);
        Assert.Equal("exact", mlp.Text);
        Assert.Equal("fast", ParameterSet.Resolve(config.ParameterLevels(0, null), "mode", "lm_head.weight", null, 4)!.Value.Text);
    }

    [Fact]
    public void A_word_outside_the_choices_is_refused_with_a_suggestion()
    {
        var error = Assert.Throws<AlloyInputException>(() => MergeConfigParser.Parse(Head + "parameters:\n  mode: exakt\n", "c.yml", Table));
        Assert.StartsWith("c.yml:6:9: parameters.mode 'exakt' is not a choice of 'mode'; did you mean 'exact'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_number_for_a_choice_is_refused()
    {
        var error = Assert.Throws<AlloyInputException>(() => MergeConfigParser.Parse(Head + "parameters:\n  mode: 2\n", "c.yml", Table));
        Assert.StartsWith("c.yml:6:9: parameters.mode is 2 but 'mode' is a word; expected one of: fast, exact", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_word_for_a_boolean_is_refused()
    {
        var error = Assert.Throws<AlloyInputException>(() =>
            MergeConfigParser.Parse("merge_method: linear\nparameters:\n  normalize: maybe\n" + "models:\n  - model: a\n    parameters: {weight: 1}\n", "c.yml"));
        Assert.StartsWith("c.yml:3:14: parameters.normalize is the text 'maybe' but 'normalize' is true/false; expected true or false", error.Message, StringComparison.Ordinal);
    }
}
