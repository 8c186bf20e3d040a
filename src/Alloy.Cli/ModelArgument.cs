// The one place where a verb's MODEL argument becomes a local path: an existing file or folder stays as it is,
// an `org/name[@revision]` is fetched from the hub (or found in the cache when HF_HUB_OFFLINE is set).
using Alloy.Tensors.Hub;

namespace Alloy.Cli;

internal static class ModelArgument
{
    /// <summary>
    /// The environment the hub settings are read from: null means the process environment. Tests set it
    /// (it flows with the async context) so that they never change the process's variables.
    /// </summary>
    internal static readonly AsyncLocal<Func<string, string?>?> Environment = new();

    /// <summary>HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE and the cache folder, from <see cref="Environment"/>.</summary>
    public static HubOptions HubOptions() =>
        Alloy.Tensors.Hub.HubOptions.FromEnvironment(Environment.Value ?? System.Environment.GetEnvironmentVariable);

    /// <summary>The local path for a MODEL argument; download progress (if any) goes to the terminal's stderr.</summary>
    public static string Resolve(string value) => Resolve(value, System.Console.Error);

    /// <summary>The local path for a MODEL argument; download progress goes to <paramref name="stderr"/> when it is the terminal.</summary>
    public static string Resolve(string value, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (File.Exists(value) || Directory.Exists(value) || !ModelReference.TryParse(value, out _, out _))
            return value;
        var options = HubOptions();
        try
        {
            return HubProgressBars.Run(stderr, progress => HubModelResolver.ResolveAsync(value, options, progress));
        }
        catch (HttpRequestException e)
        {
            // Most often a mistyped local path that happens to look like org/name, or no network: say both.
            throw new Alloy.Tensors.AlloyInputException(
                $"'{value}' is not a local path, and fetching it as a hub model from {options.Endpoint} failed: {e.Message}; check the path, or the network (HF_ENDPOINT, HF_HUB_OFFLINE=1 for the cache only)", e);
        }
    }
}
