// HF_HUB_OFFLINE uses a warm cache without one request and fails clearly on a cold one; the resolver keeps
// existing local paths and non-references as they are and sends `org/name[@rev]` to the hub.
using Alloy.Tensors.Hub;

namespace Alloy.Tensors.Tests.Hub;

public class HubOfflineAndResolverTests
{
    private const string Commit = "3333333333333333333333333333333333333333";

    [Fact]
    public async Task Offline_mode_uses_a_warm_cache_without_any_request()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.AddModel("acme/tiny", Commit);
        using var cache = new TempFolder();
        var online = await HubModelResolver.ResolveAsync("acme/tiny", new HubOptions(hub.Endpoint, null, false, cache.Path));
        var requests = hub.Requests.Count;

        var offline = new HubOptions(hub.Endpoint, null, true, cache.Path);
        Assert.Equal(online, await HubModelResolver.ResolveAsync("acme/tiny", offline));
        Assert.Equal(online, await HubModelResolver.ResolveAsync($"acme/tiny@{Commit}", offline));
        Assert.Equal(requests, hub.Requests.Count);
    }

    [Fact]
    public async Task Offline_mode_on_a_cold_cache_names_the_variable_the_model_and_the_cache()
    {
        using var cache = new TempFolder();
        var offline = new HubOptions(new Uri("http://127.0.0.1:9"), null, true, cache.Path);

        var e = await Assert.ThrowsAsync<AlloyInputException>(() => HubModelResolver.ResolveAsync("acme/tiny@v2", offline));

        Assert.Contains("HF_HUB_OFFLINE", e.Message, StringComparison.Ordinal);
        Assert.Contains("acme/tiny@v2", e.Message, StringComparison.Ordinal);
        Assert.Contains(cache.Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_mode_refuses_the_downloader_itself()
    {
        using var cache = new TempFolder();
        using var downloader = new HubDownloader(new HubOptions(new Uri("http://127.0.0.1:9"), null, true, cache.Path));
        var e = await Assert.ThrowsAsync<AlloyInputException>(() => downloader.DownloadSnapshotAsync(ModelReference.Parse("acme/tiny")));
        Assert.Contains("HF_HUB_OFFLINE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_local_folder_that_looks_like_a_reference_stays_local()
    {
        using var work = new TempFolder();
        var local = Directory.CreateDirectory(Path.Combine(work.Path, "acme", "tiny")).FullName;
        var options = new HubOptions(new Uri("http://127.0.0.1:9"), null, false, work.Sub("cache"));
        var previous = Environment.CurrentDirectory;
        Assert.Equal(local, await HubModelResolver.ResolveAsync(local, options));
        Assert.Equal("./not/a-reference/x", await HubModelResolver.ResolveAsync("./not/a-reference/x", options));
        Assert.Equal(previous, Environment.CurrentDirectory);
    }

    [Fact]
    public async Task A_reference_that_is_no_local_path_is_fetched_and_a_missing_one_says_so()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.AddModel("acme/tiny", Commit);
        using var cache = new TempFolder();
        var options = new HubOptions(hub.Endpoint, null, false, cache.Path);

        var folder = await HubModelResolver.ResolveAsync("acme/tiny", options);
        Assert.True(File.Exists(Path.Combine(folder, "config.json")));

        var e = await Assert.ThrowsAsync<HubAccessException>(() => HubModelResolver.ResolveAsync("acme/other", options));
        Assert.Contains("not a local path either", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_hub_falls_back_to_a_warm_cache_and_is_an_error_on_a_cold_one()
    {
        using var cache = new TempFolder();
        await using (var hub = await FakeHub.StartAsync())
        {
            hub.AddModel("acme/tiny", Commit);
            await HubModelResolver.ResolveAsync("acme/tiny", new HubOptions(hub.Endpoint, null, false, cache.Path));
        }
        var unreachable = new HubOptions(new Uri("http://127.0.0.1:9"), null, false, cache.Path);

        var folder = await HubModelResolver.ResolveAsync("acme/tiny", unreachable);
        Assert.EndsWith(Commit, folder, StringComparison.Ordinal);

        await Assert.ThrowsAsync<HttpRequestException>(() => HubModelResolver.ResolveAsync("acme/other", unreachable));
    }
}
