// A loopback Hugging Face hub (Kestrel on 127.0.0.1, two free ports: the hub and a "CDN") with scripted faults.
// It speaks the revision API, resolve URLs (302 to the CDN for LFS files) and Range requests; it holds no real models.
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alloy.Tensors.Tests.Hub;

/// <summary>One file of a fake repository.</summary>
internal sealed record FakeFile(byte[] Content, bool Lfs)
{
    /// <summary>The sha256 (LFS) or git blob id (others) the hub advertises as the ETag.</summary>
    public string ETag => Lfs ? Convert.ToHexStringLower(SHA256.HashData(Content)) : GitBlobId(Content);

    private static string GitBlobId(byte[] content)
    {
        var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
    }
}

/// <summary>A fake repository: one commit, the branches that point to it, its files.</summary>
internal sealed class FakeRepo(string commit)
{
    public string Commit { get; } = commit;
    public Dictionary<string, string> Branches { get; } = new(StringComparer.Ordinal) { ["main"] = commit };
    public Dictionary<string, FakeFile> Files { get; } = new(StringComparer.Ordinal);
    /// <summary>Files listed in the revision info that resolve answers 404 for.</summary>
    public HashSet<string> Missing { get; } = new(StringComparer.Ordinal);
    /// <summary>When set, every request without "Bearer {token}" gets 401.</summary>
    public string? RequiredToken { get; set; }
}

/// <summary>One request the fake hub received.</summary>
internal sealed record HubRequest(string Method, string Path, bool Cdn, string? Range, string? Authorization);

internal sealed class FakeHub : IAsyncDisposable
{
    private readonly WebApplication app;
    private int hubPort;
    private int cdnPort;

    private FakeHub(WebApplication app) => this.app = app;

    public Dictionary<string, FakeRepo> Repos { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<HubRequest> Requests { get; } = new();

    /// <summary>The hub's address (HF_ENDPOINT).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Blob ETags whose next CDN GET sends this many bytes of the body, then cuts the connection.</summary>
    public ConcurrentDictionary<string, int> CutOnce { get; } = new(StringComparer.Ordinal);

    /// <summary>Blob ETags the CDN serves with one byte flipped (the advertised sha256 stays the true one).</summary>
    public HashSet<string> Corrupt { get; } = new(StringComparer.Ordinal);

    public static async Task<FakeHub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0", "http://127.0.0.1:0");
        var app = builder.Build();
        var hub = new FakeHub(app);
        app.Run(hub.HandleAsync);
        await app.StartAsync();
        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).ToArray();
        hub.hubPort = ports[0];
        hub.cdnPort = ports[1];
        hub.Endpoint = new Uri($"http://127.0.0.1:{hub.hubPort}");
        return hub;
    }

    /// <summary>A repository with a config, a tokenizer, two LFS shards and files Alloy must skip.</summary>
    public FakeRepo AddModel(string repoId, string commit, int shardBytes = 300_000)
    {
        var repo = new FakeRepo(commit);
        repo.Files["config.json"] = new(Encoding.UTF8.GetBytes("{\"architectures\": [\"Qwen3ForCausalLM\"]}"), false);
        repo.Files["tokenizer.json"] = new(Encoding.UTF8.GetBytes("{\"model\": {\"type\": \"BPE\"}}"), false);
        repo.Files["model-00001-of-00002.safetensors"] = new(Bytes(shardBytes, 1), true);
        repo.Files["model-00002-of-00002.safetensors"] = new(Bytes(shardBytes / 3, 2), true);
        repo.Files["model.safetensors.index.json"] = new(Encoding.UTF8.GetBytes("{\"weight_map\": {}}"), false);
        repo.Files["README.md"] = new(Encoding.UTF8.GetBytes("# a model"), false);
        repo.Files["pytorch_model.bin"] = new(Bytes(1000, 3), true);
        repo.Files["onnx/model.safetensors"] = new(Bytes(1000, 4), true);
        Repos[repoId] = repo;
        return repo;
    }

    /// <summary>A repository serving every file of a local folder (the *.safetensors as LFS files).</summary>
    public FakeRepo AddFolder(string repoId, string commit, string folder)
    {
        var repo = new FakeRepo(commit);
        foreach (var path in Directory.GetFiles(folder))
        {
            var name = Path.GetFileName(path);
            repo.Files[name] = new(File.ReadAllBytes(path), name.EndsWith(".safetensors", StringComparison.Ordinal));
        }
        Repos[repoId] = repo;
        return repo;
    }

    public IEnumerable<HubRequest> CdnGets => Requests.Where(r => r.Cdn && r.Method == "GET");

    private static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var cdn = context.Connection.LocalPort == cdnPort;
        Requests.Enqueue(new HubRequest(request.Method, Uri.UnescapeDataString(path), cdn, request.Headers.Range.FirstOrDefault(), request.Headers.Authorization.FirstOrDefault()));
        if (cdn)
        {
            await ServeBlobAsync(context, path.StartsWith("/cdn/", StringComparison.Ordinal) ? path[5..] : "");
            return;
        }
        var parts = path.TrimStart('/').Split('/');
        // /api/models/{org}/{name}/revision/{rev}
        if (parts.Length == 6 && parts[0] == "api" && parts[1] == "models" && parts[4] == "revision")
        {
            var repo = FindRepo(context, $"{parts[2]}/{parts[3]}");
            if (repo == null)
                return;
            var commit = ResolveRevision(context, repo, Uri.UnescapeDataString(parts[5]));
            if (commit == null)
                return;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                id = $"{parts[2]}/{parts[3]}",
                sha = commit,
                siblings = repo.Files.Keys.Concat(repo.Missing).Select(f => new { rfilename = f }),
            }));
            return;
        }
        // /{org}/{name}/resolve/{rev}/{file...}
        if (parts.Length >= 5 && parts[2] == "resolve")
        {
            var repo = FindRepo(context, $"{parts[0]}/{parts[1]}");
            if (repo == null)
                return;
            var commit = ResolveRevision(context, repo, Uri.UnescapeDataString(parts[3]));
            if (commit == null)
                return;
            var file = string.Join('/', parts.Skip(4).Select(Uri.UnescapeDataString));
            if (!repo.Files.TryGetValue(file, out var entry))
            {
                context.Response.StatusCode = 404;
                context.Response.Headers["X-Error-Code"] = "EntryNotFound";
                return;
            }
            context.Response.Headers["X-Repo-Commit"] = commit;
            if (entry.Lfs)
            {
                context.Response.Headers["X-Linked-Etag"] = $"\"{entry.ETag}\"";
                context.Response.Headers["X-Linked-Size"] = entry.Content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers.ETag = "\"a-git-pointer-etag\"";
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = $"http://127.0.0.1:{cdnPort}/cdn/{entry.ETag}";
                return;
            }
            context.Response.Headers.ETag = $"\"{entry.ETag}\"";
            context.Response.ContentLength = entry.Content.Length;
            if (request.Method == "GET")
                await context.Response.Body.WriteAsync(entry.Content);
            return;
        }
        context.Response.StatusCode = 404;
    }

    private FakeRepo? FindRepo(HttpContext context, string repoId)
    {
        if (!Repos.TryGetValue(repoId, out var repo))
        {
            // The real hub answers 401 for a repository that does not exist (or is private) without a token.
            context.Response.StatusCode = 401;
            context.Response.Headers["X-Error-Code"] = "RepoNotFound";
            context.Response.Headers["X-Error-Message"] = "Repository not found";
            return null;
        }
        if (repo.RequiredToken != null && context.Request.Headers.Authorization.FirstOrDefault() != $"Bearer {repo.RequiredToken}")
        {
            context.Response.StatusCode = 401;
            context.Response.Headers["X-Error-Message"] = "Invalid credentials";
            return null;
        }
        return repo;
    }

    private static string? ResolveRevision(HttpContext context, FakeRepo repo, string revision)
    {
        if (revision == repo.Commit)
            return revision;
        if (repo.Branches.TryGetValue(revision, out var commit))
            return commit;
        context.Response.StatusCode = 404;
        context.Response.Headers["X-Error-Code"] = "RevisionNotFound";
        return null;
    }

    private async Task ServeBlobAsync(HttpContext context, string etag)
    {
        var entry = Repos.Values.SelectMany(r => r.Files.Values).FirstOrDefault(f => f.Lfs && f.ETag == etag);
        if (entry == null)
        {
            context.Response.StatusCode = 404;
            return;
        }
        var content = entry.Content;
        if (Corrupt.Contains(etag))
        {
            content = [.. content];
            content[content.Length / 2] ^= 0xFF;
        }
        long start = 0;
        var range = context.Request.Headers.Range.FirstOrDefault();
        if (range != null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                context.Response.StatusCode = 416;
                return;
            }
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }
        context.Response.Headers.AcceptRanges = "bytes";
        context.Response.ContentLength = content.Length - start;
        if (context.Request.Method != "GET")
            return;
        if (CutOnce.TryRemove(etag, out var cutAfter))
        {
            await context.Response.Body.WriteAsync(content.AsMemory((int)start, cutAfter));
            await context.Response.Body.FlushAsync();
            // Give the client time to read what was sent, then drop the connection mid-body.
            await Task.Delay(500);
            context.Abort();
            return;
        }
        await context.Response.Body.WriteAsync(content.AsMemory((int)start));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
