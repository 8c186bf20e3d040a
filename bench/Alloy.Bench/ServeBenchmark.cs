// Macro benchmark `serve` (after a 2 s warm-up of each path): a load run of `alloy serve` (Alloy.Server on loopback) on the tiny committed fixture model —
// N concurrent HTTP clients for a fixed time — against the engine's direct throughput with the same N concurrent
// callers, measured first in the same run. Reports errors, requests, tokens/s, the ratio, and process RSS.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Alloy.Inference.Backends;
using Alloy.Server;
using Alloy.Testing;

namespace Alloy.Bench;

internal static class ServeBenchmark
{
    /// <summary>
    /// args: [seconds per phase (default 20)] [clients (default 64)] [max_tokens (default 64)] [max batch (default 64)]
    /// [rounds (default 3): direct then served, alternated].
    /// Even-numbered clients stream (SSE, usage in the last chunk), odd ones ask for whole answers.
    /// </summary>
    public static int Run(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
        var maxTokens = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
        var maxBatch = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 64;
        var rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("tiny"));
        Console.WriteLine($"serve benchmark: tiny fixture qwen3-tied-f32 (2 layers, hidden 32), {clients} clients, {seconds:0.#} s per phase, {rounds} rounds, max_tokens {maxTokens}, max batch {maxBatch}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");

        var settings = new GenerationSettings(0.8, 0.95, 40, 0.0, 0.0, maxTokens, [], 0, null);
        // Warm-up of both paths (JIT, thread pool growth, connection pool), not counted.
        DirectPhase(folder, settings, clients, maxBatch, 2);
        ServedPhase(folder, clients, maxTokens, maxBatch, 2).GetAwaiter().GetResult();
        // Alternate the two phases so load from other processes on a shared machine falls on both alike.
        var ratios = new List<double>();
        long totalErrors = 0;
        for (var round = 1; round <= rounds; round++)
        {
            var direct = DirectPhase(folder, settings, clients, maxBatch, seconds);
            var directRate = direct.Tokens / direct.Seconds;
            Console.WriteLine($"round {round} direct engine: {direct.Requests} requests, {direct.Tokens} tokens in {direct.Seconds:F1} s = {directRate:F0} tok/s, {direct.Requests / direct.Seconds:F1} req/s");
            var served = ServedPhase(folder, clients, maxTokens, maxBatch, seconds).GetAwaiter().GetResult();
            var rate = served.Tokens / served.Seconds;
            totalErrors += served.Errors;
            ratios.Add(rate / directRate);
            Console.WriteLine($"round {round} alloy serve:   {served.Requests} requests, {served.Tokens} tokens in {served.Seconds:F1} s = {rate:F0} tok/s, {served.Requests / served.Seconds:F1} req/s, errors {served.Errors}");
            Console.WriteLine($"round {round} latency per request: median {served.MedianMs:F0} ms, p99 {served.P99Ms:F0} ms");
            Console.WriteLine($"round {round} RSS: before serving {served.RssStartMb:F0} MB, peak {served.RssPeakMb:F0} MB, last quarter mean {served.RssTailMb:F0} MB, after stop {served.RssEndMb:F0} MB (server and clients share this process)");
            Console.WriteLine($"round {round} ratio served / direct tok/s: {rate / directRate:F3}");
        }
        Console.WriteLine($"median ratio served / direct over {rounds} rounds: {ratios.Order().ElementAt(ratios.Count / 2):F3}; errors {totalErrors}");
        return totalErrors == 0 ? 0 : 1;
    }

    private sealed record Phase(long Requests, long Tokens, double Seconds, long Errors = 0, double MedianMs = 0, double P99Ms = 0,
        double RssStartMb = 0, double RssPeakMb = 0, double RssTailMb = 0, double RssEndMb = 0);

    private static Phase DirectPhase(string folder, GenerationSettings settings, int clients, int maxBatch, double seconds)
    {
        using var generator = EmbeddedGenerator.Open(folder, new EmbeddedGeneratorOptions { MaxBatchSize = maxBatch });
        long requests = 0, tokens = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var i = 0; clock.Elapsed.TotalSeconds < seconds; i++)
            {
                var request = new GenerationRequest(GenerationPrompt.User($"client {c} question {i}"), settings, 1, (c * 100_000) + i);
                var samples = await generator.GenerateAsync(request, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref requests);
                Interlocked.Add(ref tokens, samples.Sum(s => s.CompletionTokens));
            }
        })).ToArray();
        Task.WaitAll(workers);
        return new Phase(requests, tokens, clock.Elapsed.TotalSeconds);
    }

    private static async Task<Phase> ServedPhase(string folder, int clients, int maxTokens, int maxBatch, double seconds)
    {
        GC.Collect();
        var rssStart = RssMb();
        var server = await AlloyServer.StartAsync(folder, new AlloyServerOptions { Port = 0, MaxBatchSize = maxBatch, MaxQueue = Math.Max(256, clients) }).ConfigureAwait(false);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };
        long requests = 0, tokens = 0, errors = 0;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var rss = new List<(double At, double Mb)>();
        var clock = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                lock (rss)
                    rss.Add((clock.Elapsed.TotalSeconds, RssMb()));
                try { await Task.Delay(250, sampling.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
        });
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var stream = c % 2 == 0;
            for (var i = 0; clock.Elapsed.TotalSeconds < seconds; i++)
            {
                var body = $$"""
                    {"model": "tiny", "messages": [{"role": "user", "content": "client {{c}} question {{i}}"}], "max_tokens": {{maxTokens}},
                     "temperature": 0.8, "top_p": 0.95, "top_k": 40, "seed": {{(c * 100_000) + i}}, "stream": {{(stream ? "true" : "false")}},
                     "stream_options": {"include_usage": true} }
                    """;
                var started = clock.Elapsed.TotalMilliseconds;
                try
                {
                    using var content = new StringContent(body, Encoding.UTF8);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await http.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content).ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                    var usageJson = stream ? text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^2]["data: ".Length..] : text;
                    var completion = JsonDocument.Parse(usageJson).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
                    if (stream && !text.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                    Interlocked.Increment(ref requests);
                    Interlocked.Add(ref tokens, completion);
                    latencies.Add(clock.Elapsed.TotalMilliseconds - started);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or JsonException or KeyNotFoundException or IndexOutOfRangeException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        await server.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await server.DisposeAsync().ConfigureAwait(false);
        GC.Collect();
        var sorted = latencies.Order().ToArray();
        var tail = rss.Where(r => r.At >= elapsed * 0.75).Select(r => r.Mb).DefaultIfEmpty(0).Average();
        return new Phase(requests, tokens, elapsed, errors,
            sorted.Length > 0 ? sorted[sorted.Length / 2] : 0, sorted.Length > 0 ? sorted[(int)(sorted.Length * 0.99)] : 0,
            rssStart, rss.Max(r => r.Mb), tail, RssMb());
    }

    /// <summary>Resident set size of this process in MB (VmRSS from /proc/self/status).</summary>
    private static double RssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
