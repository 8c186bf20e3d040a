// `alloy serve`: bad options are exit code 2 before anything listens, and the built alloy.dll run as its own
// process serves the evaluation harness's OpenAI backend on loopback, then stops cleanly on SIGTERM.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Alloy.Inference.Backends;

namespace Alloy.Cli.Tests;

public partial class ServeCommandTests
{
    [Theory]
    [InlineData("--port", "70000", "--port 70000 is invalid")]
    [InlineData("--max-batch", "0", "--max-batch 0 is invalid")]
    [InlineData("--max-queue", "0", "--max-queue 0 is invalid")]
    [InlineData("--host", "example.org", "--host 'example.org' is not an IP address")]
    [InlineData("--drain-seconds", "-1", "--drain-seconds -1 is invalid")]
    public void Serve_refuses_bad_options_with_exit_code_2(string option, string value, string message)
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("m"));
        var result = CliRunner.Run("serve", folder, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_of_a_missing_folder_or_a_busy_port_is_exit_code_2()
    {
        using var temp = new TempFolder();
        var missing = CliRunner.Run("serve", temp.Sub("nothing"), "--port", "0");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such model folder", missing.Stderr, StringComparison.Ordinal);

        var folder = TinyChatModel.Create(temp.Sub("m"));
        var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        try
        {
            var port = ((IPEndPoint)busy.LocalEndpoint).Port;
            var result = CliRunner.Run("serve", folder, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"cannot listen on 127.0.0.1:{port}", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            busy.Stop();
        }
    }

    [Fact]
    public async Task Serve_as_a_separate_process_answers_the_openai_backend_and_stops_on_sigterm()
    {
        using var temp = new TempFolder();
        var folder = TinyChatModel.Create(temp.Sub("tiny"));
        var alloy = Path.Combine(AppContext.BaseDirectory, "alloy.dll");
        Assert.True(File.Exists(alloy), $"the built CLI should be beside the tests: {alloy}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { alloy, "serve", folder, "--port", "0", "--max-batch", "4" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var banner = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(banner is not null, $"alloy serve printed nothing; stderr: {await stderr}");
            var match = BannerPattern().Match(banner);
            Assert.True(match.Success, $"unexpected banner: {banner}");
            Assert.Equal("tiny", match.Groups["model"].Value);
            var url = new Uri(match.Groups["url"].Value);
            Assert.NotEqual(0, url.Port);

            using var client = new OpenAiGenerator(new OpenAiGeneratorOptions
            {
                Endpoints = [new OpenAiEndpoint(url, 4)],
                Model = "tiny",
                MaxAttemptsPerSample = 1,
            });
            using var direct = EmbeddedGenerator.Open(folder);
            var request = new GenerationRequest(GenerationPrompt.User("2+2="), new GenerationSettings(0.8, 0.95, 30, 0.01, 0.2, 16, [], 0, null), 3, 77);
            var viaHttp = await client.GenerateAsync(request, CancellationToken.None);
            var expected = await direct.GenerateAsync(request, CancellationToken.None);
            Assert.Equal(expected.Select(s => (s.Text, s.CompletionTokens, s.FinishReason)), viaHttp.Select(s => (s.Text, s.CompletionTokens, s.FinishReason)));
        }
        finally
        {
            if (!process.HasExited)
                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                    await kill.WaitForExitAsync();
        }
        using (var exited = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
            await process.WaitForExitAsync(exited.Token);
        var log = await stderr;
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("stopped", log, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^Serving (?<model>\S+) on (?<url>http://127\.0\.0\.1:\d+) \(OpenAI-compatible; Ctrl-C to stop\)$")]
    private static partial Regex BannerPattern();
}
