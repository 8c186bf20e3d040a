// Whole-file writes that a reader never sees half done: write a temporary file beside the target, flush it to disk,
// rename it over the target. For small files (JSON, CSV, plots); model folders use StagingFolder.
using System.Text;

namespace Alloy.Tensors.IO;

/// <summary>Atomic whole-file writes.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) to <paramref name="path"/> atomically, creating its folder.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/>: first to <c>path.tmp-&lt;random&gt;</c> in the same
    /// folder, flushed to disk, then renamed over <paramref name="path"/>. The temporary file is deleted if writing fails.
    /// </summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
