// Writes an output folder atomically: everything goes to a hidden temporary folder beside the
// target, which is renamed into place only when complete. An interrupted run leaves no half folder.
namespace Alloy.Tensors.IO;

/// <summary>
/// A temporary folder beside <see cref="Target"/> (same file system, so the final rename is atomic).
/// <see cref="Commit"/> renames it to the target; disposing without committing deletes it.
/// </summary>
public sealed class StagingFolder : IDisposable
{
    private bool _done;

    private StagingFolder(string target, string path, bool overwrite)
    {
        Target = target;
        Path = path;
        Overwrite = overwrite;
    }

    /// <summary>The folder the output will have when complete.</summary>
    public string Target { get; }

    /// <summary>The temporary folder to write into.</summary>
    public string Path { get; }

    /// <summary>Whether an existing target is replaced on commit.</summary>
    public bool Overwrite { get; }

    /// <summary>
    /// Creates the temporary folder for <paramref name="target"/>.
    /// </summary>
    /// <exception cref="AlloyInputException">The target exists and <paramref name="overwrite"/> is false, or it is a file.</exception>
    public static StagingFolder Create(string target, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var full = System.IO.Path.GetFullPath(target).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        if (File.Exists(full))
            throw new AlloyInputException($"{target}: is a file; the output must be a folder path");
        if (Directory.Exists(full) && !overwrite)
            throw new AlloyInputException($"{target}: already exists; choose another output folder or pass --force to replace it");
        var parent = System.IO.Path.GetDirectoryName(full) ?? throw new AlloyInputException($"{target}: cannot write to the root folder");
        try
        {
            Directory.CreateDirectory(parent);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AlloyInputException($"{target}: cannot create its parent folder: {e.Message}", e);
        }
        var name = System.IO.Path.GetFileName(full);
        var temp = System.IO.Path.Combine(parent, $".{name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 30, 200)]);
        Directory.CreateDirectory(temp);
        return new StagingFolder(full, temp, overwrite);
    }

    /// <summary>Moves the finished temporary folder to <see cref="Target"/>, replacing it when allowed.</summary>
    public void Commit()
    {
        if (_done)
            throw new InvalidOperationException("the staging folder was already committed or discarded");
        string? old = null;
        if (Directory.Exists(Target))
        {
            if (!Overwrite)
                throw new AlloyInputException($"{Target}: appeared while the output was being written; pass --force to replace it");
            old = Path + ".old";
            Directory.Move(Target, old);
        }
        Directory.Move(Path, Target);
        _done = true;
        if (old != null)
            Directory.Delete(old, recursive: true);
    }

    /// <summary>Deletes the temporary folder unless it was committed.</summary>
    public void Dispose()
    {
        if (_done)
            return;
        _done = true;
        try
        {
            if (Directory.Exists(Path))
                Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
