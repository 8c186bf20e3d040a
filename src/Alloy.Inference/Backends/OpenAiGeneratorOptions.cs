// Configuration of the OpenAI-compatible HTTP backend: endpoints and their concurrency, model name, timeouts,
// the retry and failure budget, the response size bound and the fallback token counter. It performs no I/O.
using Alloy.Tensors;

namespace Alloy.Inference.Backends;

/// <summary>One OpenAI-compatible server (vLLM, SGLang, llama-server …).</summary>
/// <param name="BaseUrl">
/// The API base, e.g. <c>http://gpu-a:8000/v1</c>; requests go to <c>{BaseUrl}/chat/completions</c> and
/// <c>{BaseUrl}/completions</c>. A URL with no path (<c>http://gpu-a:8000</c>) is taken as <c>…/v1</c>.
/// </param>
/// <param name="MaxConcurrency">Most requests in flight on this server at once (≥ 1); size it from the server's KV capacity.</param>
public sealed record OpenAiEndpoint(Uri BaseUrl, int MaxConcurrency);

/// <summary>Settings of <see cref="OpenAiGenerator"/>.</summary>
public sealed record OpenAiGeneratorOptions
{
    /// <summary>The servers, all serving the same model. Requests go to the least busy live one.</summary>
    public required IReadOnlyList<OpenAiEndpoint> Endpoints { get; init; }

    /// <summary>The <c>model</c> field of every request (vLLM's <c>--served-model-name</c>, or the path it serves).</summary>
    public required string Model { get; init; }

    /// <summary>Bearer token sent as <c>Authorization</c>, or null for none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Time limit of one HTTP attempt, headers and body together. Long reasoning traces need minutes.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Most attempts for one sample (first try included) before the run stops with an error.</summary>
    public int MaxAttemptsPerSample { get; init; } = 6;

    /// <summary>
    /// Consecutive failed attempts after which an endpoint is retired for the rest of the run (any success resets the
    /// count). When every endpoint is retired the run stops with an error naming each one and its last failure.
    /// </summary>
    public int MaxConsecutiveFailuresPerEndpoint { get; init; } = 8;

    /// <summary>Delay before the first retry; retry r waits <c>min(MaxBackoff, InitialBackoff·2^(r−1))</c> × a random factor in [0.5, 1).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries (a server's <c>Retry-After</c> is honoured up to this too).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest response body accepted, in bytes; a longer one is an error (a 32k-token reply is well under 1 MiB).</summary>
    public int MaxResponseBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Counts tokens of a response text when the server reports no <c>usage.completion_tokens</c>; null means such a
    /// response is an error. It receives the joined text (<see cref="GeneratedSample.Text"/>).
    /// </summary>
    public Func<string, int>? CountTokens { get; init; }

    /// <summary>Checks the options; throws <see cref="AlloyInputException"/> naming the wrong option.</summary>
    public void Validate()
    {
        if (Endpoints is null || Endpoints.Count == 0)
        {
            throw new AlloyInputException("The OpenAI backend needs at least one endpoint (--endpoint URL).");
        }
        foreach (var endpoint in Endpoints)
        {
            if (endpoint.BaseUrl is null || !endpoint.BaseUrl.IsAbsoluteUri
                || (endpoint.BaseUrl.Scheme != Uri.UriSchemeHttp && endpoint.BaseUrl.Scheme != Uri.UriSchemeHttps))
            {
                throw new AlloyInputException($"Endpoint '{endpoint.BaseUrl}' is not an absolute http(s) URL such as http://gpu-a:8000/v1.");
            }
            if (endpoint.MaxConcurrency < 1)
            {
                throw new AlloyInputException($"Endpoint {endpoint.BaseUrl} has concurrency {endpoint.MaxConcurrency}: use at least 1.");
            }
        }
        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new AlloyInputException("The OpenAI backend needs the model name the server serves (its 'model' field).");
        }
        if (RequestTimeout <= TimeSpan.Zero || MaxAttemptsPerSample < 1 || MaxConsecutiveFailuresPerEndpoint < 1
            || InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff || MaxResponseBytes < 1024)
        {
            throw new AlloyInputException(
                "OpenAI backend options out of range: the timeout must be > 0, attempts and failure limits ≥ 1, "
                + "0 ≤ initial backoff ≤ max backoff, and the response bound ≥ 1024 bytes.");
        }
    }
}
