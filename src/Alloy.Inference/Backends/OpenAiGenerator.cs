// IGenerator over OpenAI-compatible HTTP servers (vLLM, SGLang, llama-server): one n=1 request per sample, spread over
// several endpoints with a concurrency limit each, retried with exponential backoff and jitter. No streaming.
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;

namespace Alloy.Inference.Backends;

/// <summary>
/// Generates through OpenAI-compatible servers. Each sample is its own request with <c>n = 1</c> and
/// <c>seed = BaseSeed + sampleIndex</c>, so per-sample token counts are exact and seeds never collide.
/// <para>
/// Scheduling: the least busy live endpoint with a free slot (load = in-flight ÷ its concurrency); a retry avoids the
/// endpoints that already failed for that sample while another live one exists.
/// Retries: HTTP 5xx, 408, 429, timeouts, refused or dropped connections and <c>finish_reason: "abort"</c> are retried
/// after <c>min(MaxBackoff, InitialBackoff·2^(r−1))·u</c>, u uniform in [0.5, 1) (or the server's <c>Retry-After</c>,
/// capped at MaxBackoff), up to <see cref="OpenAiGeneratorOptions.MaxAttemptsPerSample"/> attempts. Other 4xx answers
/// and malformed responses fail at once. An endpoint that fails
/// <see cref="OpenAiGeneratorOptions.MaxConsecutiveFailuresPerEndpoint"/> times in a row is retired; with none left the
/// run stops with a <see cref="GeneratorException"/> naming each endpoint and its last failure.
/// </para>
/// </summary>
public sealed class OpenAiGenerator : IGenerator, IDisposable
{
    private readonly OpenAiGeneratorOptions options;
    private readonly HttpClient http;
    private readonly bool ownsHttp;
    private readonly EndpointPool pool;

    /// <summary>
    /// Creates the generator. <paramref name="httpClient"/> is used as is when given (its own Timeout should be
    /// infinite: <see cref="OpenAiGeneratorOptions.RequestTimeout"/> applies per attempt); otherwise one is made and
    /// disposed with the generator. Throws <see cref="Alloy.Tensors.AlloyInputException"/> for invalid options.
    /// </summary>
    public OpenAiGenerator(OpenAiGeneratorOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        ownsHttp = httpClient is null;
        http = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        pool = new EndpointPool(options.Endpoints, options.MaxConsecutiveFailuresPerEndpoint);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GeneratedSample>> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Settings.Validate();
        if (!pool.AnyLive)
        {
            throw pool.AllRetired();
        }
        using var stopSiblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = request.SampleIndices
            .Select(index => GenerateOneStoppingSiblingsAsync(request, index, stopSiblings))
            .ToArray();
        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Report the failure that stopped the others, not the cancellations it caused.
            var first = tasks.Where(task => task.IsFaulted).Select(task => task.Exception!.InnerException!).FirstOrDefault();
            if (first is not null)
            {
                ExceptionDispatchInfo.Throw(first);
            }
            throw;
        }
    }

    /// <summary>
    /// The exact JSON body sent for sample <paramref name="sampleIndex"/> of <paramref name="request"/>, for recording the
    /// effective request beside the results (servers differ in what they assume for omitted fields, so the record matters).
    /// </summary>
    public string RequestJson(GenerationRequest request, int sampleIndex)
    {
        ArgumentNullException.ThrowIfNull(request);
        return System.Text.Encoding.UTF8.GetString(
            OpenAiWireFormat.BuildRequestBody(options.Model, request.Prompt, request.Settings, request.SeedFor(sampleIndex)));
    }

    /// <summary>Disposes the HttpClient when the generator created it.</summary>
    public void Dispose()
    {
        if (ownsHttp)
        {
            http.Dispose();
        }
    }

    private async Task<GeneratedSample> GenerateOneStoppingSiblingsAsync(GenerationRequest request, int sampleIndex, CancellationTokenSource stopSiblings)
    {
        try
        {
            return await GenerateOneAsync(request, sampleIndex, stopSiblings.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await stopSiblings.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<GeneratedSample> GenerateOneAsync(GenerationRequest request, int sampleIndex, CancellationToken cancellationToken)
    {
        var seed = request.SeedFor(sampleIndex);
        var body = OpenAiWireFormat.BuildRequestBody(options.Model, request.Prompt, request.Settings, seed);
        var path = OpenAiWireFormat.PathFor(request.Prompt);
        var failedHere = new HashSet<EndpointState>();
        for (var attempt = 1; ; attempt++)
        {
            var lease = await pool.LeaseAsync(failedHere, cancellationToken).ConfigureAwait(false);
            var succeeded = false;
            string? failure = null;
            TimeSpan? retryAfter = null;
            try
            {
                var choice = await AttemptAsync(lease.Endpoint, path, body, request.Prompt.IsChat, cancellationToken).ConfigureAwait(false);
                succeeded = true;
                return ToSample(choice, sampleIndex, seed, lease.Endpoint);
            }
            catch (TransientFailure transient)
            {
                failure = transient.Message;
                retryAfter = transient.RetryAfter;
            }
            catch (GeneratorException permanent)
            {
                failure = permanent.Message;
                throw;
            }
            finally
            {
                pool.Release(lease, succeeded, failure);
            }

            failedHere.Add(lease);
            if (attempt >= options.MaxAttemptsPerSample)
            {
                throw new GeneratorException(
                    $"Sample {sampleIndex} failed {attempt} attempts; the last, on {lease.Endpoint.BaseUrl}, failed because {failure}. "
                    + "The run stopped; resume it once the server is healthy.")
                {
                    Endpoint = lease.Endpoint.BaseUrl,
                };
            }
            await Task.Delay(Backoff(attempt, retryAfter), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One HTTP attempt. Throws <see cref="TransientFailure"/> for what a retry may fix, <see cref="GeneratorException"/> otherwise.</summary>
    private async Task<OpenAiChoice> AttemptAsync(OpenAiEndpoint endpoint, string path, byte[] body, bool chat, CancellationToken cancellationToken)
    {
        var url = RequestUrl(endpoint.BaseUrl, path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (options.ApiKey is { } key)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var content = await ReadBoundedAsync(response, url, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 500 or 429 or 408)
            {
                throw new TransientFailure($"it answered HTTP {status} {OpenAiWireFormat.Excerpt(content)}", RetryAfterOf(response));
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new GeneratorException(
                    $"{url} rejected the request with HTTP {status}: {OpenAiWireFormat.Excerpt(content)}. "
                    + "Check the model name and that the server accepts the sampling fields (top_k, min_p, chat_template_kwargs).")
                {
                    Endpoint = endpoint.BaseUrl,
                };
            }
            try
            {
                return OpenAiWireFormat.ParseResponse(content, chat);
            }
            catch (OpenAiResponseException bad) when (bad.Transient)
            {
                throw new TransientFailure(bad.Message, null);
            }
            catch (OpenAiResponseException bad)
            {
                throw new GeneratorException($"{url} returned an unusable response: {bad.Message}.") { Endpoint = endpoint.BaseUrl };
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientFailure($"it sent no complete response within {options.RequestTimeout.TotalSeconds:0.###} s", null);
        }
        catch (HttpRequestException error)
        {
            throw new TransientFailure($"the connection failed ({error.Message})", null);
        }
        catch (IOException error)
        {
            throw new TransientFailure($"the connection dropped mid-response ({error.Message})", null);
        }
    }

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        var limit = options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is long declared && declared > limit)
        {
            throw new GeneratorException($"{url} announced a {declared}-byte response, over the {limit}-byte limit.");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var collected = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return collected.ToArray();
            }
            if (collected.Length + read > limit)
            {
                throw new GeneratorException($"{url} sent a response over the {limit}-byte limit.");
            }
            collected.Write(chunk, 0, read);
        }
    }

    private GeneratedSample ToSample(OpenAiChoice choice, int sampleIndex, long seed, OpenAiEndpoint endpoint)
    {
        var text = choice.JoinedText();
        int completionTokens;
        if (choice.CompletionTokens is { } reported)
        {
            completionTokens = reported;
        }
        else if (options.CountTokens is { } count)
        {
            completionTokens = count(text);
        }
        else
        {
            throw new GeneratorException(
                $"{endpoint.BaseUrl} reported no usage.completion_tokens and no tokenizer was given to count them; "
                + "give the backend the model's tokenizer.")
            {
                Endpoint = endpoint.BaseUrl,
            };
        }
        return new GeneratedSample(sampleIndex, seed, text, completionTokens, choice.FinishReason, choice.Reasoning, choice.PromptTokens);
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < options.MaxBackoff ? asked : options.MaxBackoff;
        }
        var exponential = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * Random.Shared.NextDouble())));
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>
    /// <c>{base}/{path}</c>; a base with no path is taken as <c>{base}/v1</c>.
    /// </summary>
    internal static Uri RequestUrl(Uri baseUrl, string path)
    {
        var basePath = baseUrl.AbsolutePath.TrimEnd('/');
        if (basePath.Length == 0)
        {
            basePath = "/v1";
        }
        var builder = new UriBuilder(baseUrl) { Path = basePath + "/" + path, Query = string.Empty, Fragment = string.Empty };
        return builder.Uri;
    }

    /// <summary>An attempt failed in a way a retry may fix.</summary>
    private sealed class TransientFailure(string message, TimeSpan? retryAfter) : Exception(message)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}
