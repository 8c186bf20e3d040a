// Locates the repository's committed fixtures and the shared benchmark data (<repo>/../shared) from the test assembly.
// Tests that need shared data skip with a message when it is absent.
namespace Alloy.Evaluation.Tests;

internal static class TestPaths
{
    /// <summary>The repository root: the first ancestor of the test assembly folder holding Alloy.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Fixture(params string[] parts) => Path.Combine([RepositoryRoot, "tests", "fixtures", .. parts]);

    /// <summary>A file under &lt;repo&gt;/../shared, or null when it does not exist.</summary>
    public static string? SharedFile(params string[] parts)
    {
        string? parent = Path.GetDirectoryName(RepositoryRoot);
        if (parent is null) return null;
        string path = Path.Combine([parent, "shared", .. parts]);
        return File.Exists(path) ? path : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Alloy.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Alloy.slnx above {AppContext.BaseDirectory}.");
    }
}
