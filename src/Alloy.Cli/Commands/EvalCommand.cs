// `alloy eval MODEL --bench NAME|FILE -o RUNDIR [...]`: evaluates one model on one benchmark with the embedded engine or
// OpenAI-compatible endpoints, resumably. Parsing, progress and printing only; the loop is Evaluation's Evaluator.
using System.CommandLine;
using System.Globalization;
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Running;
using Alloy.Inference.Backends;
using Alloy.Inference.Sampling;
using Alloy.Tensors;
using Spectre.Console;

namespace Alloy.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string>("MODEL") { Description = "A model folder (embedded), or the served model name / folder (openai)" };
        var bench = new Option<string>("--bench") { Description = "A benchmark name (aime24, aime25, hmmt25, math500, gsm8k, gpqa-diamond, ifeval) or a JSONL file", Required = true };
        var grader = new Option<string?>("--grader") { Description = "math | number | choice | ifeval (default: the benchmark's)" };
        var samples = new Option<int>("--samples") { Description = "Samples per problem (k)", DefaultValueFactory = _ => 1 };
        var maxTokens = new Option<int?>("--max-tokens") { Description = $"Cap on generated tokens per sample, thinking included (default {GenerationPresets.DefaultMaxTokens})" };
        var preset = new Option<string?>("--preset") { Description = "qwen3-thinking (0.6/0.95/20) | qwen3-instruct (0.7/0.8/20) | greedy (default: the model's generation_config.json, else greedy)" };
        var temperature = new Option<double?>("--temperature") { Description = "Overrides the preset's temperature (0 = greedy)" };
        var topP = new Option<double?>("--top-p") { Description = "Overrides the preset's top-p" };
        var topK = new Option<int?>("--top-k") { Description = "Overrides the preset's top-k (0 = off)" };
        var minP = new Option<double?>("--min-p") { Description = "Overrides the preset's min-p" };
        var presence = new Option<double?>("--presence-penalty") { Description = "Presence penalty in [-2, 2] (default 0)" };
        var seed = new Option<long>("--seed") { Description = "Sample i of every problem is drawn with seed + i", DefaultValueFactory = _ => 0 };
        var noThink = new Option<bool>("--no-think") { Description = "Render prompts with enable_thinking=false (hybrid templates)" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N problems" };
        var backend = new Option<string>("--backend") { Description = "embedded (Alloy's engine) | openai (OpenAI-compatible endpoints)", DefaultValueFactory = _ => "embedded" };
        var endpoint = new Option<string[]>("--endpoint") { Description = "OpenAI-compatible base URL, e.g. http://gpu-a:8000/v1 (repeat for data parallelism)", AllowMultipleArgumentsPerToken = false };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight per endpoint (openai) or sequences per batch (embedded)", DefaultValueFactory = _ => 16 };
        var threads = new Option<int?>("--threads") { Description = "Compute threads of the embedded engine (default: all cores)" };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer token for the endpoints (default: $OPENAI_API_KEY)" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "openai: a model folder whose tokenizer counts the thinking/answer split (default: MODEL when it is a folder)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder of the benchmark data files (default ~/.cache/alloy/datasets)" };
        var output = new Option<string>("-o", "--output") { Description = "Run folder: run.sqlite (resumable), samples.jsonl, metrics.json", Required = true };
        var command = new Command("eval", "Evaluate one model on one benchmark (resumable: rerun the same command to continue)")
        {
            model, bench, grader, samples, maxTokens, preset, temperature, topP, topK, minP, presence, seed, noThink, limit,
            backend, endpoint, concurrency, threads, apiKey, tokenizer, dataDir, output,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var modelName = parse.GetValue(model)!;
            var benchName = parse.GetValue(bench)!;
            var benchmark = BenchmarkLoader.Load(benchName, parse.GetValue(dataDir) ?? BenchmarkLoader.DefaultDataDirectory(), BenchmarkLoader.ParseGrader(parse.GetValue(grader), "--grader"));
            if (parse.GetValue(limit) is < 1)
                throw new AlloyInputException($"--limit {parse.GetValue(limit)} is invalid: use at least 1");
            var perEndpoint = parse.GetValue(concurrency);
            if (perEndpoint < 1)
                throw new AlloyInputException($"--concurrency {perEndpoint} is invalid: use at least 1");
            var overrides = new GenerationOverrides(parse.GetValue(temperature), parse.GetValue(topP), parse.GetValue(topK), parse.GetValue(minP),
                parse.GetValue(presence), parse.GetValue(maxTokens), parse.GetValue(seed), parse.GetValue(noThink) ? false : null);

            IGenerator generator;
            IDisposable lifetime;
            Func<string, int>? count;
            string templateHash;
            GenerationDefaults defaults;
            int inFlight, perRequest;
            string backendName = parse.GetValue(backend)!;
            switch (backendName)
            {
                case "embedded":
                    if (parse.GetValue(endpoint) is { Length: > 0 })
                        throw new AlloyInputException("--endpoint needs --backend openai; the embedded backend runs the model in this process");
                    var embedded = EmbeddedGenerator.Open(ModelArgument.Resolve(modelName, stderr), new EmbeddedGeneratorOptions { MaxBatchSize = perEndpoint, Threads = parse.GetValue(threads) });
                    (generator, lifetime, count, defaults) = (embedded, embedded, embedded.CountTokens, embedded.Defaults);
                    templateHash = ServedModelFiles.HashTemplate(embedded.ChatTemplateSource);
                    (inFlight, perRequest) = (perEndpoint, 4);
                    break;
                case "openai":
                    var urls = parse.GetValue(endpoint) ?? [];
                    if (urls.Length == 0)
                        throw new AlloyInputException("--backend openai needs at least one --endpoint URL, e.g. --endpoint http://127.0.0.1:8000/v1");
                    var endpoints = urls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                        ? new OpenAiEndpoint(uri, perEndpoint)
                        : throw new AlloyInputException($"--endpoint '{u}' is not an http(s) URL; expected e.g. http://gpu-a:8000/v1")).ToArray();
                    var folder = parse.GetValue(tokenizer) is { } t ? ModelArgument.Resolve(t, stderr) : Directory.Exists(modelName) ? modelName : null;
                    var served = ServedModelFiles.Read(folder);
                    (count, templateHash, defaults) = (served.CountTokens, served.TemplateHash, served.Defaults);
                    var openAi = new OpenAiGenerator(new OpenAiGeneratorOptions
                    {
                        Endpoints = endpoints,
                        Model = modelName,
                        ApiKey = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
                        CountTokens = count,
                    });
                    (generator, lifetime) = (openAi, openAi);
                    (inFlight, perRequest) = (perEndpoint * endpoints.Length, 1);
                    break;
                default:
                    throw new AlloyInputException($"--backend '{backendName}' is not one of embedded, openai");
            }
            using (lifetime)
            {
                var chosen = parse.GetValue(preset) is { } name ? GenerationPresets.Get(name) : GenerationPresets.FromModel(defaults);
                var settings = GenerationPresets.Resolve(chosen, overrides);
                var job = new EvaluationJob(modelName, benchName, benchmark, parse.GetValue(samples), settings, templateHash)
                {
                    Limit = parse.GetValue(limit),
                    MaxConcurrentRequests = inFlight,
                    SamplesPerRequest = perRequest,
                    CountTokens = count,
                    Backend = backendName,
                };
                var runDirectory = Path.GetFullPath(parse.GetValue(output)!);
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"eval: {modelName} on {benchmark.Name}: {job.SelectedProblems().Count} problems × {job.Samples} samples, T {settings.Temperature} top-p {settings.TopP} top-k {settings.TopK} min-p {settings.MinP}, max {settings.MaxTokens} tokens, seed {settings.Seed}; run folder {runDirectory}"));
                var outcome = await RunWithProgress(stderr, job, generator, runDirectory, cancellation).ConfigureAwait(false);
                var m = outcome.Report.Metrics;
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{benchmark.Name}: Mean@{m.Samples} {100 * m.MeanAtK.Mean:0.00} [{100 * m.MeanAtK.IntervalLow:0.00}, {100 * m.MeanAtK.IntervalHigh:0.00}], Pass@{m.Samples} {100 * m.PassAtK:0.00}, mean tokens {m.Tokens?.Mean:0.0} (think {m.MeanThinkTokens:0.0}, answer {m.MeanAnswerTokens:0.0}), Think#R {100 * m.ThinkRatio:0.0}%, truncated {100 * m.TruncatedRatio:0.0}%"));
                foreach (var level in m.Levels)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  level {level.Level}: Mean@{m.Samples} {100 * level.Mean:0.00} over {level.Problems} problems"));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{outcome.Generated} samples generated ({outcome.GeneratedTokens} tokens, {outcome.GeneratedTokens / Math.Max(outcome.Elapsed.TotalSeconds, 1e-9):0.0} tok/s), {outcome.Reused} reused; wrote {outcome.MetricsPath} and {outcome.SamplesPath}"));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    // A samples bar with tokens/s and ETA when stderr is a terminal; a plain line every 10% otherwise.
    private static async Task<EvaluationOutcome> RunWithProgress(TextWriter stderr, EvaluationJob job, IGenerator generator, string runDirectory, CancellationToken cancellation)
    {
        if (stderr == Console.Error && !Console.IsErrorRedirected)
        {
            EvaluationOutcome? outcome = null;
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("samples", maxValue: job.SelectedProblems().Count * job.Samples);
                    var progress = new InlineProgress<EvaluationProgress>(p =>
                    {
                        task.Value = p.Done;
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"samples {p.Done}/{p.Total}, {p.TokensPerSecond:0} tok/s");
                    });
                    outcome = await Evaluator.RunAsync(generator, job, runDirectory, progress, cancellation).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                }).ConfigureAwait(false);
            return outcome!;
        }
        var lines = SampleProgress.Lines(stderr, "  ");
        return await Evaluator.RunAsync(generator, job, runDirectory, lines, cancellation).ConfigureAwait(false);
    }
}
