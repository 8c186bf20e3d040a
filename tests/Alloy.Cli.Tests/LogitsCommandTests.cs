// `alloy logits` on a committed tiny Qwen3 model with a synthetic byte-level tokenizer: the printed
// logits equal the engine's own forward pass, highest first.
using System.Text.Json;
using System.Text.Json.Nodes;
using Alloy.Inference.Tokenization;
using Alloy.Inference.Transformer;

namespace Alloy.Cli.Tests;

public class LogitsCommandTests
{
    /// <summary>A copy of the tiny qwen3 fixture with a tokenizer.json whose 256 byte tokens have id = byte value.</summary>
    private static string ModelWithTokenizer(TempFolder temp)
    {
        var source = TestPaths.Fixtures("inference", "qwen3-untied-bf16");
        var folder = temp.Sub("model");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(source, file), Path.Combine(folder, file));
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            // The byte-level alphabet: printable bytes stand for themselves, the rest map to U+0100 onwards.
            var printable = b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174;
            var shifted = 256 + Enumerable.Range(0, b).Count(x => !(x is >= 33 and <= 126 or >= 161 and <= 172 or >= 174));
            vocab[((char)(printable ? b : shifted)).ToString()] = b;
        }
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray() },
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());
        return folder;
    }

    [Fact]
    public void Json_top_logits_equal_the_engines_forward_pass()
    {
        using var temp = new TempFolder();
        var folder = ModelWithTokenizer(temp);
        var result = CliRunner.Run("logits", folder, "--text", "abc, d!", "--top", "5", "--json");
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(7, root.GetProperty("prompt_tokens").GetInt32());

        var ids = BpeTokenizer.Load(folder).Encode("abc, d!");
        Assert.Equal("abc, d!".Select(c => (int)c), ids);
        using var model = TransformerModel.Open(folder);
        var logits = model.Forward(ids, model.CreateCache());
        var expected = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(5).ToArray();
        var top = root.GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(expected, top.Select(t => t.GetProperty("id").GetInt32()));
        Assert.Equal(expected.Select(i => logits[i]), top.Select(t => (float)t.GetProperty("logit").GetDouble()));
        Assert.True(top[0].GetProperty("logit").GetDouble() >= top[4].GetProperty("logit").GetDouble());
    }

    [Fact]
    public void A_tokenizer_id_outside_the_models_vocabulary_is_a_clear_error()
    {
        using var temp = new TempFolder();
        var folder = ModelWithTokenizer(temp);
        var result = CliRunner.Run("logits", folder, "--text", "~~~ é");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("vocab_size is 160", result.Stderr, StringComparison.Ordinal);
    }
}
