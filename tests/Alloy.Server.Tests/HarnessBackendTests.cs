// The evaluation harness's HTTP backend (OpenAiGenerator) against `alloy serve` in process: its samples must equal
// the embedded engine's own for the same prompt, settings and seeds, for chat and raw prompts, alone or concurrent.
using Alloy.Inference.Backends;

namespace Alloy.Server.Tests;

public class HarnessBackendTests
{
    private static GenerationSettings Sampled(int maxTokens, params string[] stop) =>
        new(0.9, 0.95, 20, 0.02, 0.3, maxTokens, stop, 7, null);

    [Fact]
    public async Task OpenAi_backend_through_the_server_gives_the_engines_samples_for_chat_prompts()
    {
        await using var served = await ServedModel.StartAsync();
        using var direct = EmbeddedGenerator.Open(served.Folder);
        using var client = served.Client();
        var request = new GenerationRequest(
            GenerationPrompt.Chat([new ChatMessage("system", "be brief"), new ChatMessage("user", "what is 2+2?")]),
            Sampled(24), 4, 1234);

        var viaHttp = await client.GenerateAsync(request, CancellationToken.None);
        var expected = await direct.GenerateAsync(request, CancellationToken.None);

        Assert.Equal(4, viaHttp.Count);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i].Text, viaHttp[i].Text);
            Assert.Equal(expected[i].CompletionTokens, viaHttp[i].CompletionTokens);
            Assert.Equal(expected[i].FinishReason, viaHttp[i].FinishReason);
            Assert.Equal(expected[i].PromptTokens, viaHttp[i].PromptTokens);
            Assert.Equal(1234 + i, viaHttp[i].Seed);
        }
        Assert.True(viaHttp.Select(s => s.Text).Distinct().Count() > 1, "seeds 1234..1237 at temperature 0.9 should not all give one text");
    }

    [Fact]
    public async Task OpenAi_backend_through_the_server_gives_the_engines_samples_for_raw_prompts_with_stops_and_thinking_off()
    {
        await using var served = await ServedModel.StartAsync();
        using var direct = EmbeddedGenerator.Open(served.Folder);
        using var client = served.Client();
        // Greedy text of the prompt, so a stop string can be chosen that really fires mid-way.
        var greedy = (await direct.GenerateAsync(new GenerationRequest(GenerationPrompt.Raw("abc"),
            new GenerationSettings(0, 1, 0, 0, 0, 30, [], 0, null), 1, 0), CancellationToken.None))[0].Text;
        var stop = greedy.Substring(10, 2);
        var raw = new GenerationRequest(GenerationPrompt.Raw("abc"), new GenerationSettings(0, 1, 0, 0, 0, 30, [stop], 0, null), 1, 5);
        var chat = new GenerationRequest(GenerationPrompt.User("hello"), new GenerationSettings(0.7, 1, 0, 0, 0, 16, [], 0, false), 2, 99);

        foreach (var request in new[] { raw, chat })
        {
            var viaHttp = await client.GenerateAsync(request, CancellationToken.None);
            var expected = await direct.GenerateAsync(request, CancellationToken.None);
            Assert.Equal(expected.Select(s => (s.Text, s.CompletionTokens, s.FinishReason, s.PromptTokens)),
                viaHttp.Select(s => (s.Text, s.CompletionTokens, s.FinishReason, s.PromptTokens)));
        }
        var stopped = (await client.GenerateAsync(raw, CancellationToken.None))[0];
        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
        Assert.DoesNotContain(stop, stopped.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_requests_share_the_engine_and_each_equals_its_own_direct_generation()
    {
        await using var served = await ServedModel.StartAsync(maxBatch: 8);
        using var direct = EmbeddedGenerator.Open(served.Folder);
        using var client = new OpenAiGenerator(new OpenAiGeneratorOptions
        {
            Endpoints = [new OpenAiEndpoint(new Uri(served.Server.BaseUrl, "/v1"), 32)],
            Model = served.Server.ModelName,
            MaxAttemptsPerSample = 1,
        });
        var requests = Enumerable.Range(0, 24).Select(i => new GenerationRequest(
            GenerationPrompt.User($"question {i}"), Sampled(8 + (i % 5) * 6), 2, 100 * i)).ToArray();

        var viaHttp = await Task.WhenAll(requests.Select(r => client.GenerateAsync(r, CancellationToken.None)));

        for (var i = 0; i < requests.Length; i++)
        {
            var expected = await direct.GenerateAsync(requests[i], CancellationToken.None);
            Assert.Equal(expected.Select(s => (s.Text, s.CompletionTokens, s.FinishReason)), viaHttp[i].Select(s => (s.Text, s.CompletionTokens, s.FinishReason)));
        }
        Assert.Equal(0, served.Server.Admission.Count);
    }
}
