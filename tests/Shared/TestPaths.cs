// Shared by every test project (linked in by Directory.Build.props): finds the repository root,
// the committed fixtures and the shared data beside the clone (../shared), and makes temp folders.
namespace Alloy.Testing;

/// <summary>Paths to the repository, its committed fixtures and the shared folder beside it.</summary>
internal static class TestPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds Alloy.slnx.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A path under tests/fixtures.</summary>
    public static string Fixtures(params string[] parts) => Path.Combine([RepoRoot, "tests", "fixtures", .. parts]);

    /// <summary>A file under &lt;repo&gt;/../shared, or null when it does not exist (tests then skip with a message).</summary>
    public static string? SharedFile(params string[] parts)
    {
        var parent = Path.GetDirectoryName(RepoRoot);
        if (parent is null)
            return null;
        var path = Path.Combine([parent, "shared", .. parts]);
        return File.Exists(path) ? path : null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Alloy.slnx")))
                return dir.FullName;
        throw new InvalidOperationException($"no Alloy.slnx above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "alloy-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder (file or sub-folder; nothing is created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Same as <see cref="File"/>, for sub-folders.</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
