// `alloy inspect` on the committed fixtures: the table and the JSON schema of docs/cli.md.
using System.Text.Json;

namespace Alloy.Cli.Tests;

public class InspectCommandTests
{
    [Fact]
    public void Json_output_follows_the_documented_schema()
    {
        var result = CliRunner.Run("inspect", TestPaths.Fixtures("safetensors", "numpy_sharded"), "--json");
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("Qwen3ForCausalLM", root.GetProperty("architecture").GetString());
        Assert.Equal("qwen3", root.GetProperty("model_type").GetString());
        Assert.True(root.GetProperty("tied_embeddings").GetBoolean());
        Assert.Equal(15, root.GetProperty("tensor_count").GetInt32());
        Assert.Equal(2, root.GetProperty("shards").GetArrayLength());
        Assert.Equal("model-00001-of-00002.safetensors", root.GetProperty("shards")[0].GetProperty("file").GetString());
        var tensors = root.GetProperty("tensors").EnumerateArray().ToArray();
        Assert.Equal(15, tensors.Length);
        var embed = tensors.Single(t => t.GetProperty("name").GetString() == "model.embed_tokens.weight");
        Assert.Equal("BF16", embed.GetProperty("dtype").GetString());
        Assert.Equal([11L, 8L], embed.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        // 88 + 64 + 40 + 8 + 8 + 12 + 7 + 5 + 9 + 6 + 5 + 16 + 11 + 1 + 0 elements
        Assert.Equal(280, root.GetProperty("parameters").GetInt64());
        Assert.Equal(3, root.GetProperty("dtypes").GetProperty("F32").GetInt32());
        Assert.Equal(8, root.GetProperty("config").GetProperty("hidden_size").GetInt32());
    }

    [Fact]
    public void Text_output_lists_summary_and_every_tensor()
    {
        var result = CliRunner.Run("inspect", TestPaths.Fixtures("safetensors", "numpy_single"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Qwen3ForCausalLM (qwen3)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Tied embeddings", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("model.layers.0.self_attn.q_proj.weight", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[0, 3]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("format=pt", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_safetensors_file_can_be_inspected_without_a_folder()
    {
        var result = CliRunner.Run("inspect", TestPaths.Fixtures("safetensors", "numpy_single", "model.safetensors"), "--json");
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("architecture").ValueKind);
        Assert.Equal(15, root.GetProperty("tensor_count").GetInt32());
    }

    [Fact]
    public void Unknown_options_are_usage_errors()
    {
        var result = CliRunner.Run("inspect", "x", "--bogus");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--bogus", result.Stderr, StringComparison.Ordinal);
    }
}

public class DiffCommandTests
{
    [Fact]
    public void Diff_of_a_checkpoint_with_its_sharded_copy_is_zero()
    {
        var single = TestPaths.Fixtures("safetensors", "numpy_single");
        var sharded = TestPaths.Fixtures("safetensors", "numpy_sharded");
        var result = CliRunner.Run("diff", single, sharded, "--json");
        Assert.Equal(0, result.ExitCode);
        var root = System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement;
        var tensors = root.GetProperty("tensors").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(0.0, tensors["model.layers.0.self_attn.q_proj.weight"].GetProperty("relative_l2").GetDouble());
        Assert.Equal(1.0, tensors["model.embed_tokens.weight"].GetProperty("cosine").GetDouble(), 12);
        // model.norm.weight holds ±Inf: inf − inf is NaN, reported as null rather than a made-up number
        Assert.Equal(System.Text.Json.JsonValueKind.Null, tensors["model.norm.weight"].GetProperty("relative_l2").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("total").GetProperty("relative_l2").ValueKind);
        // the integer and bool tensors are reported as not compared, not dropped silently
        var uncompared = root.GetProperty("uncompared").EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToArray();
        Assert.Contains("counts.i32", uncompared);
        Assert.Contains("mask", uncompared);
    }

    [Fact]
    public void Diff_names_a_missing_model()
    {
        var result = CliRunner.Run("diff", TestPaths.Fixtures("safetensors", "numpy_single"), "/nonexistent/model");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("/nonexistent/model", result.Stderr, StringComparison.Ordinal);
    }
}
