// The sweep's evaluator for the openai backend: each variant's model folder is served by a process started from the
// spec's `serve:` template (one per variant, stopped when its benchmarks are done) or by the spec's endpoints, and
// evaluated over HTTP by the harness. It writes no weights (the runner does) and analyses nothing.
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Running;
using Alloy.Inference.Backends;
using Alloy.Tensors;

namespace Alloy.Analysis.Sweep;

/// <summary>Options of <see cref="OpenAiVariantEvaluator"/>.</summary>
/// <param name="DataDirectory">Where named benchmarks are read from.</param>
/// <param name="DefaultSamples">Samples per problem when a benchmark entry gives none.</param>
/// <param name="ConcurrencyPerEndpoint">Requests in flight per endpoint.</param>
/// <param name="StartTimeout">How long a served variant may take to answer /health.</param>
/// <param name="Progress">Receives the harness's per-pair progress, or null.</param>
public sealed record OpenAiEvaluatorOptions(
    string DataDirectory,
    int DefaultSamples = 1,
    int ConcurrencyPerEndpoint = 16,
    TimeSpan? StartTimeout = null,
    IProgress<EvaluationProgress>? Progress = null);

/// <summary>
/// With <c>serve:</c>, starts <see cref="ServeProcess"/> on the variant's folder before its first benchmark (log in
/// RUNDIR/variants/VARIANT/serve.log), sends requests with the id the server reports, and stops it in
/// <see cref="ReleaseAsync"/>. Without it, sends every request to the spec's endpoints with the variant's folder path as
/// the <c>model</c> (servers that load models by path). Token counts of the thinking/answer split use the folder's
/// tokenizer.json.
/// </summary>
public sealed class OpenAiVariantEvaluator(SweepSpec spec, OpenAiEvaluatorOptions options) : IVariantEvaluator
{
    private readonly Dictionary<string, ServeProcess> _servers = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<VariantMetrics> EvaluateAsync(VariantEvaluation request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        var folder = request.ModelFolder
            ?? throw new InvalidOperationException($"variant {request.VariantName} has no model folder; the openai backend serves folders");
        IReadOnlyList<OpenAiEndpoint> endpoints;
        string model;
        if (spec.Backend.Serve is { } template)
        {
            if (!_servers.TryGetValue(request.VariantName, out var server))
            {
                var log = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(request.RunDirectory))!, "serve.log");
                server = await ServeProcess.StartAsync(template, folder, log, options.StartTimeout ?? TimeSpan.FromMinutes(10), cancellation).ConfigureAwait(false);
                _servers[request.VariantName] = server;
            }
            endpoints = [new OpenAiEndpoint(server.BaseUrl, options.ConcurrencyPerEndpoint)];
            model = server.ModelId.Length > 0 ? server.ModelId : folder;
        }
        else
        {
            endpoints = [.. spec.Backend.Endpoints.Select(e => new OpenAiEndpoint(Uri.TryCreate(e, UriKind.Absolute, out var uri) ? uri
                : throw new AlloyInputException($"{spec.SourceFile}: backend.endpoints entry '{e}' is not a URL; expected e.g. http://gpu-a:8000/v1"), options.ConcurrencyPerEndpoint))];
            model = folder;
        }
        var files = ServedModelFiles.Read(request.TokenizerFolder);
        var benchmark = BenchmarkLoader.Load(request.Benchmark.Name, options.DataDirectory, BenchmarkLoader.ParseGrader(request.Benchmark.Grader));
        using var generator = new OpenAiGenerator(new OpenAiGeneratorOptions { Endpoints = endpoints, Model = model, CountTokens = files.CountTokens });
        var job = SweepEvaluationJob.Create(request, benchmark, files.Defaults, files.TemplateHash, files.CountTokens, options.DefaultSamples, "openai")
            with { SamplesPerRequest = 1, MaxConcurrentRequests = options.ConcurrencyPerEndpoint * endpoints.Count };
        var outcome = await Evaluator.RunAsync(generator, job, request.RunDirectory, options.Progress, cancellation).ConfigureAwait(false);
        return VariantMetrics.ReadFile(outcome.MetricsPath);
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(string variantName)
    {
        if (_servers.Remove(variantName, out var server))
            await server.DisposeAsync().ConfigureAwait(false);
    }
}
