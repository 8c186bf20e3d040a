// Tests of the sweep spec: parsing DESIGN.md's example, expansion into named variants with the parents folded in,
// the λ mapping of the generated merge configs, and positioned errors.
using Alloy.Analysis.Sweep;
using Alloy.Merging.Config;
using Alloy.Tensors;

namespace Alloy.Analysis.Tests.Sweep;

public class SweepSpecTests
{
    private const string Example = """
        models:
          thinking: ./Qwen3-4B-Thinking-2507
          instruct: ./Qwen3-4B-Instruct-2507
          base: ./Qwen3-4B
        methods:
          - method: linear
            lambda: [0, 0.1, 0.45, 0.8, 1]
          - method: slerp
            lambda: [0, 0.3, 1]
          - method: ties
            lambda: [0.5]
            density: 0.2
            scale: 1.0
          - method: linear
            lambda: [0, 0.8, 1]
            layers: 12-35
            modules: [mlp]
          - method: linear
            lambda: [0.8]
        benchmarks:
          - name: aime25
            samples: 8
          - name: ./my_task.jsonl
            grader: number
        generation: { preset: qwen3-thinking, max_tokens: 32768, seed: 0, temperature: 0.6 }
        backend:
          type: embedded
        output: runs/qwen3-4b
        """;

    private static SweepSpec Parse(string yaml) => SweepSpecParser.Parse(yaml, "sweep.yml", "/data");

    [Fact]
    public void The_design_example_parses_with_paths_resolved_against_the_spec_folder()
    {
        SweepSpec spec = Parse(Example);

        Assert.Equal("/data/Qwen3-4B-Thinking-2507", spec.Models.Thinking);
        Assert.Equal("/data/Qwen3-4B", spec.Models.Base);
        Assert.Equal(5, spec.Methods.Length);
        Assert.Equal([0, 0.1, 0.45, 0.8, 1], spec.Methods[0].Lambdas.ToArray());
        Assert.Equal(0.2, spec.Methods[2].Density);
        Assert.Equal("12-35", spec.Methods[3].Layers);
        Assert.Equal(["mlp"], spec.Methods[3].Modules!.Value.ToArray());
        Assert.Equal("aime25", spec.Benchmarks[0].Name);
        Assert.Equal(8, spec.Benchmarks[0].Samples);
        Assert.Equal("/data/my_task.jsonl", spec.Benchmarks[1].Name);
        Assert.Equal("my_task", spec.Benchmarks[1].DirectoryName);
        Assert.Equal("number", spec.Benchmarks[1].Grader);
        Assert.Equal(32768, spec.Generation.MaxTokens);
        Assert.Equal(0.6, spec.Generation.Temperature);
        Assert.Equal("embedded", spec.Backend.Type);
        Assert.Equal("/data/runs/qwen3-4b", spec.Output);
    }

    [Fact]
    public void Expansion_names_variants_folds_parents_and_drops_repeats()
    {
        var variants = Parse(Example).Expand();

        Assert.Equal(
            ["instruct", "thinking", "linear-l0.10", "linear-l0.45", "linear-l0.80", "slerp-l0.30", "ties-l0.50-d0.20",
             "linear-l0.80-layers12-35-mlp", "linear-l1.00-layers12-35-mlp"],
            variants.Select(v => v.Name));
        Assert.Equal(ParentRole.Instruct, variants[0].Parent);
        Assert.Equal(0.0, variants[0].Lambda);
        Assert.Equal(ParentRole.Thinking, variants[1].Parent);
        Assert.Equal(1.0, variants[1].Lambda);
        Assert.True(variants.Skip(2).All(v => !v.IsParent));
        Assert.Equal("0.2", variants[6].Params["density"]);
        Assert.False(variants[6].Params.ContainsKey("scale")); // scale 1 is the default and stays out of name and params
        Assert.Equal("12-35", variants[7].Params["layers"]);
        Assert.Equal("mlp", variants[7].Params["modules"]);
    }

    [Fact]
    public void Each_point_becomes_a_merge_config_with_the_lambda_mapping_of_its_method()
    {
        var variants = Parse(Example).Expand().ToDictionary(v => v.Name);

        MergeConfig linear = variants["linear-l0.80"].ToMergeConfig("sweep.yml");
        Assert.Equal("linear", linear.Method.Name);
        Assert.Equal("/data/Qwen3-4B-Instruct-2507", linear.Models[0].Model.Path); // instruct first: the donor
        Assert.Equal(0.2, Weight(linear, 0), 12);
        Assert.Equal(0.8, Weight(linear, 1), 12);

        MergeConfig slerp = variants["slerp-l0.30"].ToMergeConfig("sweep.yml");
        Assert.Equal("/data/Qwen3-4B-Instruct-2507", slerp.BaseModel!.Path); // t = 0 is instruct
        Assert.Equal(0.3, Num(slerp.Parameters, "t"), 12);

        MergeConfig ties = variants["ties-l0.50-d0.20"].ToMergeConfig("sweep.yml");
        Assert.Equal("/data/Qwen3-4B", ties.BaseModel!.Path);
        Assert.Equal(0.5, Weight(ties, 0), 12);
        Assert.Equal(0.2, Num(ties.Models[1].Parameters, "density"), 12);
        Assert.Equal(1.0, Num(ties.Parameters, "lambda"), 12);

        MergeConfig scoped = variants["linear-l0.80-layers12-35-mlp"].ToMergeConfig("sweep.yml");
        Assert.True(scoped.Scope.Includes(ModelModule.Mlp, 12));
        Assert.False(scoped.Scope.Includes(ModelModule.Mlp, 11));
        Assert.False(scoped.Scope.Includes(ModelModule.Attention, 20));
        Assert.Equal("/data/Qwen3-4B-Instruct-2507", scoped.Scope.CopyFrom!.Path); // outside the scope instruct stays

        Assert.Throws<InvalidOperationException>(() => variants["instruct"].ToMergeConfig("sweep.yml"));
    }

    private static double Weight(MergeConfig config, int model) => Num(config.Models[model].Parameters, "weight");

    private static double Num(ParameterSet set, string name) =>
        set.TryGetValue(name, out ParameterValue value) && value.ResolveAt("", 0) is { } scalar ? scalar.Number : double.NaN;

    [Fact]
    public void A_spec_without_methods_evaluates_the_two_parents()
    {
        SweepSpec spec = Parse("models: {thinking: t, instruct: i}\nbenchmarks: [{name: aime25}]\n");

        Assert.Equal(["instruct", "thinking"], spec.Expand().Select(v => v.Name));
    }

    [Fact]
    public void Lambdas_equal_to_four_decimals_clash_and_lambdas_listed_twice_merge()
    {
        Assert.Equal(3, Parse("models: {thinking: t, instruct: i}\nmethods: [{method: linear, lambda: [0.5, 0.5]}]\nbenchmarks: [{name: b}]\n").Expand().Length);
        var e = Assert.Throws<AlloyInputException>(() => Parse("models: {thinking: t, instruct: i}\nmethods:\n  - method: linear\n    lambda: [0.5, 0.50000001]\nbenchmarks: [{name: b}]\n"));
        Assert.StartsWith("sweep.yml:3:5:", e.Message, StringComparison.Ordinal);
        Assert.Contains("linear-l0.50", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("models: {thinking: t}\nbenchmarks: [{name: b}]\n", "sweep.yml:1:9:", "models.instruct is missing")]
    [InlineData("models: {thinking: t, instruct: i}\nmethods:\n  - method: lineer\n    lambda: [0.5]\nbenchmarks: [{name: b}]\n", "sweep.yml:3:13:", "did you mean 'linear'")]
    [InlineData("models: {thinking: t, instruct: i}\nmethods:\n  - method: linear\n    lambda: [0.5, 1.5]\nbenchmarks: [{name: b}]\n", "sweep.yml:4:19:", "outside [0, 1]")]
    [InlineData("models: {thinking: t, instruct: i}\nmethods:\n  - method: linear\n    lambda: [0.5]\n    density: 0.2\nbenchmarks: [{name: b}]\n", "sweep.yml:5:5:", "method 'linear' has no 'density'")]
    [InlineData("models: {thinking: t, instruct: i}\nmethods:\n  - method: ties\n    lambda: [0.5]\nbenchmarks: [{name: b}]\n", "sweep.yml:3:5:", "needs models.base")]
    [InlineData("models: {thinking: t, instruct: i}\nmethods:\n  - method: linear\nbenchmarks: [{name: b}]\n", "sweep.yml:3:5:", "has no 'lambda'")]
    [InlineData("models: {thinking: t, instruct: i}\nmethods:\n  - method: linear\n    lambda: [0.5]\n    layers: 35-12\nbenchmarks: [{name: b}]\n", "sweep.yml:5:13:", "reversed")]
    [InlineData("models: {thinking: t, instruct: i}\nmethods:\n  - method: linear\n    lambda: [0.5]\n    modules: [mlp, ffn]\nbenchmarks: [{name: b}]\n", "sweep.yml:5:20:", "modules entry 'ffn' is not known")]
    [InlineData("models: {thinking: t, instruct: i}\nbenchmarks:\n  - name: b\n    samples: 0\n", "sweep.yml:4:14:", "samples is 0")]
    [InlineData("models: {thinking: t, instruct: i}\nbenchmarks:\n  - name: b\n  - name: ./x/b.jsonl\n", "sweep.yml:4:5:", "share the run folder 'b'")]
    [InlineData("models: {thinking: t, instruct: i}\nbenchmarks: [{name: b}]\nbackend: {type: openai}\n", "sweep.yml:3:10:", "neither endpoints nor serve")]
    [InlineData("models: {thinking: t, instruct: i}\nbenchmarks: [{name: b}]\nbackend: {type: openai, serve: \"vllm serve {model}\"}\n", "sweep.yml:3:32:", "lacks {model} or {port}")]
    [InlineData("models: {thinking: t, instruct: i}\nbenchmarks: [{name: b}]\ngeneration: {temprature: 0.6}\n", "sweep.yml:3:14:", "did you mean 'temperature'")]
    [InlineData("models: {thinking: t, instruct: i}\n", "sweep.yml:1:1:", "the key 'benchmarks' is missing")]
    [InlineData("models: {thinking: t, instruct: i}\nbenchmarks: [{name: b}]\nmodels: {thinking: t, instruct: i}\n", "sweep.yml:3:1:", "duplicate key 'models'")]
    public void Errors_cite_the_position_and_say_what_is_expected(string yaml, string position, string problem)
    {
        var e = Assert.Throws<AlloyInputException>(() => Parse(yaml));

        Assert.StartsWith(position, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains("expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_point_keeps_its_file_and_gets_a_name_from_it()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("mi-0.8.yml"), "merge_method: linear\nmodels:\n  - model: i\n    parameters: {weight: 0.2}\n  - model: t\n    parameters: {weight: 0.8}\n");
        string yaml = "models: {thinking: t, instruct: i}\nmethods:\n  - config: mi-0.8.yml\nbenchmarks: [{name: b}]\n";

        SweepSpec spec = SweepSpecParser.Parse(yaml, "sweep.yml", temp.Path);
        SweepVariant point = spec.Expand()[2];

        Assert.Equal("config-mi-0.8", point.Name);
        Assert.Equal("config", point.Method);
        Assert.Null(point.Lambda);
        Assert.Equal("linear", point.ToMergeConfig("sweep.yml").Method.Name);
        var missing = Assert.Throws<AlloyInputException>(() => SweepSpecParser.Parse(yaml.Replace("mi-0.8", "nope", StringComparison.Ordinal), "sweep.yml", temp.Path));
        Assert.StartsWith("sweep.yml:3:5:", missing.Message, StringComparison.Ordinal);
    }
}
