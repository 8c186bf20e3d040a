// Turns a MODEL argument into a local folder: an existing local path stays as it is; an `org/name[@revision]`
// that is not a local path becomes its hub snapshot (downloaded, or from the cache only when offline).
namespace Alloy.Tensors.Hub;

/// <summary>Resolves model arguments that may be local paths or hub references.</summary>
public static class HubModelResolver
{
    /// <summary>
    /// The local path for <paramref name="pathOrReference"/>: itself when a file or folder of that name exists or it is
    /// not a hub reference (the caller then reports the missing path); otherwise the snapshot folder of the reference.
    /// </summary>
    public static async Task<string> ResolveAsync(string pathOrReference, HubOptions options, IProgress<HubProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pathOrReference);
        ArgumentNullException.ThrowIfNull(options);
        if (File.Exists(pathOrReference) || Directory.Exists(pathOrReference))
            return pathOrReference;
        if (!ModelReference.TryParse(pathOrReference, out var reference, out _))
            return pathOrReference;
        return await SnapshotAsync(reference, options, progress, cancellationToken, $"; '{pathOrReference}' is not a local path either").ConfigureAwait(false);
    }

    /// <summary>The local path for <paramref name="pathOrReference"/> (see <see cref="ResolveAsync"/>), waited for.</summary>
    public static string Resolve(string pathOrReference, HubOptions options, IProgress<HubProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ResolveAsync(pathOrReference, options, progress, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// The snapshot folder of <paramref name="reference"/>: downloaded (only the missing files) when online, or
    /// taken from the cache when <see cref="HubOptions.Offline"/> is set (an error naming the cache when it is not there)
    /// or when the hub cannot be reached at all and the cache has the revision.
    /// </summary>
    public static Task<string> SnapshotAsync(ModelReference reference, HubOptions options, IProgress<HubProgress>? progress = null, CancellationToken cancellationToken = default) =>
        SnapshotAsync(reference, options, progress, cancellationToken, "");

    private static async Task<string> SnapshotAsync(ModelReference reference, HubOptions options, IProgress<HubProgress>? progress, CancellationToken cancellationToken, string notFoundSuffix)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Offline)
        {
            var cache = new HubCache(options.CacheFolder, reference);
            return cache.CachedSnapshot(reference)
                ?? throw new AlloyInputException(
                    $"HF_HUB_OFFLINE is set and {reference} is not in the hub cache ({cache.RepoFolder} has no snapshot for revision {reference.Revision}); "
                    + "run 'alloy pull' without HF_HUB_OFFLINE first, or point HF_HUB_CACHE at a cache that has it");
        }
        using var downloader = new HubDownloader(options);
        try
        {
            return await downloader.DownloadSnapshotAsync(reference, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (HubAccessException e) when (notFoundSuffix.Length > 0)
        {
            throw new HubAccessException(e.Message + notFoundSuffix, e.StatusCode);
        }
        catch (HttpRequestException e) when (e.StatusCode == null && new HubCache(options.CacheFolder, reference).CachedSnapshot(reference) is { } cached)
        {
            // The hub could not be reached at all: like huggingface_hub, use the complete snapshot the cache already has.
            return cached;
        }
    }
}
