// The HTTP surface of `alloy serve` as raw JSON: whole and streamed answers of both endpoints, n > 1, usage and
// finish_reason, /v1/models and /health. Streamed pieces must join to exactly the whole answer's text.
using System.Net;
using Alloy.Inference.Backends;

namespace Alloy.Server.Tests;

public class WireFormatTests
{
    private const string ChatBody = """
        {"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "n": 3, "max_tokens": 12,
         "temperature": 0.8, "top_p": 0.9, "top_k": -1, "min_p": 0, "presence_penalty": 0, "seed": 42, "stop": []}
        """;

    [Fact]
    public async Task Chat_answer_has_one_choice_per_sample_with_usage_and_finish_reasons()
    {
        await using var served = await ServedModel.StartAsync();
        var answer = await served.PostAsync("/v1/chat/completions", ChatBody);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var root = answer.Json;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("tiny", root.GetProperty("model").GetString());
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString(), StringComparison.Ordinal);
        var choices = root.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));

        using var direct = EmbeddedGenerator.Open(served.Folder);
        var expected = await direct.GenerateWithStatisticsAsync(new GenerationRequest(GenerationPrompt.User("hi"),
            new GenerationSettings(0.8, 0.9, 0, 0, 0, 12, [], 42, null), 3, 42), CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("assistant", choices[i].GetProperty("message").GetProperty("role").GetString());
            Assert.Equal(expected.Samples[i].Text, choices[i].GetProperty("message").GetProperty("content").GetString());
            Assert.Equal(expected.Samples[i].FinishReason == FinishReason.Stop ? "stop" : "length", choices[i].GetProperty("finish_reason").GetString());
        }
        var usage = root.GetProperty("usage");
        Assert.Equal("<|user|>hi<|assistant|>".Length, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(expected.Samples.Sum(s => s.CompletionTokens), usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Streamed_chat_pieces_join_to_the_whole_answer_and_end_with_usage_and_done()
    {
        await using var served = await ServedModel.StartAsync();
        var whole = (await served.PostAsync("/v1/chat/completions", ChatBody)).Json;
        var streamed = await served.PostAsync("/v1/chat/completions",
            ChatBody.Replace("\"stop\": []", "\"stop\": [], \"stream\": true, \"stream_options\": {\"include_usage\": true}", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, streamed.Status);
        Assert.Equal("text/event-stream", streamed.Message.Content.Headers.ContentType!.MediaType);
        var events = Sse.Events(streamed.Body);
        Assert.Equal("[DONE]", events[^1]);
        var (texts, finish, usage) = Sse.Collect(events, chat: true);
        var choices = whole.GetProperty("choices").EnumerateArray().ToArray();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(choices[i].GetProperty("message").GetProperty("content").GetString(), texts[i]);
            Assert.Equal(choices[i].GetProperty("finish_reason").GetString(), finish[i]);
        }
        Assert.Equal(whole.GetProperty("usage").GetRawText(), usage!.Value.GetRawText());
        Assert.Contains("\"role\":\"assistant\"", events[0], StringComparison.Ordinal);
        Assert.Contains("chat.completion.chunk", events[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completions_whole_and_streamed_agree_and_stop_strings_are_cut()
    {
        await using var served = await ServedModel.StartAsync();
        const string body = """{"prompt": "abc", "max_tokens": 20, "temperature": 0, "seed": 1}""";
        var whole = await served.PostAsync("/v1/completions", body);
        Assert.Equal(HttpStatusCode.OK, whole.Status);
        Assert.Equal("text_completion", whole.Json.GetProperty("object").GetString());
        var text = whole.Json.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.Equal("length", whole.Json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(3, whole.Json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(20, whole.Json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var streamed = await served.PostAsync("/v1/completions", body.Replace("}", ", \"stream\": true}", StringComparison.Ordinal));
        var (texts, finish, usage) = Sse.Collect(Sse.Events(streamed.Body), chat: false);
        Assert.Equal(text, texts[0]);
        Assert.Equal("length", finish[0]);
        Assert.Null(usage);

        var stop = text.Substring(8, 3);
        var cut = await served.PostAsync("/v1/completions", body.Replace("}", $", \"stop\": {System.Text.Json.JsonSerializer.Serialize(stop)}}}", StringComparison.Ordinal));
        var cutText = cut.Json.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.Equal("stop", cut.Json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], cutText);
    }

    [Fact]
    public async Task Enable_thinking_reaches_the_chat_template()
    {
        await using var served = await ServedModel.StartAsync();
        using var direct = EmbeddedGenerator.Open(served.Folder);
        Assert.Equal(direct.PromptTokens(GenerationPrompt.User("x"), false).Length, direct.PromptTokens(GenerationPrompt.User("x"), null).Length);
        // The fixture's template ignores enable_thinking, so the answer must equal the engine's with the flag set.
        var answer = await served.PostAsync("/v1/chat/completions",
            """{"messages": [{"role": "user", "content": "x"}], "max_tokens": 6, "temperature": 0, "chat_template_kwargs": {"enable_thinking": false}}""");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var expected = await direct.GenerateAsync(new GenerationRequest(GenerationPrompt.User("x"), new GenerationSettings(0, 1, 0, 0, 0, 6, [], 0, false), 1, 0), CancellationToken.None);
        Assert.Equal(expected[0].Text, answer.Json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Omitted_sampling_fields_take_generation_config_defaults()
    {
        await using var served = await ServedModel.StartAsync(generationConfig: """{"temperature": 0.0}""");
        const string body = """{"prompt": "xyz", "max_tokens": 10, "n": 4}""";
        var answer = await served.PostAsync("/v1/completions", body);
        var texts = answer.Json.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()).ToArray();
        Assert.Single(texts.Distinct());
        var hot = await served.PostAsync("/v1/completions", body.Replace("}", ", \"temperature\": 2.0, \"seed\": 3}", StringComparison.Ordinal));
        Assert.True(hot.Json.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()).Distinct().Count() > 1);
    }

    [Fact]
    public async Task Models_and_health_answer()
    {
        await using var served = await ServedModel.StartAsync();
        var models = await served.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, models.Status);
        Assert.Equal("list", models.Json.GetProperty("object").GetString());
        Assert.Equal("tiny", models.Json.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(512, models.Json.GetProperty("data")[0].GetProperty("max_model_len").GetInt32());
        var health = await served.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        var missing = await served.GetAsync("/v1/embeddings");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains("/v1/chat/completions", missing.ErrorMessage, StringComparison.Ordinal);
    }
}
