// Faults of a hub download on the loopback hub: a cut transfer resumes with Range, a wrong hash leaves nothing
// behind, 401/404 name the repository and the file, and the token goes to the hub but never to the CDN.
using System.Net;
using Alloy.Tensors.Hub;

namespace Alloy.Tensors.Tests.Hub;

public class HubDownloadFaultTests
{
    private const string Commit = "2222222222222222222222222222222222222222";
    private const string Shard = "model-00001-of-00002.safetensors";

    [Fact]
    public async Task A_transfer_cut_mid_body_resumes_with_a_range_request_and_completes()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        var etag = repo.Files[Shard].ETag;
        hub.CutOnce[etag] = 100_000;
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var snapshot = await HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), options);

        var gets = hub.CdnGets.Where(r => r.Path == $"/cdn/{etag}").ToArray();
        Assert.Equal(2, gets.Length);
        Assert.Null(gets[0].Range);
        Assert.NotNull(gets[1].Range);
        var start = long.Parse(gets[1].Range!["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(start, 1, 100_000);
        Assert.Equal(repo.Files[Shard].Content, File.ReadAllBytes(Path.Combine(snapshot, Shard)));
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "models--acme--tiny", "blobs"), "*.incomplete"));
    }

    [Fact]
    public async Task A_cut_transfer_without_retries_fails_keeps_the_partial_blob_and_the_next_run_resumes_it()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        var etag = repo.Files[Shard].ETag;
        hub.CutOnce[etag] = 150_000;
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path) { MaxAttempts = 1 };
        var root = Path.Combine(cache.Path, "models--acme--tiny");

        await Assert.ThrowsAnyAsync<IOException>(() => HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), options));
        var partial = new FileInfo(Path.Combine(root, "blobs", etag + ".incomplete"));
        Assert.True(partial.Exists);
        Assert.InRange(partial.Length, 1, 150_000);
        Assert.False(File.Exists(Path.Combine(root, "blobs", etag)));
        Assert.False(File.Exists(Path.Combine(root, "refs", "main")));

        var snapshot = await HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), options);

        Assert.Equal($"bytes={partial.Length}-", hub.CdnGets.Last(r => r.Path == $"/cdn/{etag}").Range);
        Assert.Equal(repo.Files[Shard].Content, File.ReadAllBytes(Path.Combine(snapshot, Shard)));
        Assert.False(File.Exists(partial.FullName));
    }

    [Fact]
    public async Task An_incomplete_blob_left_by_an_earlier_run_is_resumed_from_its_length()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        var etag = repo.Files[Shard].ETag;
        using var cache = new TempFolder();
        var blobs = Directory.CreateDirectory(Path.Combine(cache.Path, "models--acme--tiny", "blobs")).FullName;
        File.WriteAllBytes(Path.Combine(blobs, etag + ".incomplete"), repo.Files[Shard].Content.AsSpan(0, 12_345).ToArray());
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var snapshot = await HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), options);

        var get = Assert.Single(hub.CdnGets, r => r.Path == $"/cdn/{etag}");
        Assert.Equal("bytes=12345-", get.Range);
        Assert.Equal(repo.Files[Shard].Content, File.ReadAllBytes(Path.Combine(snapshot, Shard)));
    }

    [Fact]
    public async Task A_wrong_hash_is_an_error_and_leaves_no_blob_and_no_snapshot_entry()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        var etag = repo.Files[Shard].ETag;
        hub.Corrupt.Add(etag);
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var e = await Assert.ThrowsAsync<HubIntegrityException>(() => HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), options));

        Assert.Contains(Shard, e.Message, StringComparison.Ordinal);
        Assert.Contains(etag, e.Message, StringComparison.Ordinal);
        var root = Path.Combine(cache.Path, "models--acme--tiny");
        Assert.False(File.Exists(Path.Combine(root, "blobs", etag)));
        Assert.False(File.Exists(Path.Combine(root, "blobs", etag + ".incomplete")));
        Assert.False(File.Exists(Path.Combine(root, "snapshots", Commit, Shard)));
        Assert.Null(new FileInfo(Path.Combine(root, "snapshots", Commit, Shard)).LinkTarget);
        Assert.False(File.Exists(Path.Combine(root, "refs", "main")));
    }

    [Fact]
    public async Task An_unknown_repository_is_a_401_that_names_the_repository_and_asks_for_a_token()
    {
        await using var hub = await FakeHub.StartAsync();
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var e = await Assert.ThrowsAsync<HubAccessException>(() => HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/nothing"), options));

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains("acme/nothing", e.Message, StringComparison.Ordinal);
        Assert.Contains("HF_TOKEN", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AlloyInputException>(e);
    }

    [Fact]
    public async Task A_listed_file_the_hub_cannot_serve_is_a_404_naming_the_repository_and_the_file()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        repo.Missing.Add("generation_config.json");
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var e = await Assert.ThrowsAsync<HubAccessException>(() => HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), options));

        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Contains("acme/tiny", e.Message, StringComparison.Ordinal);
        Assert.Contains("generation_config.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_revision_is_a_404_naming_it()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.AddModel("acme/tiny", Commit);
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var e = await Assert.ThrowsAsync<HubAccessException>(() => HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny@nope"), options));

        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
        Assert.Contains("acme/tiny", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_is_sent_to_the_hub_and_never_to_the_cdn()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/private", Commit);
        repo.RequiredToken = "hf_secret";
        using var cache = new TempFolder();

        var refused = await Assert.ThrowsAsync<HubAccessException>(() =>
            HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/private"), new HubOptions(hub.Endpoint, "hf_wrong", false, cache.Path)));
        Assert.Contains("HF_TOKEN is valid", refused.Message, StringComparison.Ordinal);

        var snapshot = await HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/private"), new HubOptions(hub.Endpoint, "hf_secret", false, cache.Path));
        Assert.True(File.Exists(Path.Combine(snapshot, Shard)));
        Assert.All(hub.Requests.Where(r => !r.Cdn), r => Assert.StartsWith("Bearer ", r.Authorization, StringComparison.Ordinal));
        Assert.NotEmpty(hub.CdnGets);
        Assert.All(hub.Requests.Where(r => r.Cdn), r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task Progress_reports_every_file_ending_complete()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        using var cache = new TempFolder();
        var reports = new List<HubProgress>();
        var progress = new ListProgress(reports);

        await HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), new HubOptions(hub.Endpoint, null, false, cache.Path), progress);

        var last = reports.GroupBy(r => r.File).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal(5, last.Count);
        Assert.All(last.Values, r => Assert.True(r.Completed));
        Assert.Equal(repo.Files[Shard].Content.Length, last[Shard].BytesDone);
        Assert.Equal(repo.Files[Shard].Content.Length, last[Shard].TotalBytes);
    }

    private sealed class ListProgress(List<HubProgress> reports) : IProgress<HubProgress>
    {
        public void Report(HubProgress value)
        {
            lock (reports)
                reports.Add(value);
        }
    }
}
