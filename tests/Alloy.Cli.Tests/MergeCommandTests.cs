// `alloy merge` end to end on two tiny BF16 models written by the test: the output equals λ-interpolation
// to one bf16 rounding, scopes copy what they leave out, --dry-run writes nothing, and bad input exits 2.
using System.Text.Json;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Cli.Tests;

public sealed class MergeCommandTests : IDisposable
{
    private static readonly (string Name, long[] Shape)[] Layout =
    [
        ("model.embed_tokens.weight", [16, 8]),
        ("model.layers.0.self_attn.q_proj.weight", [8, 8]),
        ("model.layers.0.mlp.up_proj.weight", [12, 8]),
        ("model.layers.1.self_attn.q_proj.weight", [8, 8]),
        ("model.layers.1.mlp.up_proj.weight", [12, 8]),
        ("model.norm.weight", [8]),
    ];

    private readonly TempFolder _temp = new();

    public MergeCommandTests()
    {
        WriteModel("instruct", seed: 1);
        WriteModel("thinking", seed: 2);
    }

    public void Dispose() => _temp.Dispose();

    private void WriteModel(string name, int seed)
    {
        var folder = _temp.Sub(name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), """{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","num_hidden_layers":2,"torch_dtype":"bfloat16"}""");
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), $$"""{"source":"{{name}}"}""");
        var random = new Random(seed);
        using var writer = new SafetensorsWriter(Path.Combine(folder, "model.safetensors"), [.. Layout.Select(l => new TensorSpec(l.Name, DType.BF16, [.. l.Shape]))], null);
        foreach (var (_, shape) in Layout)
        {
            var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var bytes = new byte[values.Length * 2];
            DTypeConversions.FromFloat32(values, DType.BF16, bytes);
            writer.Write(bytes);
        }
        writer.Complete();
    }

    private string Config(string extra = "")
    {
        var path = _temp.Sub($"merge-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, $"""
            merge_method: linear
            models:
              - model: instruct
                parameters:
                  weight: 0.2
              - model: thinking
                parameters:
                  weight: 0.8
            dtype: bfloat16
            {extra}
            """);
        return path;
    }

    private static float[] Read(Checkpoint model, string name)
    {
        var t = model.GetTensor(name);
        var floats = new float[t.ElementCount];
        DTypeConversions.ToFloat32(t.GetBytes(), t.DType, floats);
        return floats;
    }

    [Fact]
    public void Linear_merge_writes_the_interpolated_model_with_config_side_files_and_log()
    {
        var output = _temp.Sub("merged");
        var result = CliRunner.Run("merge", Config(), "-o", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var merged = Checkpoint.Open(output);
        using var a = Checkpoint.Open(_temp.Sub("instruct"));
        using var b = Checkpoint.Open(_temp.Sub("thinking"));
        foreach (var (name, _) in Layout)
        {
            var x = Read(a, name);
            var y = Read(b, name);
            var z = Read(merged, name);
            Assert.Equal(DType.BF16, merged.GetTensor(name).DType);
            for (var i = 0; i < z.Length; i++)
            {
                var expected = (0.2 * x[i]) + (0.8 * y[i]);
                Assert.True(Math.Abs(z[i] - expected) <= Math.Abs(expected) * (1.0 / 128) + 1e-6, $"{name}[{i}]: {z[i]} vs {expected}");
            }
        }
        Assert.Equal("pt", merged.Files[0].Metadata["format"]);
        Assert.Contains("tokenizer_config.json", merged.SideFiles);
        Assert.Contains("instruct", File.ReadAllText(Path.Combine(output, "tokenizer_config.json")), StringComparison.Ordinal);
        Assert.Equal("bfloat16", merged.RequireConfig().TorchDtype);
        var log = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "alloy_merge.json"))).RootElement;
        Assert.Equal(Layout.Length, log.GetProperty("tensors").GetArrayLength());
        Assert.All(log.GetProperty("tensors").EnumerateArray(), t => Assert.Equal("merged", t.GetProperty("action").GetString()));
        Assert.Equal(0, log.GetProperty("dropped").GetArrayLength());
        Assert.DoesNotContain(Directory.GetFileSystemEntries(_temp.Path), e => Path.GetFileName(e).StartsWith(".merged", StringComparison.Ordinal));
        // The model card names the sources and the method, counts what was done and quotes the config.
        var card = File.ReadAllText(Path.Combine(output, "README.md"));
        Assert.StartsWith("---\nbase_model:\n", card, StringComparison.Ordinal);
        Assert.Contains("- merge\n- alloy\n- 'linear'", card, StringComparison.Ordinal);
        Assert.Contains($"{Layout.Length} output tensors: {Layout.Length} merged, 0 copied; 0 input tensors dropped.", card, StringComparison.Ordinal);
        Assert.Contains("merge_method: linear", card, StringComparison.Ordinal);
    }

    [Fact]
    public void Scoped_merge_copies_what_is_out_of_scope_from_the_first_model_exactly()
    {
        var output = _temp.Sub("scoped");
        var result = CliRunner.Run("merge", Config("layers: \"1-1\"\nmodules: [mlp]"), "-o", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var merged = Checkpoint.Open(output);
        using var a = Checkpoint.Open(_temp.Sub("instruct"));
        foreach (var (name, _) in Layout)
        {
            var same = merged.GetTensor(name).GetBytes().SequenceEqual(a.GetTensor(name).GetBytes());
            Assert.Equal(name != "model.layers.1.mlp.up_proj.weight", same);
        }
    }

    [Fact]
    public void Dry_run_prints_plan_coverage_and_memory_and_writes_nothing()
    {
        var output = _temp.Sub("never");
        var result = CliRunner.Run("merge", Config(), "-o", output, "--dry-run");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("plan: 6 output tensors (6 merged with linear, 0 copied), 0 input tensors dropped", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("merge model.layers.1.mlp.up_proj.weight BF16 [12, 8]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("peak memory estimate", result.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void An_existing_output_is_kept_unless_forced()
    {
        var output = _temp.Sub("existing");
        Directory.CreateDirectory(output);
        var result = CliRunner.Run("merge", Config(), "-o", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--force", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("merge", Config(), "-o", output, "--force").ExitCode);
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void Config_errors_cite_file_line_and_column()
    {
        var config = Config("weigth: 3");
        var result = CliRunner.Run("merge", config, "-o", _temp.Sub("x"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:10:1", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_is_named()
    {
        var config = _temp.Sub("missing.yml");
        File.WriteAllText(config, "merge_method: linear\nmodels:\n  - model: nowhere\n    parameters: {weight: 1}\n");
        var result = CliRunner.Run("merge", config, "-o", _temp.Sub("y"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'nowhere' not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Chat_template_overrides_are_written_and_render()
    {
        var output = _temp.Sub("chatml");
        var result = CliRunner.Run("merge", Config("chat_template: chatml"), "-o", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Alloy.Merging.Plan.ChatTemplateResolver.ChatMl, File.ReadAllText(Path.Combine(output, "chat_template.jinja")));
        var tokenizerConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "tokenizer_config.json"))).RootElement;
        Assert.Equal("instruct", tokenizerConfig.GetProperty("source").GetString());
        Assert.Equal(Alloy.Merging.Plan.ChatTemplateResolver.ChatMl, tokenizerConfig.GetProperty("chat_template").GetString());
        var messages = _temp.File("messages.json");
        File.WriteAllText(messages, "[{\"role\": \"user\", \"content\": \"hi\"}]");
        var rendered = CliRunner.Run("template", output, "--messages", messages);
        Assert.True(rendered.ExitCode == 0, rendered.Stderr);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", rendered.Stdout);

        // auto: the template most models share; with none among the inputs, the donor's files stay as they are.
        var auto = _temp.Sub("auto");
        Assert.Equal(0, CliRunner.Run("merge", Config("chat_template: auto"), "-o", auto).ExitCode);
        Assert.False(File.Exists(Path.Combine(auto, "chat_template.jinja")));
        var unshipped = CliRunner.Run("merge", Config("chat_template: alpaca"), "-o", _temp.Sub("alpaca"));
        Assert.Equal(2, unshipped.ExitCode);
        Assert.Contains("alpaca", unshipped.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokenizer_policies_run_when_the_vocabularies_agree_and_are_refused_when_they_differ()
    {
        void Tokenizer(string model, string extraToken) => File.WriteAllText(Path.Combine(_temp.Sub(model), "tokenizer.json"),
            $$"""{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1{{extraToken}}}, "merges": []}, "added_tokens": []}""");
        Tokenizer("instruct", "");
        Tokenizer("thinking", "");
        var union = CliRunner.Run("merge", Config("tokenizer_source: union"), "-o", _temp.Sub("union"));
        Assert.True(union.ExitCode == 0, union.Stderr);
        Assert.Contains("instruct", File.ReadAllText(Path.Combine(_temp.Sub("union"), "tokenizer_config.json")), StringComparison.Ordinal);
        var named = CliRunner.Run("merge", Config("tokenizer_source: thinking"), "-o", _temp.Sub("named"));
        Assert.True(named.ExitCode == 0, named.Stderr);
        Assert.Contains("thinking", File.ReadAllText(Path.Combine(_temp.Sub("named"), "tokenizer_config.json")), StringComparison.Ordinal);

        Tokenizer("thinking", ", \"c\": 2");
        var differ = CliRunner.Run("merge", Config("tokenizer_source: union"), "-o", _temp.Sub("differ"));
        Assert.Equal(2, differ.ExitCode);
        Assert.Contains("permuted into one vocabulary", differ.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 tokens", differ.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Sub("differ")));
    }
}
