// Tests of OpenAiGenerator against the loopback fake server: the exact request JSON, reasoning joining, token counts,
// and every fault mode (5xx, 429, timeouts, malformed or dropped responses, dying and dead endpoints).
using System.Text.Json.Nodes;
using Alloy.Inference.Backends;
using Alloy.Tensors;

namespace Alloy.Inference.Tests.Backends;

public sealed class OpenAiGeneratorTests
{
    private static readonly GenerationSettings Settings = new(
        Temperature: 0.6, TopP: 0.95, TopK: 20, MinP: 0.0, PresencePenalty: 0.5, MaxTokens: 512,
        Stop: ["</answer>"], Seed: 7, EnableThinking: false);

    private static OpenAiGeneratorOptions Options(params Uri[] endpoints) => new()
    {
        Endpoints = endpoints.Select(url => new OpenAiEndpoint(url, 4)).ToArray(),
        Model = "merged-0.8",
        RequestTimeout = TimeSpan.FromSeconds(20),
        MaxAttemptsPerSample = 4,
        MaxConsecutiveFailuresPerEndpoint = 3,
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(20),
        MaxResponseBytes = 16 * 1024,
    };

    private static GenerationRequest ChatRequest(int samples, long baseSeed = 1000, GenerationSettings? settings = null) =>
        new(GenerationPrompt.Chat([new ChatMessage("system", "Be brief."), new ChatMessage("user", "What is 6×7?")]),
            settings ?? Settings, samples, baseSeed);

    [Fact]
    public async Task Chat_request_sends_every_sampling_field_explicitly_with_one_request_per_sample()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var samples = await generator.GenerateAsync(ChatRequest(2), CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        var bodies = server.Requests.OrderBy(r => r.Body["seed"]!.GetValue<long>()).ToArray();
        Assert.All(bodies, r => Assert.Equal("/v1/chat/completions", r.Path));
        var body = bodies[0].Body;
        Assert.Equal(
            ["chat_template_kwargs", "max_tokens", "messages", "min_p", "model", "n", "presence_penalty", "seed", "stop", "stream", "temperature", "top_k", "top_p"],
            body.Select(pair => pair.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("merged-0.8", body["model"]!.GetValue<string>());
        Assert.Equal(1, body["n"]!.GetValue<int>());
        Assert.Equal(512, body["max_tokens"]!.GetValue<int>());
        Assert.Equal(0.6, body["temperature"]!.GetValue<double>());
        Assert.Equal(0.95, body["top_p"]!.GetValue<double>());
        Assert.Equal(20, body["top_k"]!.GetValue<int>());
        Assert.Equal(0.0, body["min_p"]!.GetValue<double>());
        Assert.Equal(0.5, body["presence_penalty"]!.GetValue<double>());
        Assert.False(body["stream"]!.GetValue<bool>());
        Assert.Equal(["</answer>"], body["stop"]!.AsArray().Select(s => s!.GetValue<string>()).ToArray());
        Assert.False(body["chat_template_kwargs"]!["enable_thinking"]!.GetValue<bool>());
        var messages = body["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Equal("What is 6×7?", messages[1]!["content"]!.GetValue<string>());
        Assert.Equal([1000L, 1001L], bodies.Select(r => r.Body["seed"]!.GetValue<long>()).ToArray());

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(generator.RequestJson(ChatRequest(2), 1)), bodies[1].Body));
        Assert.Equal([0, 1], samples.Select(s => s.SampleIndex).ToArray());
        Assert.Equal([1000L, 1001L], samples.Select(s => s.Seed).ToArray());
        Assert.Equal("<think>Thinking with seed 1001.</think>The answer for seed 1001 is 42.", samples[1].Text);
        Assert.Equal(1101, samples[1].CompletionTokens);
        Assert.Equal(11, samples[1].PromptTokens);
        Assert.Equal(FinishReason.Stop, samples[1].FinishReason);
        Assert.Null(samples[1].Reasoning);
    }

    [Fact]
    public async Task Raw_prompt_uses_completions_with_top_k_off_as_minus_one_and_no_template_kwargs()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));
        var settings = Settings with { TopK = 0, EnableThinking = null, Stop = [] };

        var samples = await generator.GenerateAsync(
            new GenerationRequest(GenerationPrompt.Raw("<|im_start|>user\nhi<|im_end|>\n"), settings, [3], 50), CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/completions", request.Path);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n", request.Body["prompt"]!.GetValue<string>());
        Assert.Equal(-1, request.Body["top_k"]!.GetValue<int>());
        Assert.Equal(53, request.Body["seed"]!.GetValue<long>());
        Assert.Empty(request.Body["stop"]!.AsArray());
        Assert.False(request.Body.ContainsKey("chat_template_kwargs"));
        Assert.False(request.Body.ContainsKey("messages"));
        var sample = Assert.Single(samples);
        Assert.Equal(3, sample.SampleIndex);
        Assert.Equal("The answer for seed 53 is 42.", sample.Text);
    }

    [Fact]
    public async Task Enable_thinking_unset_sends_no_template_kwargs_in_chat_mode()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        await generator.GenerateAsync(ChatRequest(1, settings: Settings with { EnableThinking = null }), CancellationToken.None);

        Assert.False(Assert.Single(server.Requests).Body.ContainsKey("chat_template_kwargs"));
    }

    [Fact]
    public async Task Enable_thinking_with_a_raw_prompt_is_bad_input()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var error = await Assert.ThrowsAsync<AlloyInputException>(() =>
            generator.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw("x"), Settings, 1, 0), CancellationToken.None));
        Assert.Contains("enable_thinking", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("reasoning_content")]
    [InlineData("reasoning")]
    public async Task Reasoning_split_out_by_the_server_is_joined_back_as_think_tags(string field)
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ReasoningField = field;
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var sample = Assert.Single(await generator.GenerateAsync(ChatRequest(1, baseSeed: 5), CancellationToken.None));

        Assert.Equal("<think>Thinking with seed 5.</think>The answer for seed 5 is 42.", sample.Text);
        Assert.Equal("Thinking with seed 5.", sample.Reasoning);
    }

    [Fact]
    public async Task Truncated_reasoning_without_content_stays_unclosed()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ReasoningField = "reasoning_content";
        server.FinishReason = "length";
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var sample = Assert.Single(await generator.GenerateAsync(ChatRequest(1, baseSeed: 5), CancellationToken.None));

        Assert.Equal("<think>Thinking with seed 5.", sample.Text);
        Assert.Equal(FinishReason.Length, sample.FinishReason);
    }

    [Fact]
    public async Task Without_usage_the_tokenizer_callback_counts_the_joined_text()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.SendUsage = false;
        using var generator = new OpenAiGenerator(Options(server.BaseUrl) with { CountTokens = text => text.Length });

        var sample = Assert.Single(await generator.GenerateAsync(ChatRequest(1), CancellationToken.None));

        Assert.Equal(sample.Text.Length, sample.CompletionTokens);
        Assert.Null(sample.PromptTokens);
    }

    [Fact]
    public async Task Without_usage_and_without_a_tokenizer_the_error_names_the_endpoint()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.SendUsage = false;
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var error = await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(1), CancellationToken.None));
        Assert.Contains(server.BaseUrl.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("usage.completion_tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_errors_then_success_are_retried()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.Http500, Fault.Http500);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var sample = Assert.Single(await generator.GenerateAsync(ChatRequest(1, baseSeed: 9), CancellationToken.None));

        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal(9, r.Body["seed"]!.GetValue<long>()));
        Assert.Equal("<think>Thinking with seed 9.</think>The answer for seed 9 is 42.", sample.Text);
    }

    [Fact]
    public async Task Too_many_requests_is_retried()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.Http429);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        Assert.Single(await generator.GenerateAsync(ChatRequest(1), CancellationToken.None));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_response_slower_than_the_timeout_is_abandoned_and_retried()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.Slow);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl) with { RequestTimeout = TimeSpan.FromSeconds(1) });

        var sample = Assert.Single(await generator.GenerateAsync(ChatRequest(1, baseSeed: 3), CancellationToken.None));

        // The first request never gets an answer, so the sample can only come from a retry.
        Assert.True(server.Requests.Count >= 2, $"{server.Requests.Count} requests");
        Assert.Equal("<think>Thinking with seed 3.</think>The answer for seed 3 is 42.", sample.Text);
    }

    [Fact]
    public async Task A_connection_dropped_mid_response_is_retried()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.DropMidResponse);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var sample = Assert.Single(await generator.GenerateAsync(ChatRequest(1, baseSeed: 4), CancellationToken.None));
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(104, sample.CompletionTokens);
    }

    [Fact]
    public async Task Malformed_json_fails_at_once_naming_the_endpoint()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.MalformedJson);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var error = await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(1), CancellationToken.None));
        Assert.Contains(server.BaseUrl.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task One_failed_sample_stops_its_siblings_and_its_own_error_is_reported()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.MalformedJson);
        server.Latency = TimeSpan.FromMilliseconds(200);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl) with { Endpoints = [new OpenAiEndpoint(server.BaseUrl, 1)] });

        var error = await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(6), CancellationToken.None));

        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        // One slot: the failed request, and at most one sibling that took the freed slot before the stop reached it.
        Assert.InRange(server.Requests.Count, 1, 2);
    }

    [Fact]
    public async Task A_missing_finish_reason_is_named_in_the_error()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.MissingFinishReason);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var error = await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(1), CancellationToken.None));
        Assert.Contains("finish_reason", error.Message, StringComparison.Ordinal);
        Assert.Equal(server.BaseUrl, error.Endpoint);
    }

    [Fact]
    public async Task A_response_over_the_size_bound_is_refused()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.Huge);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var error = await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(1), CancellationToken.None));
        Assert.Contains("16384-byte limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_error_is_not_retried_and_quotes_the_server()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.Http400);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));

        var error = await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(1), CancellationToken.None));
        Assert.Contains("HTTP 400", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown field top_k", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Persistent_server_errors_exhaust_the_attempt_budget_with_a_clear_error()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Enumerable.Repeat(Fault.Http500, 10).ToArray());
        using var generator = new OpenAiGenerator(Options(server.BaseUrl) with { MaxConsecutiveFailuresPerEndpoint = 100 });

        var error = await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(1), CancellationToken.None));
        Assert.Equal(4, server.Requests.Count);
        Assert.Contains("failed 4 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", error.Message, StringComparison.Ordinal);
        Assert.Equal(server.BaseUrl, error.Endpoint);
    }

    [Fact]
    public async Task An_endpoint_that_dies_mid_run_leaves_the_work_to_the_survivor()
    {
        await using var dying = await FakeOpenAiServer.StartAsync();
        await using var survivor = await FakeOpenAiServer.StartAsync();
        dying.DieAfter = 2;
        dying.Latency = survivor.Latency = TimeSpan.FromMilliseconds(5);
        using var generator = new OpenAiGenerator(Options(dying.BaseUrl, survivor.BaseUrl));

        var samples = await generator.GenerateAsync(ChatRequest(16, baseSeed: 0), CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), samples.Select(s => s.Seed));
        Assert.All(samples, s => Assert.Equal($"<think>Thinking with seed {s.Seed}.</think>The answer for seed {s.Seed} is 42.", s.Text));
        // The dying server answered its first 2 requests; every later one failed and went to the survivor.
        Assert.True(dying.Requests.Count >= 3, $"the dying endpoint saw {dying.Requests.Count} requests");
        Assert.Equal(16, survivor.Requests.Count + Math.Min(dying.Requests.Count, 2));
    }

    [Fact]
    public async Task A_retry_goes_to_an_endpoint_that_has_not_failed_this_sample()
    {
        await using var failing = await FakeOpenAiServer.StartAsync();
        await using var healthy = await FakeOpenAiServer.StartAsync();
        failing.Script(Enumerable.Repeat(Fault.Http500, 10).ToArray());
        var options = Options(failing.BaseUrl, healthy.BaseUrl) with { MaxAttemptsPerSample = 2, MaxConsecutiveFailuresPerEndpoint = 100 };
        using var generator = new OpenAiGenerator(options);

        // Both endpoints are idle, so the first attempt goes to the first listed (failing) one; the single retry
        // allowed must go to the other for the sample to succeed.
        var sample = Assert.Single(await generator.GenerateAsync(ChatRequest(1, baseSeed: 2), CancellationToken.None));

        Assert.Single(failing.Requests);
        Assert.Single(healthy.Requests);
        Assert.Equal(2, sample.Seed);
    }

    [Fact]
    public async Task When_every_endpoint_is_dead_the_run_stops_with_an_error_naming_them()
    {
        var first = FakeOpenAiServer.DeadUrl();
        var second = FakeOpenAiServer.DeadUrl();
        using var generator = new OpenAiGenerator(Options(first, second) with { MaxAttemptsPerSample = 100 });

        var error = await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(8), CancellationToken.None));

        Assert.Contains(first.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(second.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("connection failed", error.Message, StringComparison.Ordinal);
        // Later calls fail at once instead of hanging.
        await Assert.ThrowsAsync<GeneratorException>(() => generator.GenerateAsync(ChatRequest(1), CancellationToken.None));
    }

    [Fact]
    public async Task The_concurrency_limit_of_an_endpoint_is_respected()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Latency = TimeSpan.FromMilliseconds(20);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl) with { Endpoints = [new OpenAiEndpoint(server.BaseUrl, 2)] });

        var samples = await generator.GenerateAsync(ChatRequest(10), CancellationToken.None);

        Assert.Equal(10, samples.Count);
        Assert.InRange(server.MaxInFlight, 1, 2);
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellation_by_the_caller_stops_a_slow_request()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Script(Fault.Slow);
        using var generator = new OpenAiGenerator(Options(server.BaseUrl));
        using var cancel = new CancellationTokenSource();

        var running = generator.GenerateAsync(ChatRequest(1), cancel.Token);
        while (server.Requests.IsEmpty)
        {
            await Task.Delay(5);
        }
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Theory]
    [InlineData("http://gpu-a:8000/v1", "http://gpu-a:8000/v1/chat/completions")]
    [InlineData("http://gpu-a:8000/v1/", "http://gpu-a:8000/v1/chat/completions")]
    [InlineData("http://gpu-a:8000", "http://gpu-a:8000/v1/chat/completions")]
    [InlineData("https://host/proxy/openai/v1", "https://host/proxy/openai/v1/chat/completions")]
    public void Request_urls_append_the_route_to_the_api_base(string baseUrl, string expected)
    {
        Assert.Equal(new Uri(expected), OpenAiGenerator.RequestUrl(new Uri(baseUrl), "chat/completions"));
    }

    [Fact]
    public void Invalid_options_are_bad_input_naming_what_is_wrong()
    {
        var noEndpoints = Options() with { Endpoints = [] };
        Assert.Contains("endpoint", Assert.Throws<AlloyInputException>(() => new OpenAiGenerator(noEndpoints)).Message, StringComparison.Ordinal);
        var relative = Options(new Uri("file:///tmp/x"));
        Assert.Contains("http(s)", Assert.Throws<AlloyInputException>(() => new OpenAiGenerator(relative)).Message, StringComparison.Ordinal);
    }
}
