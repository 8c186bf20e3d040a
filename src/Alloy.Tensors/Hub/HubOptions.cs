// Where the hub is and how to reach it (endpoint, token, offline switch, cache folder), read from the
// environment variables huggingface_hub uses, or built directly so that tests never touch the process environment.
namespace Alloy.Tensors.Hub;

/// <summary>Settings of the hub client.</summary>
/// <param name="Endpoint">The hub's base address (HF_ENDPOINT), e.g. https://huggingface.co.</param>
/// <param name="Token">A bearer token (HF_TOKEN), or null for anonymous access.</param>
/// <param name="Offline">True (HF_HUB_OFFLINE=1) to use the cache only and never connect.</param>
/// <param name="CacheFolder">The hub cache (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub).</param>
public sealed record HubOptions(Uri Endpoint, string? Token, bool Offline, string CacheFolder)
{
    /// <summary>The public hub.</summary>
    public static readonly Uri DefaultEndpoint = new("https://huggingface.co");

    /// <summary>How many times one file's download is tried (each retry resumes from the bytes already on disk).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>How many files of a snapshot are downloaded at once.</summary>
    public int ParallelDownloads { get; init; } = 4;

    /// <summary>Settings from the process environment.</summary>
    public static HubOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Settings from an environment given as a lookup (null for an unset variable).</summary>
    public static HubOptions FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var endpointText = NonEmpty(variable("HF_ENDPOINT"));
        Uri endpoint = DefaultEndpoint;
        if (endpointText != null
            && (!Uri.TryCreate(endpointText.TrimEnd('/'), UriKind.Absolute, out endpoint!) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
            throw new AlloyInputException($"HF_ENDPOINT '{endpointText}' is not an http(s) address; set it to e.g. https://huggingface.co or unset it");
        var token = NonEmpty(variable("HF_TOKEN"));
        var offline = IsTrue(variable("HF_HUB_OFFLINE"));
        return new HubOptions(endpoint, token, offline, CacheFolderFrom(variable));
    }

    private static string CacheFolderFrom(Func<string, string?> variable)
    {
        var cache = NonEmpty(variable("HF_HUB_CACHE"));
        if (cache != null)
            return ExpandHome(cache, variable);
        var home = NonEmpty(variable("HF_HOME"));
        if (home != null)
            return Path.Combine(ExpandHome(home, variable), "hub");
        var xdg = NonEmpty(variable("XDG_CACHE_HOME"));
        var cacheRoot = xdg != null ? ExpandHome(xdg, variable) : Path.Combine(UserHome(variable), ".cache");
        return Path.Combine(cacheRoot, "huggingface", "hub");
    }

    private static string ExpandHome(string path, Func<string, string?> variable) =>
        path == "~" ? UserHome(variable)
        : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome(variable), path[2..])
        : path;

    private static string UserHome(Func<string, string?> variable) =>
        NonEmpty(variable("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // huggingface_hub counts 1, ON, YES and TRUE (any case) as set.
    private static bool IsTrue(string? value) =>
        value != null && value.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";
}
