// Starts one OpenAI-compatible server for one model folder from the sweep's `serve:` command template, waits until it
// answers /health, learns the served model id from /v1/models, and stops it (the whole process tree) afterwards. It
// sends no generation requests (the evaluation harness does).
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Analysis.Sweep;

/// <summary>A server process started from a command template with <c>{model}</c> and <c>{port}</c> on 127.0.0.1.</summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();

    private ServeProcess(Process process, StreamWriter log, int port, string command)
    {
        _process = process;
        _log = log;
        Port = port;
        Command = command;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The command line it was started with.</summary>
    public string Command { get; }

    /// <summary>The API base URL, <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/v1");

    /// <summary>The id the server reports in /v1/models (the <c>model</c> field requests must carry).</summary>
    public string ModelId { get; private set; } = "";

    /// <summary>
    /// Picks a free loopback port, substitutes <c>{model}</c> (the folder, single-quoted for the shell) and <c>{port}</c>
    /// in <paramref name="template"/>, runs it with <c>/bin/sh -c</c> (<c>cmd /c</c> on Windows) with stdout and stderr
    /// appended to <paramref name="logPath"/>, and waits up to <paramref name="startTimeout"/> for <c>GET /health</c> to
    /// answer 200; then reads the model id from <c>GET /v1/models</c> (the first entry; the folder path when the list is
    /// empty or unreadable).
    /// </summary>
    /// <exception cref="AlloyInputException">The process exits before it is healthy, or the timeout passes; the message
    /// names the command and the log file and quotes the log's last lines. The process is stopped in both cases.</exception>
    public static async Task<ServeProcess> StartAsync(string template, string modelFolder, string logPath, TimeSpan startTimeout, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(modelFolder);
        int port = FreePort();
        string command = template
            .Replace("{model}", Quote(modelFolder), StringComparison.Ordinal)
            .Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        log.WriteLine($"# {DateTimeOffset.UtcNow:O} starting: {command}");
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } };
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        var served = new ServeProcess(process, log, port, command);
        process.OutputDataReceived += (_, e) => served.Append(e.Data);
        process.ErrorDataReceived += (_, e) => served.Append(e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await served.WaitHealthyAsync(logPath, startTimeout, cancellation).ConfigureAwait(false);
            return served;
        }
        catch
        {
            await served.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WaitHealthyAsync(string logPath, TimeSpan timeout, CancellationToken cancellation)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        var health = new Uri($"http://127.0.0.1:{Port}/health");
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            if (_process.HasExited)
                throw new AlloyInputException($"the serve command exited with code {_process.ExitCode} before answering /health: {Command}; its log {logPath} ends with:\n{Tail(logPath)}");
            if (clock.Elapsed > timeout)
                throw new AlloyInputException($"the serve command did not answer {health} within {timeout.TotalSeconds:0} s: {Command}; its log {logPath} ends with:\n{Tail(logPath)}");
            try
            {
                using var response = await http.GetAsync(health, cancellation).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                    break;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
            {
                // A slow answer; try again.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellation).ConfigureAwait(false);
        }
        ModelId = await ReadModelIdAsync(http, cancellation).ConfigureAwait(false) ?? "";
    }

    private async Task<string?> ReadModelIdAsync(HttpClient http, CancellationToken cancellation)
    {
        try
        {
            var body = await http.GetStringAsync(new Uri(BaseUrl + "/models"), cancellation).ConfigureAwait(false);
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0
                && data[0].TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                return id.GetString();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
        {
            Append($"# /v1/models unreadable ({e.Message}); requests will name the model folder");
        }
        return null;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_logGate)
            _log.WriteLine(line);
    }

    /// <summary>Stops the process tree (kill; a server's graceful shutdown is not awaited) and closes the log.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        finally
        {
            lock (_logGate)
            {
                _log.WriteLine($"# {DateTimeOffset.UtcNow:O} stopped");
                _log.Dispose();
            }
            _process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Quote(string path) =>
        OperatingSystem.IsWindows() ? "\"" + path + "\"" : "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Tail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n');
            return string.Join("\n", lines.TakeLast(15));
        }
        catch (IOException)
        {
            return "(log unreadable)";
        }
    }
}
