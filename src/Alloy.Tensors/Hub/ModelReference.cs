// A Hugging Face model reference, `org/name[@revision]`: parsing and validation only.
// It does not look at the disk or the network; HubModelResolver decides whether a string is a local path first.
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Alloy.Tensors.Hub;

/// <summary>A model repository on the hub and the revision (branch, tag or commit) wanted from it.</summary>
/// <param name="RepoId">The repository, <c>org/name</c>.</param>
/// <param name="Revision">A branch, a tag, a <c>refs/pr/N</c> or a 40-hex commit; <c>main</c> when not given.</param>
public sealed partial record ModelReference(string RepoId, string Revision)
{
    /// <summary>The revision used when a reference names none.</summary>
    public const string DefaultRevision = "main";

    /// <summary>True when <see cref="Revision"/> is a full commit hash (40 lower-case hex digits).</summary>
    public bool IsCommitHash => CommitPattern().IsMatch(Revision);

    /// <summary>The folder name of this repository in the hub cache, <c>models--org--name</c>.</summary>
    public string CacheFolderName => "models--" + RepoId.Replace("/", "--", StringComparison.Ordinal);

    /// <summary>Parses <c>org/name[@revision]</c>; throws <see cref="AlloyInputException"/> saying what is wrong.</summary>
    public static ModelReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out var reference, out var error))
            throw new AlloyInputException($"'{text}' is not a hub model reference: {error}. Expected org/name or org/name@revision, e.g. Qwen/Qwen3-0.6B@main");
        return reference;
    }

    /// <summary>Parses <c>org/name[@revision]</c>; false (and why) when the text is not one.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ModelReference? reference, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        reference = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var repo = at < 0 ? text : text[..at];
        var revision = at < 0 ? DefaultRevision : text[(at + 1)..];
        error = RepoIdError(repo) ?? RevisionError(revision);
        if (error != null)
            return false;
        reference = new ModelReference(repo, revision);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Revision == DefaultRevision ? RepoId : $"{RepoId}@{Revision}";

    // The hub's own rules (with the namespace required, as bare legacy names would clash with local folders): two parts, each of letters, digits, '-', '_', '.', at most 96 characters in all,
    // no "--" or ".." anywhere, and no part starting or ending with '-' or '.'.
    private static string? RepoIdError(string repo)
    {
        if (repo.Length == 0)
            return "the repository id is empty";
        if (repo.Length > 96)
            return $"the repository id has {repo.Length} characters, at most 96 are allowed";
        var parts = repo.Split('/');
        if (parts.Length != 2)
            return parts.Length < 2 ? "the repository id needs its organisation or user, org/name" : "the repository id has more than one '/'";
        foreach (var part in parts)
        {
            if (part.Length == 0)
                return "a part of the repository id is empty";
            if (!PartPattern().IsMatch(part))
                return $"'{part}' may hold only letters, digits, '-', '_' and '.'";
            if (part.Contains("--", StringComparison.Ordinal) || part.Contains("..", StringComparison.Ordinal))
                return $"'{part}' contains '--' or '..'";
            if (part[0] is '-' or '.' || part[^1] is '-' or '.')
                return $"'{part}' starts or ends with '-' or '.'";
        }
        return null;
    }

    private static string? RevisionError(string revision)
    {
        if (revision.Length == 0)
            return "the revision after '@' is empty";
        if (!RevisionPattern().IsMatch(revision))
            return $"the revision '{revision}' may hold only letters, digits, '-', '_', '.' and '/'";
        if (revision.Contains("..", StringComparison.Ordinal) || revision.StartsWith('/') || revision.EndsWith('/') || revision.Contains("//", StringComparison.Ordinal))
            return $"the revision '{revision}' has an empty or '..' path part";
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex PartPattern();

    [GeneratedRegex("^[A-Za-z0-9_./-]+$")]
    private static partial Regex RevisionPattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
