// The huggingface_hub cache layout of one model repository, shared with Python tools:
// models--org--name/{blobs/<etag>, refs/<revision> (holds the commit), snapshots/<commit>/<file> -> ../../blobs/<etag>}.
// Paths and small file operations only; no network (HubDownloader fills blobs).
namespace Alloy.Tensors.Hub;

/// <summary>The cache folder of one repository and the paths inside it.</summary>
public sealed class HubCache
{
    /// <summary>The cache of <paramref name="reference"/>'s repository under <paramref name="cacheFolder"/>.</summary>
    public HubCache(string cacheFolder, ModelReference reference)
    {
        ArgumentNullException.ThrowIfNull(cacheFolder);
        ArgumentNullException.ThrowIfNull(reference);
        RepoFolder = Path.Combine(Path.GetFullPath(cacheFolder), reference.CacheFolderName);
    }

    /// <summary>models--org--name.</summary>
    public string RepoFolder { get; }

    /// <summary>Where blobs live, named by ETag (the sha256 for LFS files, the git blob id for others).</summary>
    public string BlobsFolder => Path.Combine(RepoFolder, "blobs");

    /// <summary>The blob named <paramref name="etag"/>.</summary>
    public string BlobPath(string etag) => Path.Combine(BlobsFolder, CheckedName(etag, "ETag"));

    /// <summary>A blob being downloaded (resumed from its length on the next attempt).</summary>
    public string IncompletePath(string etag) => BlobPath(etag) + ".incomplete";

    /// <summary>The file that holds the commit a revision (branch, tag) pointed to when it was last resolved.</summary>
    public string RefPath(string revision) => Path.Combine(RepoFolder, "refs", RelativeChecked(revision, "revision"));

    /// <summary>The snapshot folder of <paramref name="commit"/>.</summary>
    public string SnapshotFolder(string commit) => Path.Combine(RepoFolder, "snapshots", CheckedName(commit, "commit"));

    /// <summary>The snapshot entry of <paramref name="file"/> (a repository-relative path with '/').</summary>
    public string SnapshotFile(string commit, string file) => Path.Combine(SnapshotFolder(commit), RelativeChecked(file, "file name"));

    /// <summary>The commit recorded for <paramref name="revision"/>, or null when the cache has none.</summary>
    public string? ReadRef(string revision)
    {
        var path = RefPath(revision);
        if (!File.Exists(path))
            return null;
        var commit = File.ReadAllText(path).Trim();
        return commit.Length == 0 ? null : commit;
    }

    /// <summary>Records that <paramref name="revision"/> points to <paramref name="commit"/> (written to a temp file, then renamed).</summary>
    public void WriteRef(string revision, string commit)
    {
        var path = RefPath(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(temp, commit);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Makes the snapshot entry of <paramref name="file"/> a relative symbolic link to the blob <paramref name="etag"/>,
    /// as huggingface_hub does; where links cannot be made the blob is copied instead.
    /// </summary>
    public string LinkSnapshotFile(string commit, string file, string etag)
    {
        var blob = BlobPath(etag);
        var entry = SnapshotFile(commit, file);
        var folder = Path.GetDirectoryName(entry)!;
        Directory.CreateDirectory(folder);
        if (File.Exists(entry) || new FileInfo(entry).LinkTarget != null)
            File.Delete(entry);
        try
        {
            File.CreateSymbolicLink(entry, Path.GetRelativePath(folder, blob));
        }
        catch (IOException)
        {
            File.Copy(blob, entry);
        }
        catch (UnauthorizedAccessException)
        {
            File.Copy(blob, entry);
        }
        return entry;
    }

    /// <summary>
    /// The snapshot folder the cache holds for <paramref name="reference"/> (a commit directly, or a branch or tag
    /// through its ref file), or null when there is none.
    /// </summary>
    public string? CachedSnapshot(ModelReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var commit = reference.IsCommitHash ? reference.Revision : ReadRef(reference.Revision);
        if (commit == null)
            return null;
        var folder = SnapshotFolder(commit);
        return Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() ? folder : null;
    }

    /// <summary>True when the snapshot entry exists and (if a link) its blob is there.</summary>
    public bool HasSnapshotFile(string commit, string file) => File.Exists(SnapshotFile(commit, file));

    private static string CheckedName(string name, string what)
    {
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0)
            throw new AlloyInputException($"the hub sent a {what} '{name}' that cannot be a cache file name");
        return name;
    }

    // Repository paths and revisions use '/', never go up, never start at the root.
    private static string RelativeChecked(string path, string what)
    {
        var parts = path.Split('/');
        if (path.Length == 0 || path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal)
            || parts.Any(p => p.Length == 0 || p is "." or ".."))
            throw new AlloyInputException($"the {what} '{path}' is not a relative path inside the repository");
        return Path.Combine(parts);
    }
}
