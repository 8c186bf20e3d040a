// Parses every config of tests/fixtures/merge-configs and checks what some of them say.
// The corpus is hand-written in mergekit's documented forms (see its README).
using Alloy.Merging.Config;
using RescaleMode = Alloy.Merging.Methods.RescaleMode;
using TrimScope = Alloy.Merging.Methods.TrimScope;
using Alloy.Tensors;

namespace Alloy.Merging.Tests.Config;

public class CorpusTests
{
    private static string CorpusDir => TestPaths.Fixtures("merge-configs");

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusDir, "*.yml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    private static MergeConfig Load(string name) => MergeConfigParser.ParseFile(Path.Combine(CorpusDir, name));

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Every_corpus_config_parses(string name)
    {
        var config = Load(name);
        Assert.True(config.UsesSlices ^ !config.Models.IsEmpty);
        Assert.NotEmpty(config.ReferencedModels());
    }

    [Fact]
    public void The_corpus_has_at_least_twenty_configs_and_covers_every_mergekit_method()
    {
        var files = Directory.GetFiles(CorpusDir, "*.yml");
        Assert.True(files.Length >= 20, $"only {files.Length} configs");
        var used = files.Select(f => MergeConfigParser.ParseFile(f).Method.Name).ToHashSet();
        var missing = MethodSchemas.Mergekit.MethodNames.Where(m => !used.Contains(m)).ToList();
        Assert.True(missing.Count == 0, "methods without a corpus config: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_readme_lists_every_corpus_file()
    {
        var readme = File.ReadAllText(Path.Combine(CorpusDir, "README.md"));
        foreach (var file in Directory.GetFiles(CorpusDir, "*.yml"))
            Assert.Contains(Path.GetFileName(file), readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Linear_config_reads_weights_dtype_and_defaults_copy_from_to_the_first_model()
    {
        var config = Load("linear-thinking-instruct.yml");
        Assert.Equal("linear", config.Method.Name);
        Assert.Equal(2, config.Models.Length);
        Assert.Equal("./Qwen3-4B-Thinking-2507", config.Models[0].Model.Path);
        Assert.Equal(DType.BF16, config.DType);
        Assert.Null(config.OutDType);
        Assert.True(config.Scope.IsWholeModel);
        Assert.Equal(config.Models[0].Model, config.Scope.CopyFrom);
        var weight = ParameterSet.Resolve(config.ParameterLevels(0, 1), "weight", "model.layers.3.mlp.up_proj.weight", 3, 36);
        Assert.Equal(0.2, weight!.Value.Number);
        Assert.True(ParameterSet.Resolve(config.ParameterLevels(0, null), "normalize", "x", null, 36)!.Value.Boolean);
    }

    [Fact]
    public void Frankenmerge_slices_keep_their_half_open_ranges()
    {
        var config = Load("passthrough-frankenmerge.yml");
        Assert.True(config.UsesSlices);
        Assert.Equal(2, config.Slices.Length);
        Assert.Equal(new LayerRange(0, 24), config.Slices[0].Sources[0].LayerRange);
        Assert.Equal(new LayerRange(20, 40), config.Slices[1].Sources[0].LayerRange);
        Assert.Equal(44, config.Slices.Sum(s => s.LayerCount));
        Assert.Null(config.Scope.CopyFrom);
    }

    [Fact]
    public void Slerp_filtered_gradient_resolves_per_module_and_layer()
    {
        var config = Load("slerp-filtered-gradients.yml");
        // 40 layers, 5 anchors: layer 13 sits at t = 13/39 = 1/3, scaled 4/3: 1/3 of the way from anchor 1 to anchor 2.
        var attention = ParameterSet.Resolve(config.ParameterLevels(0, null), "t", "model.layers.13.self_attn.q_proj.weight", 13, 40)!.Value.Number;
        Assert.Equal(0.5 + (1.0 / 3.0) * (0.3 - 0.5), attention, 12);
        var mlp = ParameterSet.Resolve(config.ParameterLevels(0, null), "t", "model.layers.13.mlp.up_proj.weight", 13, 40)!.Value.Number;
        Assert.Equal(0.5 + (1.0 / 3.0) * (0.7 - 0.5), mlp, 12);
        var norm = ParameterSet.Resolve(config.ParameterLevels(0, null), "t", "model.layers.13.input_layernorm.weight", 13, 40)!.Value.Number;
        Assert.Equal(0.5, norm);
    }

    [Fact]
    public void Tokenizer_block_reads_every_token_source_form()
    {
        var config = Load("tokenizer-block.yml");
        var tokenizer = config.Tokenizer!;
        Assert.False(tokenizer.FromLegacyField);
        Assert.Equal(TokenizerSourceKind.Union, tokenizer.Source.Kind);
        Assert.Equal(64, tokenizer.PadToMultipleOf);
        var byToken = tokenizer.Tokens.ToDictionary(t => t.Token);
        Assert.Equal(TokenEmbeddingSourceKind.Model, byToken["<|im_start|>"].SourceKind);
        Assert.True(byToken["<|eot_id|>"].Force);
        Assert.Equal("<|end_of_text|>", byToken["<|renamed|>"].SourceToken);
        Assert.Equal(151645, byToken["<|by_id|>"].SourceTokenId);
        Assert.Equal(TokenEmbeddingSourceKind.Zero, byToken["<|unused|>"].SourceKind);
        Assert.Equal(ChatTemplateKind.Auto, config.ChatTemplate!.Kind);
    }

    [Fact]
    public void Legacy_tokenizer_source_and_builtin_template()
    {
        var config = Load("tokenizer-union.yml");
        Assert.True(config.Tokenizer!.FromLegacyField);
        Assert.Equal(TokenizerSourceKind.Union, config.Tokenizer.Source.Kind);
        Assert.Empty(config.Tokenizer.Tokens);
        Assert.Equal(ChatTemplateKind.BuiltIn, config.ChatTemplate!.Kind);
        Assert.Equal("chatml", config.ChatTemplate.Value);
    }

    [Fact]
    public void Alloy_scope_layers_modules_and_copy_from()
    {
        var config = Load("alloy-scope-layers-mlp.yml");
        Assert.Equal("qwen3-4b-mi-0.8-mlp-late", config.Name);
        Assert.Equal("12-35", config.Scope.Layers!.ToString());
        Assert.Equal([ModelModule.Mlp], config.Scope.Modules!.Value.ToArray());
        Assert.Equal("./Qwen3-4B-Instruct-2507", config.Scope.CopyFrom!.Path);
        Assert.True(config.Scope.Includes(ModelModule.Mlp, 12));
        Assert.True(config.Scope.Includes(ModelModule.Mlp, 35));
        Assert.False(config.Scope.Includes(ModelModule.Mlp, 11));
        Assert.False(config.Scope.Includes(ModelModule.Attention, 20));
        Assert.False(config.Scope.Includes(ModelModule.Embeddings, null));

        var union = Load("alloy-scope-union-attention.yml");
        Assert.Equal("0-11,24-35", union.Scope.Layers!.ToString());
        Assert.True(union.Scope.Includes(ModelModule.Attention, 5));
        Assert.False(union.Scope.Includes(ModelModule.Attention, 12));
        Assert.True(union.Scope.Includes(ModelModule.Embeddings, null));
        Assert.False(union.Scope.Includes(ModelModule.LmHead, null));
        Assert.Equal(TrimScope.Global, union.Options.TrimScope);
        Assert.Equal(0, union.Options.Seed);
        Assert.Equal("./Qwen3-4B-Thinking-2507", union.Scope.CopyFrom!.Path);

        var pair = Load("alloy-scope-pair.yml");
        Assert.Equal("12-35", pair.Scope.Layers!.ToString());
        Assert.Equal([ModelModule.Mlp, ModelModule.LmHead], pair.Scope.Modules!.Value.ToArray());
    }

    [Fact]
    public void Dare_options_and_revisions()
    {
        var dare = Load("dare-ties-seeded.yml");
        Assert.Equal(1234, dare.Options.Seed);
        Assert.Equal(RescaleMode.Inverse, dare.Options.RescaleMode);
        var pinned = Load("revision-and-name.yml");
        Assert.Equal("a1b2c3d", pinned.Models[0].Model.Revision);
        Assert.Equal("refs/pr/7", pinned.Models[1].Model.Revision);
        Assert.Equal(ChatTemplateKind.Literal, pinned.ChatTemplate!.Kind);
        var ta = Load("task-arithmetic-lambda.yml");
        Assert.Equal("main", ta.BaseModel!.Revision);
        Assert.Equal(DType.F32, ta.DType);
        Assert.Equal(DType.BF16, ta.OutDType);
    }
}
