// `alloy generate` on the tiny fp32 Qwen3 fixture with a byte-level tokenizer and a small chat template: the JSON
// shape, greedy output equal to the engine's, generation_config defaults, and bad input as exit code 2.
using System.Text.Json;
using Alloy.Inference.Backends;

namespace Alloy.Cli.Tests;

public class GenerateCommandTests
{
    [Fact]
    public async Task Json_output_holds_the_samples_and_equals_the_engines_greedy_generation()
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("m"));
        var result = CliRunner.Run("generate", folder, "-p", "hi", "--system", "be brief", "--max-tokens", "10", "-n", "2", "--json");
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("<|system|>be brief<|user|>hi<|assistant|>".Length, root.GetProperty("prompt_tokens").GetInt32());
        Assert.True(root.GetProperty("prefill_tokens_per_s").ValueKind is JsonValueKind.Number or JsonValueKind.Null);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("decode_tokens_per_s").ValueKind);
        var samples = root.GetProperty("samples").EnumerateArray().ToArray();
        Assert.Equal(2, samples.Length);

        using var generator = EmbeddedGenerator.Open(folder);
        var expected = (await generator.GenerateAsync(new GenerationRequest(
            GenerationPrompt.Chat([new ChatMessage("system", "be brief"), new ChatMessage("user", "hi")]),
            new GenerationSettings(0, 1, 0, 0, 0, 10, [], 0, null), 1, 0), CancellationToken.None))[0];
        foreach (var sample in samples)
        {
            Assert.Equal(expected.Text, sample.GetProperty("text").GetString());
            Assert.Equal(10, sample.GetProperty("completion_tokens").GetInt32());
            Assert.Equal("length", sample.GetProperty("finish_reason").GetString());
        }
        Assert.Contains("tok/s", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Streamed_text_equals_the_json_text_and_greedy_runs_repeat()
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("m"));
        var streamed = CliRunner.Run("generate", folder, "-p", "abc", "--raw", "--max-tokens", "12");
        var again = CliRunner.Run("generate", folder, "-p", "abc", "--raw", "--max-tokens", "12");
        var json = CliRunner.Run("generate", folder, "-p", "abc", "--raw", "--max-tokens", "12", "--json");
        Assert.Equal(0, streamed.ExitCode);
        Assert.Equal(streamed.Stdout, again.Stdout);
        var text = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("samples")[0].GetProperty("text").GetString();
        Assert.Equal(text + Environment.NewLine, streamed.Stdout);
    }

    [Fact]
    public void Generation_config_sampling_fields_are_the_defaults_and_flags_override_them()
    {
        using var temp = new TempFolder();
        var sampled = TinyChatModel.Create(temp.Sub("sampled"), generationConfig: "{\"temperature\": 2.0, \"top_k\": 0}");
        string[] Texts(string folder, params string[] extra) =>
            [.. JsonDocument.Parse(CliRunner.Run(["generate", folder, "-p", "abc", "--raw", "--max-tokens", "12", "-n", "4", "--json", .. extra]).Stdout)
                .RootElement.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("text").GetString()!)];
        Assert.True(Texts(sampled).Distinct().Count() > 1, "temperature 2 from generation_config.json should make the samples differ");
        Assert.Single(Texts(sampled, "--temperature", "0").Distinct());
    }

    [Fact]
    public void Bad_input_exits_with_2_and_a_one_line_message()
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("m"));
        var missing = CliRunner.Run("generate", temp.Sub("nope"), "-p", "x");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope", missing.Stderr, StringComparison.Ordinal);
        var temperature = CliRunner.Run("generate", folder, "-p", "x", "--temperature", "-1");
        Assert.Equal(2, temperature.ExitCode);
        Assert.Contains("temperature", temperature.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", temperature.Stderr, StringComparison.Ordinal);
        var n = CliRunner.Run("generate", folder, "-p", "x", "-n", "0");
        Assert.Equal(2, n.ExitCode);
    }
}
