// The two comparison relations IFEval instructions use ("less than", "at least") and their exact meaning.
// Not a general comparison type: upstream has no "at most", "exactly" or "more than".
using Alloy.Tensors;

namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>How an observed count is compared with an instruction's threshold.</summary>
public enum IfEvalRelation
{
    /// <summary>"less than": passes when count &lt; threshold (strict, so a count equal to the threshold fails).</summary>
    LessThan,

    /// <summary>"at least": passes when count ≥ threshold (a count equal to the threshold passes).</summary>
    AtLeast,
}

/// <summary>Parsing and evaluation of <see cref="IfEvalRelation"/>.</summary>
public static class IfEvalRelations
{
    /// <summary>
    /// Parses the exact upstream spellings "less than" and "at least" (case-sensitive, as upstream).
    /// Anything else throws <see cref="AlloyInputException"/> naming <paramref name="where"/>.
    /// </summary>
    public static IfEvalRelation Parse(string text, string where) => text switch
    {
        "less than" => IfEvalRelation.LessThan,
        "at least" => IfEvalRelation.AtLeast,
        _ => throw new AlloyInputException($"{where}: relation '{text}' is not supported; use \"less than\" or \"at least\"."),
    };

    /// <summary>True when <paramref name="count"/> satisfies the relation against <paramref name="threshold"/>.</summary>
    public static bool Holds(this IfEvalRelation relation, int count, int threshold) => relation switch
    {
        IfEvalRelation.LessThan => count < threshold,
        IfEvalRelation.AtLeast => count >= threshold,
        _ => throw new ArgumentOutOfRangeException(nameof(relation), relation, "Unknown relation."),
    };
}
