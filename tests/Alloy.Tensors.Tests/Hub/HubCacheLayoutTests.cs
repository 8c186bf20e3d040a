// A pull from the loopback hub leaves exactly the huggingface_hub cache layout: blobs named by ETag,
// refs/main holding the commit, snapshot entries that are relative links to ../../blobs/X; skipped files stay away.
using Alloy.Tensors.Hub;

namespace Alloy.Tensors.Tests.Hub;

public class HubCacheLayoutTests
{
    private const string Commit = "1111111111111111111111111111111111111111";

    [Fact]
    public async Task Pull_writes_blobs_refs_and_relative_snapshot_links()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var snapshot = await HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), options);

        var root = Path.Combine(cache.Path, "models--acme--tiny");
        Assert.Equal(Path.Combine(root, "snapshots", Commit), snapshot);
        Assert.Equal(["blobs", "refs", "snapshots"], Directory.GetFileSystemEntries(root).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(Commit, File.ReadAllText(Path.Combine(root, "refs", "main")));
        Assert.Equal(["main"], Directory.GetFiles(Path.Combine(root, "refs")).Select(p => Path.GetFileName(p)).ToArray());

        string[] wanted = ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "tokenizer.json"];
        Assert.Equal(wanted, Directory.GetFileSystemEntries(snapshot).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray());
        var blobs = Directory.GetFileSystemEntries(Path.Combine(root, "blobs")).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(wanted.Select(f => repo.Files[f].ETag).Order(StringComparer.Ordinal).ToArray(), blobs);
        foreach (var file in wanted)
        {
            var entry = new FileInfo(Path.Combine(snapshot, file));
            Assert.Equal($"../../blobs/{repo.Files[file].ETag}", entry.LinkTarget);
            Assert.Equal(repo.Files[file].Content, File.ReadAllBytes(entry.FullName));
        }
        // LFS blobs are named by their sha256, the others by their git blob id.
        Assert.Equal(64, repo.Files["model-00001-of-00002.safetensors"].ETag.Length);
        Assert.Equal(40, repo.Files["config.json"].ETag.Length);
        Assert.DoesNotContain(hub.Requests, r => r.Path.Contains("README", StringComparison.Ordinal) || r.Path.Contains(".bin", StringComparison.Ordinal) || r.Path.Contains("onnx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_pull_downloads_nothing_and_a_shared_blob_is_linked_not_fetched()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.AddModel("acme/tiny", Commit);
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);
        var reference = ModelReference.Parse("acme/tiny");
        await HubModelResolver.SnapshotAsync(reference, options);
        var firstCdnGets = hub.CdnGets.Count();
        Assert.Equal(2, firstCdnGets);

        var again = await HubModelResolver.SnapshotAsync(reference, options);
        Assert.Equal(firstCdnGets, hub.CdnGets.Count());
        Assert.True(File.Exists(Path.Combine(again, "config.json")));

        // A snapshot entry that was removed while its blob stayed is linked again without a body transfer.
        File.Delete(Path.Combine(again, "model-00001-of-00002.safetensors"));
        await HubModelResolver.SnapshotAsync(reference, options);
        Assert.Equal(firstCdnGets, hub.CdnGets.Count());
        Assert.True(File.Exists(Path.Combine(again, "model-00001-of-00002.safetensors")));
    }

    [Fact]
    public async Task Two_files_with_the_same_content_share_one_blob_fetched_once()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        var shard = repo.Files["model-00001-of-00002.safetensors"];
        repo.Files["model.safetensors"] = shard;
        using var cache = new TempFolder();

        var snapshot = await HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny"), new HubOptions(hub.Endpoint, null, false, cache.Path) { ParallelDownloads = 8 });

        Assert.Single(hub.CdnGets, r => r.Path == $"/cdn/{shard.ETag}");
        Assert.Equal(new FileInfo(Path.Combine(snapshot, "model.safetensors")).LinkTarget, new FileInfo(Path.Combine(snapshot, "model-00001-of-00002.safetensors")).LinkTarget);
        Assert.Equal(shard.Content, File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
    }

    [Fact]
    public async Task A_commit_revision_writes_no_ref_and_a_tag_writes_its_own()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        repo.Branches["v1"] = Commit;
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var byCommit = await HubModelResolver.SnapshotAsync(ModelReference.Parse($"acme/tiny@{Commit}"), options);
        Assert.False(Directory.Exists(Path.Combine(cache.Path, "models--acme--tiny", "refs")));
        var byTag = await HubModelResolver.SnapshotAsync(ModelReference.Parse("acme/tiny@v1"), options);
        Assert.Equal(byCommit, byTag);
        Assert.Equal(Commit, File.ReadAllText(Path.Combine(cache.Path, "models--acme--tiny", "refs", "v1")));
    }
}

public class HubCachePathTests
{
    [Theory]
    [InlineData("../evil")]
    [InlineData("a/../../evil")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\b")]
    [InlineData("")]
    public void Names_from_the_hub_cannot_leave_the_repository_folder(string name)
    {
        var cache = new HubCache("/tmp/cache", ModelReference.Parse("acme/tiny"));
        Assert.Throws<AlloyInputException>(() => cache.SnapshotFile("1111111111111111111111111111111111111111", name));
        Assert.Throws<AlloyInputException>(() => cache.RefPath(name));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Blob_and_commit_names_are_single_path_parts(string name)
    {
        var cache = new HubCache("/tmp/cache", ModelReference.Parse("acme/tiny"));
        Assert.Throws<AlloyInputException>(() => cache.BlobPath(name));
        Assert.Throws<AlloyInputException>(() => cache.SnapshotFolder(name));
    }

    [Fact]
    public void Nested_revisions_and_files_map_to_nested_folders()
    {
        var cache = new HubCache("/tmp/cache", ModelReference.Parse("acme/tiny"));
        Assert.Equal("/tmp/cache/models--acme--tiny/refs/refs/pr/1", cache.RefPath("refs/pr/1"));
        Assert.Equal("/tmp/cache/models--acme--tiny/snapshots/c/sub/f.json", cache.SnapshotFile("c", "sub/f.json"));
    }
}
