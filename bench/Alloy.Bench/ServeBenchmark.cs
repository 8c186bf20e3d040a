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
    /// [rounds (default 3): direct then served, alternated] [path of alloy.dll: serve from `dotnet alloy.dll serve` in its
    /// own process (its RSS is then the server's alone, read from /proc/PID/status) instead of in this process].
    /// Even-numbered clients stream (SSE, usage in the last chunk), odd ones ask for whole answers.
    /// </summary>
    public static int Run(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
        var maxTokens = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
        var maxBatch = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 64;
        var rounds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
        var alloyDll = args.Length > 5 ? Path.GetFullPath(args[5]) : null;
        if (alloyDll is not null && !File.Exists(alloyDll))
        {
            Console.Error.WriteLine($"{alloyDll}: no such file; give the built alloy.dll (src/Alloy.Cli/bin/Release/net10.0/alloy.dll)");
            return 2;
        }
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("tiny"));
        Console.WriteLine($"serve benchmark: tiny fixture qwen3-tied-f32 (2 layers, hidden 32), {clients} clients, {seconds:0.#} s per phase, {rounds} rounds, max_tokens {maxTokens}, max batch {maxBatch}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");

        var settings = new GenerationSettings(0.8, 0.95, 40, 0.0, 0.0, maxTokens, [], 0, null);
        // Warm-up of both paths (JIT, thread pool growth, connection pool), not counted.
        DirectPhase(folder, settings, clients, maxBatch, 2);
        ServedPhase(folder, clients, maxTokens, maxBatch, 2, alloyDll).GetAwaiter().GetResult();
        // Alternate the two phases so load from other processes on a shared machine falls on both alike.
        var ratios = new List<double>();
        long totalErrors = 0;
        for (var round = 1; round <= rounds; round++)
        {
            var direct = DirectPhase(folder, settings, clients, maxBatch, seconds);
            var directRate = direct.Tokens / direct.Seconds;
            Console.WriteLine($"round {round} direct engine: {direct.Requests} requests, {direct.Tokens} tokens in {direct.Seconds:F1} s = {directRate:F0} tok/s, {direct.Requests / direct.Seconds:F1} req/s");
            var served = ServedPhase(folder, clients, maxTokens, maxBatch, seconds, alloyDll).GetAwaiter().GetResult();
            var rate = served.Tokens / served.Seconds;
            totalErrors += served.Errors;
            ratios.Add(rate / directRate);
            Console.WriteLine($"round {round} alloy serve:   {served.Requests} requests, {served.Tokens} tokens in {served.Seconds:F1} s = {rate:F0} tok/s, {served.Requests / served.Seconds:F1} req/s, errors {served.Errors}");
            Console.WriteLine($"round {round} latency per request: median {served.MedianMs:F0} ms, p99 {served.P99Ms:F0} ms");
            Console.WriteLine($"round {round} RSS: before serving {served.RssStartMb:F0} MB, peak {served.RssPeakMb:F0} MB, last quarter mean {served.RssTailMb:F0} MB, when the load ended {served.RssEndMb:F0} MB {(alloyDll is null ? "(server and clients share this process)" : "(the alloy serve process alone)")}");
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

    private static async Task<Phase> ServedPhase(string folder, int clients, int maxTokens, int maxBatch, double seconds, string? alloyDll)
    {
        GC.Collect();
        await using var server = alloyDll is null
            ? await InProcess.StartAsync(folder, maxBatch, clients).ConfigureAwait(false)
            : await ChildProcess.StartAsync(alloyDll, folder, maxBatch, clients).ConfigureAwait(false);
        var rssStart = server.RssMb();
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
                    rss.Add((clock.Elapsed.TotalSeconds, server.RssMb()));
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
        GC.Collect();
        var rssEnd = server.RssMb();
        await server.StopAsync().ConfigureAwait(false);
        var sorted = latencies.Order().ToArray();
        var tail = rss.Where(r => r.At >= elapsed * 0.75).Select(r => r.Mb).DefaultIfEmpty(0).Average();
        return new Phase(requests, tokens, elapsed, errors,
            sorted.Length > 0 ? sorted[sorted.Length / 2] : 0, sorted.Length > 0 ? sorted[(int)(sorted.Length * 0.99)] : 0,
            rssStart, rss.Max(r => r.Mb), tail, rssEnd);
    }

    /// <summary>A running server under test: its URL, its RSS, and how to stop it.</summary>
    private interface IServed : IAsyncDisposable
    {
        Uri BaseUrl { get; }

        double RssMb();

        Task StopAsync();
    }

    private sealed class InProcess(AlloyServer server) : IServed
    {
        public Uri BaseUrl => server.BaseUrl;

        public static async Task<IServed> StartAsync(string folder, int maxBatch, int clients) =>
            new InProcess(await AlloyServer.StartAsync(folder, new AlloyServerOptions { Port = 0, MaxBatchSize = maxBatch, MaxQueue = Math.Max(256, clients) }).ConfigureAwait(false));

        public double RssMb() => ServeBenchmark.RssMb("/proc/self/status");

        public Task StopAsync() => server.StopAsync(TimeSpan.FromSeconds(5));

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    /// <summary>`dotnet alloy.dll serve FOLDER --port 0`, its banner parsed for the URL; stopped with SIGTERM (exit 0 expected).</summary>
    private sealed class ChildProcess(Process process, Uri url) : IServed
    {
        public Uri BaseUrl => url;

        public static async Task<IServed> StartAsync(string alloyDll, string folder, int maxBatch, int clients)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { alloyDll, "serve", folder, "--port", "0", "--name", "tiny", "--max-batch", maxBatch.ToString(CultureInfo.InvariantCulture), "--max-queue", Math.Max(256, clients).ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(arg);
            var process = new Process { StartInfo = start };
            var banner = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, line) => banner.TrySetResult(line.Data);
            process.ErrorDataReceived += (_, line) => { if (line.Data is { Length: > 0 } text && text != "stopped" && !text.StartsWith("stopping", StringComparison.Ordinal)) Console.Error.WriteLine($"alloy serve: {text}"); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var line = await banner.Task.WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false)
                ?? throw new InvalidOperationException("alloy serve exited before printing its banner");
            var at = line.IndexOf("http://", StringComparison.Ordinal);
            return new ChildProcess(process, new Uri(line[at..line.IndexOf(' ', at)]));
        }

        public double RssMb() => ServeBenchmark.RssMb($"/proc/{process.Id}/status");

        public async Task StopAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"alloy serve exited with {process.ExitCode} after SIGTERM");
        }

        public ValueTask DisposeAsync()
        {
            if (!process.HasExited)
                process.Kill();
            process.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Resident set size in MB (VmRSS) from a /proc/PID/status file.</summary>
    private static double RssMb(string statusFile)
    {
        foreach (var line in File.ReadLines(statusFile))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
