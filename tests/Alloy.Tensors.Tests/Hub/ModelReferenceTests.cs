// Parsing and validation of `org/name[@revision]`, and the helpers that pick settings and files.
using Alloy.Tensors.Hub;

namespace Alloy.Tensors.Tests.Hub;

public class ModelReferenceTests
{
    [Theory]
    [InlineData("Qwen/Qwen3-0.6B", "Qwen/Qwen3-0.6B", "main")]
    [InlineData("Qwen/Qwen3-0.6B@v1.0", "Qwen/Qwen3-0.6B", "v1.0")]
    [InlineData("org/name@refs/pr/12", "org/name", "refs/pr/12")]
    [InlineData("org/my_model.v2@0123456789abcdef0123456789abcdef01234567", "org/my_model.v2", "0123456789abcdef0123456789abcdef01234567")]
    public void Parses_repository_and_revision(string text, string repo, string revision)
    {
        var reference = ModelReference.Parse(text);
        Assert.Equal(repo, reference.RepoId);
        Assert.Equal(revision, reference.Revision);
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpt2")]
    [InlineData("org/")]
    [InlineData("/name")]
    [InlineData("a/b/c")]
    [InlineData("org/na--me")]
    [InlineData("org/na..me")]
    [InlineData("org/-name")]
    [InlineData("org/name.")]
    [InlineData("./models/x")]
    [InlineData("org/na me")]
    [InlineData("org/name@")]
    [InlineData("org/name@../x")]
    [InlineData("org/name@a b")]
    public void Rejects_what_the_hub_would_reject(string text)
    {
        Assert.False(ModelReference.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        var e = Assert.Throws<AlloyInputException>(() => ModelReference.Parse(text));
        Assert.Contains("org/name@revision", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_repository_id_over_96_characters()
    {
        Assert.False(ModelReference.TryParse("org/" + new string('a', 93), out _, out var error));
        Assert.Contains("96", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_folder_name_follows_huggingface_hub()
    {
        Assert.Equal("models--Qwen--Qwen3-0.6B", ModelReference.Parse("Qwen/Qwen3-0.6B@dev").CacheFolderName);
        Assert.True(ModelReference.Parse("a/b@0123456789abcdef0123456789abcdef01234567").IsCommitHash);
        Assert.False(ModelReference.Parse("a/b@main").IsCommitHash);
        Assert.Equal("a/b", ModelReference.Parse("a/b").ToString());
        Assert.Equal("a/b@dev", ModelReference.Parse("a/b@dev").ToString());
    }

    [Theory]
    [InlineData("model.safetensors", true)]
    [InlineData("model-00001-of-00004.safetensors", true)]
    [InlineData("model.safetensors.index.json", true)]
    [InlineData("config.json", true)]
    [InlineData("generation_config.json", true)]
    [InlineData("tokenizer.json", true)]
    [InlineData("tokenizer_config.json", true)]
    [InlineData("special_tokens_map.json", true)]
    [InlineData("chat_template.jinja", true)]
    [InlineData("vocab.json", true)]
    [InlineData("merges.txt", true)]
    [InlineData("pytorch_model.bin", false)]
    [InlineData("README.md", false)]
    [InlineData("onnx/model.safetensors", false)]
    [InlineData("original/config.json", false)]
    public void Selects_only_the_files_alloy_reads(string file, bool needed) =>
        Assert.Equal(needed, HubFileSelection.IsNeeded(file));
}

public class HubOptionsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Defaults_are_the_public_hub_and_the_home_cache()
    {
        var options = HubOptions.FromEnvironment(Env(("HOME", "/home/u")));
        Assert.Equal(new Uri("https://huggingface.co"), options.Endpoint);
        Assert.Null(options.Token);
        Assert.False(options.Offline);
        Assert.Equal("/home/u/.cache/huggingface/hub", options.CacheFolder);
    }

    [Fact]
    public void Hf_hub_cache_wins_over_hf_home_which_wins_over_xdg()
    {
        Assert.Equal("/c", HubOptions.FromEnvironment(Env(("HF_HUB_CACHE", "/c"), ("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/x"), ("HOME", "/u"))).CacheFolder);
        Assert.Equal("/h/hub", HubOptions.FromEnvironment(Env(("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/x"), ("HOME", "/u"))).CacheFolder);
        Assert.Equal("/x/huggingface/hub", HubOptions.FromEnvironment(Env(("XDG_CACHE_HOME", "/x"), ("HOME", "/u"))).CacheFolder);
        Assert.Equal("/u/hfc", HubOptions.FromEnvironment(Env(("HF_HUB_CACHE", "~/hfc"), ("HOME", "/u"))).CacheFolder);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("on", true)]
    [InlineData("0", false)]
    [InlineData("", false)]
    public void Offline_accepts_the_values_huggingface_hub_accepts(string value, bool offline) =>
        Assert.Equal(offline, HubOptions.FromEnvironment(Env(("HF_HUB_OFFLINE", value), ("HOME", "/u"))).Offline);

    [Fact]
    public void Endpoint_and_token_come_from_the_environment()
    {
        var options = HubOptions.FromEnvironment(Env(("HF_ENDPOINT", "http://mirror.local:8080/"), ("HF_TOKEN", "hf_abc"), ("HOME", "/u")));
        Assert.Equal(new Uri("http://mirror.local:8080"), options.Endpoint);
        Assert.Equal("hf_abc", options.Token);
    }

    [Fact]
    public void A_bad_endpoint_is_a_clear_error()
    {
        var e = Assert.Throws<AlloyInputException>(() => HubOptions.FromEnvironment(Env(("HF_ENDPOINT", "ftp://x"), ("HOME", "/u"))));
        Assert.Contains("HF_ENDPOINT", e.Message, StringComparison.Ordinal);
    }
}
