// What the hub says about a revision (its commit and file list) and about one file (ETag, size, LFS or not).
// Data only; HubDownloader fills these from the revision API and from HEAD requests on resolve URLs.
namespace Alloy.Tensors.Hub;

/// <summary>A revision resolved to its commit, with the repository paths of every file at that commit.</summary>
public sealed record HubRevision(string Commit, IReadOnlyList<string> Files);

/// <summary>The metadata of one file at one commit.</summary>
/// <param name="ETag">The blob's name in the cache: the sha256 for LFS files, the git blob id for others (quotes and W/ removed).</param>
/// <param name="Size">Bytes, or -1 when the hub did not say.</param>
/// <param name="Commit">The commit the hub served (X-Repo-Commit), or null.</param>
/// <param name="IsLfs">True when the hub sent X-Linked-Etag: the ETag is then the file's sha256 and is checked.</param>
public sealed record HubFileMetadata(string ETag, long Size, string? Commit, bool IsLfs);
