// Shared helpers for the IFEval tests: build one check from JSON kwargs, and find the shared dataset folder.
using Alloy.Evaluation.Graders.IfEval;

namespace Alloy.Evaluation.Tests.IfEval;

internal static class IfEvalTestSupport
{
    /// <summary>Builds the check <paramref name="id"/> from <paramref name="kwargsJson"/> and runs it on <paramref name="response"/>.</summary>
    public static bool Follows(string id, string kwargsJson, string response) =>
        IfEvalRegistry.Create(id, kwargsJson, "test").IsFollowedBy(response);

    /// <summary>A one-prompt <see cref="IfEvalPrompt"/> from (id, kwargs JSON) pairs.</summary>
    public static IfEvalPrompt Prompt(long key, params (string Id, string Kwargs)[] instructions) =>
        new(key, "test prompt", [.. instructions.Select(i => IfEvalRegistry.Create(i.Id, i.Kwargs, "test"))]);

    /// <summary>The repository root: the nearest folder above the test binaries that holds Alloy.slnx.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A file under <c>&lt;repo&gt;/../shared</c> (the shared data beside the clone), or null when absent.</summary>
    public static string? SharedFile(params string[] parts)
    {
        var path = Path.Combine([Path.GetDirectoryName(RepoRoot)!, "shared", .. parts]);
        return File.Exists(path) ? path : null;
    }

    /// <summary>A committed fixture under tests/fixtures.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([RepoRoot, "tests", "fixtures", .. parts]);

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Alloy.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find Alloy.slnx above " + AppContext.BaseDirectory);
    }
}
