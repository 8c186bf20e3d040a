// Bad requests to `alloy serve` get HTTP 400 with an OpenAI-style error object whose message says what is wrong
// (and `param` names the field where there is one); a full server answers 429 with Retry-After.
using System.Net;

namespace Alloy.Server.Tests;

public class ValidationTests
{
    public static TheoryData<string, string, string?, string> BadChatBodies => new()
    {
        { "{\"messages\": [", "not valid JSON", null, "bad JSON" },
        { "[1, 2]", "must be a JSON object", null, "not an object" },
        { "{\"model\": \"gpt-4\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "'gpt-4' does not exist", "model", "unknown model" },
        { "{\"max_tokens\": 5}", "no 'messages'", "messages", "no messages" },
        { "{\"messages\": []}", "non-empty array", "messages", "empty messages" },
        { "{\"messages\": [{\"content\": \"hi\"}]}", "messages[0].role is missing", "messages[0].role", "no role" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", "messages[0].content must be a string", "messages[0].content", "numeric content" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": -1}", "temperature = -1 is invalid", null, "negative temperature" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": \"hot\"}", "'temperature' must be a number", "temperature", "string temperature" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"top_p\": 0}", "top_p = 0 is invalid", null, "top_p 0" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"top_k\": -5}", "top_k = -5 is invalid", "top_k", "top_k -5" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"min_p\": 1.5}", "min_p = 1.5 is invalid", null, "min_p 1.5" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"presence_penalty\": 3}", "presence_penalty = 3 is invalid", null, "presence 3" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 0}", "max_tokens = 0 is invalid", null, "max_tokens 0" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 0}", "n = 0 is invalid", "n", "n 0" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"seed\": 1.5}", "'seed' must be an integer", "seed", "fractional seed" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": [1]}", "'stop' must be a string or an array of strings", "stop", "numeric stop" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": [\"\"]}", "stop[0] is empty", null, "empty stop" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stream\": \"yes\"}", "'stream' must be true or false", "stream", "string stream" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"logprobs\": true}", "logprobs are not supported", "logprobs", "logprobs" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"frequency_penalty\": 0.5}", "frequency_penalty = 0.5 is not supported", "frequency_penalty", "frequency penalty" },
        { "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"chat_template_kwargs\": {\"enable_thinking\": \"no\"}}", "'chat_template_kwargs.enable_thinking' must be true or false", "chat_template_kwargs.enable_thinking", "string enable_thinking" },
    };

    [Theory]
    [MemberData(nameof(BadChatBodies))]
    public async Task Bad_chat_requests_get_400_with_an_openai_error(string body, string message, string? param, string what)
    {
        await using var served = await ServedModel.StartAsync();
        var answer = await served.PostAsync("/v1/chat/completions", body);
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{what}: HTTP {answer.Status} {answer.Body}");
        var error = answer.Json.GetProperty("error");
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.Equal(0, served.Server.Admission.Count);
    }

    [Theory]
    [InlineData("{\"max_tokens\": 5}", "no 'prompt'")]
    [InlineData("{\"prompt\": \"\"}", "'prompt' is empty")]
    [InlineData("{\"prompt\": [1, 2, 3]}", "token-id prompts")]
    [InlineData("{\"prompt\": \"a\", \"echo\": true}", "echo is not supported")]
    public async Task Bad_completion_requests_get_400(string body, string message)
    {
        await using var served = await ServedModel.StartAsync();
        var answer = await served.PostAsync("/v1/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(message, answer.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_prompt_that_fills_the_context_gets_400_streamed_or_not(bool stream)
    {
        await using var served = await ServedModel.StartAsync();
        var prompt = new string('a', 600);
        var answer = await served.PostAsync("/v1/completions", $"{{\"prompt\": \"{prompt}\", \"max_tokens\": 4, \"stream\": {(stream ? "true" : "false")}}}");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("the prompt has 600 tokens but the model's context (max_position_embeddings) is 512", answer.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_server_answers_429_with_retry_after_and_serves_again_once_a_slot_frees()
    {
        await using var served = await ServedModel.StartAsync(maxQueue: 2);
        var held = new[] { served.Server.Admission.TryEnter(), served.Server.Admission.TryEnter() };
        Assert.All(held, Assert.NotNull);
        const string body = "{\"prompt\": \"a\", \"max_tokens\": 2}";

        var refused = await served.PostAsync("/v1/completions", body);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("rate_limit_error", refused.Json.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("--max-queue 2", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Message.Headers.RetryAfter!.Delta);

        held[0]!.Dispose();
        var served1 = await served.PostAsync("/v1/completions", body);
        Assert.Equal(HttpStatusCode.OK, served1.Status);
        held[1]!.Dispose();
        Assert.Equal(0, served.Server.Admission.Count);
    }
}
