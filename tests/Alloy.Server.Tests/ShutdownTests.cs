// Graceful stop of `alloy serve`: in-flight requests finish within the drain period; past it their engine work is
// cancelled (streams end with finish_reason "abort", whole answers get 503); a client that leaves frees its slot.
// The engine is held mid-generation through the token router's observer, so no test depends on timing.
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Alloy.Server.Tests;

public class ShutdownTests
{
    private const string LongStream = """{"prompt": "abc", "max_tokens": 200, "temperature": 0, "stream": true}""";

    /// <summary>Blocks the engine's worker at its first token until released.</summary>
    private sealed class EngineHold : IDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        public EngineHold(AlloyServer server) => server.Router.Observer = _ =>
        {
            if (Interlocked.Exchange(ref _held, 1) == 0)
            {
                _reached.TrySetResult();
                _release.Wait();
            }
        };

        public Task Reached => _reached.Task;

        public void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            _release.Dispose();
        }
    }

    private static async Task<HttpResponseMessage> StartStream(HttpClient http, string body)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        return await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task Stop_lets_an_in_flight_stream_finish_within_the_drain_period_and_refuses_new_connections()
    {
        await using var served = await ServedModel.StartAsync();
        var whole = (await served.PostAsync("/v1/completions", LongStream.Replace("\"stream\": true", "\"stream\": false", StringComparison.Ordinal))).Json;
        using var hold = new EngineHold(served.Server);
        using var response = await StartStream(served.Http, LongStream);
        await hold.Reached;

        var stopping = served.Server.StopAsync(TimeSpan.FromMinutes(5));
        Assert.True(served.Server.IsStopping);
        using (var fresh = new HttpClient { BaseAddress = served.Server.BaseUrl })
            await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync("/health"));
        hold.Release();

        var events = Sse.Events(await response.Content.ReadAsStringAsync());
        await stopping;
        Assert.Equal("[DONE]", events[^1]);
        var (texts, finish, _) = Sse.Collect(events, chat: false);
        Assert.Equal(whole.GetProperty("choices")[0].GetProperty("text").GetString(), texts[0]);
        Assert.Equal("length", finish[0]);
    }

    [Fact]
    public async Task Stop_cancels_work_still_running_after_the_drain_period()
    {
        await using var served = await ServedModel.StartAsync();
        using var hold = new EngineHold(served.Server);
        using var stream = await StartStream(served.Http, LongStream);
        var whole = served.PostAsync("/v1/chat/completions", """{"messages": [{"role": "user", "content": "q"}], "max_tokens": 200, "temperature": 0}""");
        await hold.Reached;
        while (served.Server.Admission.Count < 2)
            await Task.Delay(10);

        var stopping = served.Server.StopAsync(TimeSpan.FromMilliseconds(100));
        // The drain period passes while the engine is held; only then is the held step let go.
        var abandoned = new TaskCompletionSource();
        using (served.Server.Abandoned.Register(() => abandoned.TrySetResult()))
            await abandoned.Task;
        hold.Release();
        await stopping;

        var events = Sse.Events(await stream.Content.ReadAsStringAsync());
        var (_, finish, _) = Sse.Collect(events, chat: false);
        Assert.Equal("abort", finish[0]);
        Assert.Equal("[DONE]", events[^1]);
        var answer = await whole;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.Contains("shutting down", answer.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_frees_its_slot()
    {
        await using var served = await ServedModel.StartAsync();
        using var hold = new EngineHold(served.Server);
        var response = await StartStream(served.Http, LongStream.Replace("200", "400", StringComparison.Ordinal));
        await hold.Reached;
        Assert.Equal(1, served.Server.Admission.Count);
        response.Dispose();
        hold.Release();
        while (served.Server.Admission.Count > 0)
            await Task.Delay(10);
        var after = await served.PostAsync("/v1/completions", """{"prompt": "a", "max_tokens": 3}""");
        Assert.Equal(HttpStatusCode.OK, after.Status);
    }
}
