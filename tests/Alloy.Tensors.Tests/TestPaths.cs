// Locates the repository's committed fixtures and the shared folder beside the clone (../shared).
namespace Alloy.Tensors.Tests;

internal static class TestPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds Alloy.slnx.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Fixtures(params string[] parts) => Path.Combine([RepoRoot, "tests", "fixtures", .. parts]);

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Alloy.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find Alloy.slnx above " + AppContext.BaseDirectory);
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

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
