// `alloy pull` and hub references as MODEL arguments, against the loopback fake hub; the hub settings come
// from an injected environment (ModelArgument.Environment), never from the process's variables.
using Alloy.Tensors.Tests.Hub;

namespace Alloy.Cli.Tests;

public class PullCommandTests
{
    private const string Commit = "4444444444444444444444444444444444444444";

    private static void UseHub(FakeHub? hub, string cache, bool offline = false)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HF_ENDPOINT"] = hub?.Endpoint.ToString() ?? "http://127.0.0.1:9",
            ["HF_HUB_CACHE"] = cache,
            ["HF_HUB_OFFLINE"] = offline ? "1" : "0",
        };
        ModelArgument.Environment.Value = name => variables.GetValueOrDefault(name);
    }

    [Fact]
    public async Task Pull_prints_the_snapshot_folder_and_a_second_pull_offline_prints_the_same()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        using var cache = new TempFolder();
        UseHub(hub, cache.Path);

        var result = CliRunner.Run("pull", "acme/tiny");

        Assert.Equal(0, result.ExitCode);
        var folder = result.Stdout.Trim();
        Assert.Equal(Path.Combine(cache.Path, "models--acme--tiny", "snapshots", Commit), folder);
        Assert.Equal(repo.Files["config.json"].Content, File.ReadAllBytes(Path.Combine(folder, "config.json")));
        Assert.Equal("", result.Stderr);

        UseHub(hub, cache.Path, offline: true);
        var requests = hub.Requests.Count;
        var offline = CliRunner.Run("pull", "acme/tiny@main");
        Assert.Equal(0, offline.ExitCode);
        Assert.Equal(folder, offline.Stdout.Trim());
        Assert.Equal(requests, hub.Requests.Count);
    }

    [Fact]
    public async Task An_unknown_repository_exits_2_naming_it()
    {
        await using var hub = await FakeHub.StartAsync();
        using var cache = new TempFolder();
        UseHub(hub, cache.Path);

        var result = CliRunner.Run("pull", "acme/absent");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("acme/absent", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("HF_TOKEN", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_the_hub_cannot_serve_exits_2_naming_the_repository_and_the_file()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.AddModel("acme/tiny", Commit).Missing.Add("special_tokens_map.json");
        using var cache = new TempFolder();
        UseHub(hub, cache.Path);

        var result = CliRunner.Run("pull", "acme/tiny");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("acme/tiny", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("special_tokens_map.json", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_hash_exits_1_without_a_stack_trace_and_caches_nothing()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.AddModel("acme/tiny", Commit);
        var etag = repo.Files["model-00002-of-00002.safetensors"].ETag;
        hub.Corrupt.Add(etag);
        using var cache = new TempFolder();
        UseHub(hub, cache.Path);

        var result = CliRunner.Run("pull", "acme/tiny");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("sha256", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cache.Path, "models--acme--tiny", "blobs", etag)));
    }

    [Fact]
    public void Offline_on_a_cold_cache_and_a_malformed_reference_exit_2()
    {
        using var cache = new TempFolder();
        UseHub(null, cache.Path, offline: true);

        var cold = CliRunner.Run("pull", "acme/tiny");
        Assert.Equal(2, cold.ExitCode);
        Assert.Contains("HF_HUB_OFFLINE", cold.Stderr, StringComparison.Ordinal);
        Assert.Contains("acme/tiny", cold.Stderr, StringComparison.Ordinal);

        var malformed = CliRunner.Run("pull", "acme/ti--ny");
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("org/name@revision", malformed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_and_tokenize_take_a_hub_reference_as_model()
    {
        using var work = new TempFolder();
        var local = TinyChatModel.Create(work.Sub("tiny"));
        await using var hub = await FakeHub.StartAsync();
        hub.AddFolder("acme/tiny-chat", Commit, local);
        UseHub(hub, work.Sub("cache"));

        var inspect = CliRunner.Run("inspect", "acme/tiny-chat", "--json");
        Assert.Equal(0, inspect.ExitCode);
        Assert.Contains(Commit, inspect.Stdout, StringComparison.Ordinal);

        var fromHub = CliRunner.Run("tokenize", "acme/tiny-chat", "--text", "hi", "--json");
        var fromFolder = CliRunner.Run("tokenize", local, "--text", "hi", "--json");
        Assert.Equal(0, fromHub.ExitCode);
        Assert.Equal(fromFolder.Stdout, fromHub.Stdout);
    }

    [Fact]
    public async Task A_merge_config_may_name_hub_models_with_and_without_a_revision()
    {
        using var work = new TempFolder();
        var local = TinyChatModel.Create(work.Sub("tiny"));
        await using var hub = await FakeHub.StartAsync();
        hub.AddFolder("acme/tiny-chat", Commit, local);
        UseHub(hub, work.Sub("cache"));
        var config = work.File("merge.yml");
        File.WriteAllText(config, $"merge_method: linear\nmodels:\n  - model: acme/tiny-chat\n    parameters: {{weight: 0.5}}\n  - model: acme/tiny-chat@{Commit}\n    parameters: {{weight: 0.5}}\n");

        var result = CliRunner.Run("merge", config, "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("plan:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sweep_spec_may_name_hub_models()
    {
        using var work = new TempFolder();
        var local = TinyChatModel.Create(work.Sub("tiny"));
        await using var hub = await FakeHub.StartAsync();
        hub.AddFolder("acme/tiny-chat", Commit, local);
        hub.AddFolder("acme/tiny-instruct", Commit, local);
        UseHub(hub, work.Sub("cache"));
        var spec = work.File("sweep.yml");
        File.WriteAllText(spec, $"models:\n  thinking: acme/tiny-chat\n  instruct: acme/tiny-instruct@{Commit}\nmethods:\n  - method: linear\n    lambda: [0.5]\nbenchmarks:\n  - name: aime25\n    samples: 1\noutput: runs/x\n");

        var result = CliRunner.Run("sweep", spec, "--dry-run");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("linear-l0.50", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_argument_that_is_neither_a_local_path_nor_a_reachable_hub_model_exits_2_saying_both()
    {
        using var work = new TempFolder();
        UseHub(null, work.Sub("cache"));

        var result = CliRunner.Run("inspect", "nowhere/model");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'nowhere/model' is not a local path", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}
