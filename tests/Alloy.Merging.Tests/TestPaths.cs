// Locates the repository's committed fixtures from the test binaries (the folder holding Alloy.slnx).
namespace Alloy.Merging.Tests;

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
