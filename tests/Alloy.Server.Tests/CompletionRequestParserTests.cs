// The request parser alone: field mapping to engine settings (top_k off values, max_completion_tokens, text parts,
// one-string prompt arrays), defaults from generation_config.json, and the OpenAI defaults without one.
using System.Text;
using Alloy.Inference.Sampling;

namespace Alloy.Server.Tests;

public class CompletionRequestParserTests
{
    private static readonly CompletionRequestParser Plain = new("m", GenerationDefaults.None, 512);

    private static CompletionRequest Parse(string json, bool chat = true, CompletionRequestParser? parser = null) =>
        (parser ?? Plain).Parse(Encoding.UTF8.GetBytes(json), chat);

    [Fact]
    public void Every_sampling_field_maps_to_the_engine_settings()
    {
        var request = Parse("""
            {"model": "m", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}],
             "n": 3, "max_tokens": 9, "temperature": 0.5, "top_p": 0.8, "top_k": 7, "min_p": 0.1, "presence_penalty": -0.5,
             "seed": 11, "stop": "x", "stream": true, "stream_options": {"include_usage": true}, "chat_template_kwargs": {"enable_thinking": true}}
            """);
        Assert.True(request.Chat);
        Assert.Equal(["s", "ab"], request.Prompt.Messages!.Select(m => m.Content));
        Assert.Equal(3, request.SampleCount);
        Assert.Equal(11, request.BaseSeed);
        Assert.True(request.Stream);
        Assert.True(request.IncludeUsage);
        var s = request.Settings;
        Assert.Equal((0.5, 0.8, 7, 0.1, -0.5, 9, true), (s.Temperature, s.TopP, s.TopK, s.MinP, s.PresencePenalty, s.MaxTokens, s.EnableThinking!.Value));
        Assert.Equal(["x"], s.Stop);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void Top_k_minus_one_and_zero_are_off(int topK) =>
        Assert.Equal(0, Parse($$"""{"prompt": "a", "top_k": {{topK}}}""", chat: false).Settings.TopK);

    [Fact]
    public void Max_completion_tokens_wins_over_max_tokens_and_the_context_is_the_default_cap()
    {
        Assert.Equal(5, Parse("""{"prompt": "a", "max_tokens": 9, "max_completion_tokens": 5}""", chat: false).Settings.MaxTokens);
        Assert.Equal(512, Parse("""{"prompt": "a"}""", chat: false).Settings.MaxTokens);
    }

    [Fact]
    public void Omitted_fields_take_generation_config_then_openai_defaults()
    {
        var plain = Parse("""{"prompt": ["a"]}""", chat: false);
        Assert.Equal("a", plain.Prompt.RawText);
        Assert.Equal((1.0, 1.0, 0, 0.0, 0.0, 1), (plain.Settings.Temperature, plain.Settings.TopP, plain.Settings.TopK, plain.Settings.MinP, plain.Settings.PresencePenalty, plain.SampleCount));
        Assert.Null(plain.Settings.EnableThinking);
        Assert.False(plain.Stream);

        var qwen = new CompletionRequestParser("m", new GenerationDefaults([2], 0.6, 0.95, 20, 0.0), 512);
        var defaulted = Parse("""{"messages": [{"role": "user", "content": "q"}]}""", parser: qwen);
        Assert.Equal((0.6, 0.95, 20), (defaulted.Settings.Temperature, defaulted.Settings.TopP, defaulted.Settings.TopK));
        var overridden = Parse("""{"messages": [{"role": "user", "content": "q"}], "temperature": 0, "top_k": -1}""", parser: qwen);
        Assert.Equal((0.0, 0), (overridden.Settings.Temperature, overridden.Settings.TopK));
    }

    [Fact]
    public void Enable_thinking_is_ignored_for_raw_prompts_and_unknown_fields_are_ignored()
    {
        var request = Parse("""{"prompt": "a", "chat_template_kwargs": {"enable_thinking": false}, "user": "u", "ignore_eos": false}""", chat: false);
        Assert.Null(request.Settings.EnableThinking);
    }

    [Fact]
    public void Omitted_seeds_are_drawn_per_request()
    {
        var seeds = Enumerable.Range(0, 8).Select(_ => Parse("""{"prompt": "a"}""", chat: false).BaseSeed).ToArray();
        Assert.True(seeds.Distinct().Count() > 1);
        Assert.All(seeds, seed => Assert.InRange(seed, 0, int.MaxValue));
    }
}
