// `alloy serve MODEL [--host H] [--port P] [--max-batch N] [...]`: an OpenAI-compatible HTTP server over the embedded
// engine until Ctrl-C / SIGTERM. Parsing, printing and exit codes only; Alloy.Server does the serving.
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Alloy.Server;

namespace Alloy.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string>("MODEL") { Description = "A model folder (config.json, *.safetensors, tokenizer.json, chat template)" };
        var host = new Option<string>("--host") { Description = "IP address to listen on (0.0.0.0: every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port; 0 picks a free one (printed)", DefaultValueFactory = _ => 8000 };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most sequences decoded in one batched step", DefaultValueFactory = _ => 16 };
        var maxQueue = new Option<int>("--max-queue") { Description = "Most requests admitted at once (generating or waiting); more get HTTP 429", DefaultValueFactory = _ => 256 };
        var name = new Option<string?>("--name") { Description = "The model name clients send (default: the folder's name)" };
        var threads = new Option<int?>("--threads") { Description = "Kernel threads (default: every core)" };
        var drain = new Option<double>("--drain-seconds") { Description = "On Ctrl-C / SIGTERM, how long in-flight requests may finish before they are cancelled", DefaultValueFactory = _ => 5.0 };
        var command = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models, /health)")
        {
            model, host, port, maxBatch, maxQueue, name, threads, drain,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var drainSeconds = parse.GetValue(drain);
            if (!double.IsFinite(drainSeconds) || drainSeconds < 0)
                throw new Alloy.Tensors.AlloyInputException($"--drain-seconds {drainSeconds.ToString(CultureInfo.InvariantCulture)} is invalid: use a number of seconds ≥ 0.");
            var options = new AlloyServerOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                MaxBatchSize = parse.GetValue(maxBatch),
                MaxQueue = parse.GetValue(maxQueue),
                ModelName = parse.GetValue(name),
                Threads = parse.GetValue(threads),
                Log = stderr,
            };
            options.Validate();
            AlloyServer server;
            try
            {
                server = await AlloyServer.StartAsync(parse.GetValue(model)!, options, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new Alloy.Tensors.AlloyInputException($"cannot listen on {options.Host}:{options.Port}: {e.Message}; choose another --port (0 picks a free one)");
            }
            await using (server.ConfigureAwait(false))
            {
                var url = server.BaseUrl.GetLeftPart(UriPartial.Authority);
                stdout.WriteLine($"Serving {server.ModelName} on {url} (OpenAI-compatible; Ctrl-C to stop)");
                stdout.Flush();
                // The verb tree is invoked synchronously, which installs no signal handling: serve catches SIGINT,
                // SIGTERM and SIGQUIT itself, so the process lives on through the drain instead of dying at once.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                void OnSignal(PosixSignalContext signal)
                {
                    signal.Cancel = true;
                    stop.Cancel();
                }
                using (PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal))
                using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal))
                using (PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopping: in-flight requests have {drainSeconds:0.###} s to finish"));
                await server.StopAsync(TimeSpan.FromSeconds(drainSeconds)).ConfigureAwait(false);
                stderr.WriteLine("stopped");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
