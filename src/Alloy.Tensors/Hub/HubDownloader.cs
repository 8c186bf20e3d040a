// The hub client: revision info, file metadata (HEAD), and resumable, verified downloads into the shared cache.
// HttpClient only. It does not decide whether a string is a local path (HubModelResolver does) and draws no progress bars.
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Alloy.Tensors.Hub;

/// <summary>
/// Downloads model files from a Hugging Face hub into the huggingface_hub cache layout.
/// A download writes <c>blobs/X.incomplete</c>, resumes it with an HTTP Range request after a cut transfer,
/// checks the size and (for LFS files) the sha256, and only then renames it to <c>blobs/X</c> and links the snapshot entry.
/// </summary>
public sealed partial class HubDownloader : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly HubOptions options;
    private readonly HttpClient http;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> blobLocks = new(StringComparer.Ordinal);

    /// <summary>A client for the hub and cache in <paramref name="options"/>.</summary>
    public HubDownloader(HubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Resolves the reference's revision to its commit and lists the files at that commit.</summary>
    public async Task<HubRevision> GetRevisionAsync(ModelReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        EnsureOnline(reference);
        var url = new Uri($"{EndpointBase}/api/models/{reference.RepoId}/revision/{Uri.EscapeDataString(reference.Revision)}");
        using var response = await SendAsync(HttpMethod.Get, url, 0, followCrossHost: true, cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(response, url, reference, null);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        string? commit = null;
        var files = new List<string>();
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String)
                commit = sha.GetString();
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("siblings", out var siblings) && siblings.ValueKind == JsonValueKind.Array)
                foreach (var sibling in siblings.EnumerateArray())
                    if (sibling.ValueKind == JsonValueKind.Object && sibling.TryGetProperty("rfilename", out var name) && name.ValueKind == JsonValueKind.String)
                        files.Add(name.GetString()!);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the revision info of {reference} from {url} is not JSON: {e.Message}", e);
        }
        if (commit == null || !CommitPattern().IsMatch(commit))
            throw new InvalidDataException($"the revision info of {reference} from {url} has no 40-hex 'sha' (got '{commit}')");
        return new HubRevision(commit, files);
    }

    /// <summary>The ETag, size and commit of one file, from a HEAD request that stops at the CDN redirect.</summary>
    public async Task<HubFileMetadata> GetFileMetadataAsync(ModelReference reference, string commit, string file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        EnsureOnline(reference);
        var url = ResolveUrl(reference, commit, file);
        using var response = await SendAsync(HttpMethod.Head, url, 0, followCrossHost: false, cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(response, url, reference, file);
        var linkedETag = Header(response, "X-Linked-Etag");
        var etag = NormalizeETag(linkedETag ?? Header(response, "ETag"))
            ?? throw new InvalidDataException($"the hub sent no ETag for {file} of {reference} ({url}); it cannot be cached");
        var sizeText = Header(response, "X-Linked-Size");
        long size = sizeText != null && long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var linkedSize) ? linkedSize
            : linkedETag == null && response.Content.Headers.ContentLength is { } length ? length
            : -1;
        return new HubFileMetadata(etag, size, Header(response, "X-Repo-Commit"), linkedETag != null);
    }

    /// <summary>
    /// Makes <paramref name="file"/> at <paramref name="commit"/> present in the snapshot folder and returns its path.
    /// A file already in the snapshot, or whose blob is already cached, is not downloaded again.
    /// </summary>
    public async Task<string> DownloadFileAsync(ModelReference reference, string commit, string file, IProgress<HubProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var cache = new HubCache(options.CacheFolder, reference);
        if (cache.HasSnapshotFile(commit, file))
        {
            var existing = new FileInfo(cache.SnapshotFile(commit, file));
            var cachedLength = existing.LinkTarget != null ? new FileInfo(existing.ResolveLinkTarget(true)!.FullName).Length : existing.Length;
            progress?.Report(new HubProgress(file, cachedLength, cachedLength, true));
            return existing.FullName;
        }
        var metadata = await GetFileMetadataAsync(reference, commit, file, cancellationToken).ConfigureAwait(false);
        var blob = cache.BlobPath(metadata.ETag);
        // Two files with the same content share one blob: the second waits for the first instead of racing it.
        var blobLock = blobLocks.GetOrAdd(blob, _ => new SemaphoreSlim(1, 1));
        await blobLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!File.Exists(blob))
                await DownloadBlobAsync(reference, commit, file, metadata, cache, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            blobLock.Release();
        }
        var entry = cache.LinkSnapshotFile(commit, file, metadata.ETag);
        var blobLength = new FileInfo(blob).Length;
        progress?.Report(new HubProgress(file, blobLength, blobLength, true));
        return entry;
    }

    /// <summary>
    /// Downloads the files Alloy needs (<see cref="HubFileSelection"/>) of the reference's revision and returns the
    /// snapshot folder. The ref (branch or tag → commit) is written once every file is in place.
    /// </summary>
    public async Task<string> DownloadSnapshotAsync(ModelReference reference, IProgress<HubProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var revision = await GetRevisionAsync(reference, cancellationToken).ConfigureAwait(false);
        var files = revision.Files.Where(HubFileSelection.IsNeeded).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new AlloyInputException($"{reference} (commit {revision.Commit}) has no model files at its top level: no *.safetensors, config.json or tokenizer files among its {revision.Files.Count} files");
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ParallelDownloads), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(files, parallel, async (file, token) =>
            await DownloadFileAsync(reference, revision.Commit, file, progress, token).ConfigureAwait(false)).ConfigureAwait(false);
        var cache = new HubCache(options.CacheFolder, reference);
        Directory.CreateDirectory(cache.SnapshotFolder(revision.Commit));
        if (!string.Equals(reference.Revision, revision.Commit, StringComparison.Ordinal))
            cache.WriteRef(reference.Revision, revision.Commit);
        return cache.SnapshotFolder(revision.Commit);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        http.Dispose();
        foreach (var blobLock in blobLocks.Values)
            blobLock.Dispose();
    }

    private string EndpointBase => options.Endpoint.AbsoluteUri.TrimEnd('/');

    private Uri ResolveUrl(ModelReference reference, string commit, string file) =>
        new($"{EndpointBase}/{reference.RepoId}/resolve/{Uri.EscapeDataString(commit)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    private void EnsureOnline(ModelReference reference)
    {
        if (options.Offline)
            throw new AlloyInputException($"HF_HUB_OFFLINE is set, so {reference} cannot be fetched from {options.Endpoint}; unset HF_HUB_OFFLINE or use a cached model");
    }

    private async Task DownloadBlobAsync(ModelReference reference, string commit, string file, HubFileMetadata metadata, HubCache cache, IProgress<HubProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(cache.BlobsFolder);
        var incomplete = cache.IncompletePath(metadata.ETag);
        var url = ResolveUrl(reference, commit, file);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TransferAsync(url, incomplete, reference, file, metadata, progress, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (IsTransient(e) && attempt < Math.Max(1, options.MaxAttempts) && !cancellationToken.IsCancellationRequested)
            {
                // Retry: the next request asks for the bytes after those already in the .incomplete file.
            }
        }
        await VerifyAsync(incomplete, reference, commit, file, metadata, cancellationToken).ConfigureAwait(false);
        File.Move(incomplete, cache.BlobPath(metadata.ETag), overwrite: true);
    }

    private async Task TransferAsync(Uri url, string incomplete, ModelReference reference, string file, HubFileMetadata metadata, IProgress<HubProgress>? progress, CancellationToken cancellationToken)
    {
        var stream = new FileStream(incomplete, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var have = stream.Length;
            if (metadata.Size >= 0 && have > metadata.Size)
            {
                stream.SetLength(0);
                have = 0;
            }
            if (metadata.Size > 0 && have == metadata.Size)
                return;
            using var response = await SendAsync(HttpMethod.Get, url, have, followCrossHost: true, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                stream.SetLength(0);
                throw new IOException($"the hub could not serve {file} from byte {have}; starting again from byte 0");
            }
            ThrowIfRefused(response, url, reference, file);
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                if (response.Content.Headers.ContentRange?.From != have)
                {
                    stream.SetLength(0);
                    throw new IOException($"the hub answered the range request for {file} from byte {have} with another range; starting again from byte 0");
                }
            }
            else
            {
                have = 0;
                stream.SetLength(0);
            }
            stream.Seek(have, SeekOrigin.Begin);
            progress?.Report(new HubProgress(file, have, metadata.Size, false));
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    have += read;
                    progress?.Report(new HubProgress(file, have, metadata.Size, false));
                }
            }
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (metadata.Size >= 0 && have < metadata.Size)
                throw new IOException($"the transfer of {file} ended at byte {have} of {metadata.Size}");
        }
    }

    private static async Task VerifyAsync(string incomplete, ModelReference reference, string commit, string file, HubFileMetadata metadata, CancellationToken cancellationToken)
    {
        var length = new FileInfo(incomplete).Length;
        if (metadata.Size >= 0 && length != metadata.Size)
        {
            File.Delete(incomplete);
            throw new HubIntegrityException($"{file} of {reference.RepoId} at commit {commit} downloaded as {length} bytes, the hub said {metadata.Size}; the partial download was deleted");
        }
        if (!metadata.IsLfs || !Sha256Pattern().IsMatch(metadata.ETag))
            return;
        string actual;
        var stream = new FileStream(incomplete, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        await using (stream.ConfigureAwait(false))
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        if (!string.Equals(actual, metadata.ETag, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(incomplete);
            throw new HubIntegrityException($"{file} of {reference.RepoId} at commit {commit} has sha256 {actual}, the hub said {metadata.ETag}; the partial download was deleted, nothing was cached");
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        HubIntegrityException => false,
        HttpRequestException { StatusCode: null } => true,
        HttpRequestException { StatusCode: { } code } => (int)code >= 500,
        IOException => true,
        _ => false,
    };

    // Follows redirects by hand: a HEAD stops at a redirect to another host (the CDN hop carries X-Linked-Etag and
    // X-Linked-Size); the token is sent only to the hub's own host, never to a CDN.
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, long rangeStart, bool followCrossHost, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("alloy", "0.1"));
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            if (options.Token != null && SameOrigin(url, options.Endpoint))
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
            if (rangeStart > 0)
                request.Headers.Range = new RangeHeaderValue(rangeStart, null);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                if (!followCrossHost && !SameOrigin(next, url))
                    return response;
                response.Dispose();
                if (hop >= MaxRedirects)
                    throw new HttpRequestException($"more than {MaxRedirects} redirects from {url}");
                url = next;
                continue;
            }
            return response;
        }
    }

    private void ThrowIfRefused(HttpResponseMessage response, Uri url, ModelReference reference, string? file)
    {
        if (response.IsSuccessStatusCode || (int)response.StatusCode is >= 300 and < 400)
            return;
        var status = response.StatusCode;
        var hubMessage = Header(response, "X-Error-Message");
        var detail = $"{(int)status} {response.ReasonPhrase} from {url}{(hubMessage != null ? $": {hubMessage}" : "")}";
        var what = file == null ? $"repository {reference.RepoId} at revision {reference.Revision}" : $"file {file} of repository {reference.RepoId}";
        switch (status)
        {
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new HubAccessException(
                    $"the hub refused {what} ({detail}); the repository may not exist, or be private or gated: "
                    + (options.Token == null ? "set HF_TOKEN to a token that can read it" : "check that HF_TOKEN is valid and has access to it"),
                    status);
            case HttpStatusCode.NotFound:
                var code = Header(response, "X-Error-Code");
                var message = code switch
                {
                    "RepoNotFound" => $"repository {reference.RepoId} was not found on {options.Endpoint} ({detail})",
                    "RevisionNotFound" => $"revision {reference.Revision} of repository {reference.RepoId} was not found ({detail})",
                    _ when file != null => $"file {file} was not found in repository {reference.RepoId} at revision {reference.Revision} ({detail})",
                    _ => $"repository {reference.RepoId} or its revision {reference.Revision} was not found on {options.Endpoint} ({detail})",
                };
                throw new HubAccessException(message + "; check the name and the revision", status);
            default:
                throw new HttpRequestException($"the hub failed on {what} ({detail})", null, status);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    private static string? NormalizeETag(string? etag)
    {
        if (etag == null)
            return null;
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
            value = value[2..];
        value = value.Trim('"');
        return value.Length == 0 ? null : value;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();
}
