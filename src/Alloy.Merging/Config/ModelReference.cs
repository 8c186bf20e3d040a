// A model as a config names it: a local path or a Hugging Face id, optionally with @revision.
// Parsing only: the path is not opened or checked here (resolving models is the plan's job).
using Alloy.Tensors;

namespace Alloy.Merging.Config;

/// <summary>
/// A model reference, <c>path_or_repo[@revision]</c>. Equality compares <see cref="Path"/> and
/// <see cref="Revision"/> only (ordinal), so the same model named twice in a file is one model.
/// </summary>
public sealed record ModelReference(string Path, string? Revision, SourcePosition Position)
{
    /// <summary>
    /// Parses mergekit's model reference form <c>path_or_repo[@revision][+lora[@revision]]</c>.
    /// A LoRA suffix is recognised and refused (not supported yet); more than one '@' in a part, an empty
    /// path or an empty revision is an error.
    /// </summary>
    /// <exception cref="AlloyInputException">The text is not a valid reference, or it names a LoRA.</exception>
    public static ModelReference Parse(string text, SourcePosition position, string field)
    {
        var trimmed = text.Trim();
        var plus = trimmed.Split('+');
        if (plus.Length > 2)
            throw ConfigErrors.At(position, $"{field} {ConfigErrors.Quote(text)} has more than one '+'",
                "expected path_or_repo[@revision], optionally with one +lora");
        if (plus.Length == 2)
            throw ConfigErrors.At(position, $"{field} {ConfigErrors.Quote(text)} attaches a LoRA ('+{plus[1]}'), which is not supported yet",
                "merge the LoRA into its model first and name the merged folder");
        var at = trimmed.Split('@');
        if (at.Length > 2)
            throw ConfigErrors.At(position, $"{field} {ConfigErrors.Quote(text)} has more than one '@'",
                "expected path_or_repo[@revision]");
        var path = at[0];
        var revision = at.Length == 2 ? at[1] : null;
        if (path.Length == 0)
            throw ConfigErrors.At(position, $"{field} is empty", "expected a local folder or a Hugging Face id such as Qwen/Qwen3-4B");
        if (revision is { Length: 0 })
            throw ConfigErrors.At(position, $"{field} {ConfigErrors.Quote(text)} has an empty revision after '@'",
                "expected path_or_repo@revision (a branch, tag or commit) or no '@'");
        return new ModelReference(path, revision, position);
    }

    /// <summary>True when both name the same path and revision (positions are ignored).</summary>
    public bool Equals(ModelReference? other) =>
        other is not null && string.Equals(Path, other.Path, StringComparison.Ordinal) &&
        string.Equals(Revision, other.Revision, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Path, Revision);

    /// <summary>The reference as written: <c>path</c> or <c>path@revision</c>.</summary>
    public override string ToString() => Revision is null ? Path : $"{Path}@{Revision}";
}
