// Continuous batching through the server: a request that arrives while another is generating joins the running
// engine steps (their tokens interleave) instead of waiting for it to finish, and both answers stay exact.
using System.Collections.Concurrent;
using System.Net;
using Alloy.Inference.Backends;

namespace Alloy.Server.Tests;

public class BatchingTests
{
    [Fact]
    public async Task A_request_arriving_mid_generation_joins_the_running_batch()
    {
        await using var served = await ServedModel.StartAsync();
        var order = new ConcurrentQueue<GenerationRequest>();
        using var release = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        served.Server.Router.Observer = token =>
        {
            order.Enqueue(token.Request);
            if (Interlocked.Exchange(ref first, 1) == 0)
            {
                reached.TrySetResult();
                release.Wait();
            }
        };
        const string body = """{"prompt": "PROMPT", "max_tokens": 40, "temperature": 0, "stop": []}""";
        var a = served.PostAsync("/v1/completions", body.Replace("PROMPT", "first", StringComparison.Ordinal));
        await reached.Task;
        var b = served.PostAsync("/v1/completions", body.Replace("PROMPT", "second", StringComparison.Ordinal));
        // B is in the engine's queue while A is held at its first token.
        while (served.Server.Endpoints.Submitted < 2)
            await Task.Delay(10);
        release.Set();
        var answers = await Task.WhenAll(a, b);
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.Status));

        var requests = order.ToArray();
        var ids = requests.Distinct(ReferenceEqualityComparer.Instance).ToArray();
        Assert.Equal(2, ids.Length);
        var firstOfB = Array.FindIndex(requests, r => ReferenceEquals(r, ids[1]));
        var lastOfA = Array.FindLastIndex(requests, r => ReferenceEquals(r, ids[0]));
        Assert.True(firstOfB < lastOfA, $"the second request's first token (#{firstOfB}) should come before the first request's last (#{lastOfA})");

        using var direct = EmbeddedGenerator.Open(served.Folder);
        foreach (var (answer, prompt) in answers.Zip(new[] { "first", "second" }))
        {
            var expected = await direct.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw(prompt), new GenerationSettings(0, 1, 0, 0, 0, 40, [], 0, null), 1, 0), CancellationToken.None);
            Assert.Equal(expected[0].Text, answer.Json.GetProperty("choices")[0].GetProperty("text").GetString());
        }
    }
}
