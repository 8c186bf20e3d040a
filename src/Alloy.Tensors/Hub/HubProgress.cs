// One progress report of a hub download: which file, how many of its bytes are on disk, out of how many.
// Data only; the CLI turns these into progress bars, library callers may pass no progress at all.
namespace Alloy.Tensors.Hub;

/// <summary>The state of one file's download.</summary>
/// <param name="File">The repository path of the file.</param>
/// <param name="BytesDone">Bytes of the file on disk so far (resumed bytes included).</param>
/// <param name="TotalBytes">The file's size, or -1 when the hub did not say.</param>
/// <param name="Completed">True on the last report of the file (downloaded, verified and linked, or already cached).</param>
public readonly record struct HubProgress(string File, long BytesDone, long TotalBytes, bool Completed);
