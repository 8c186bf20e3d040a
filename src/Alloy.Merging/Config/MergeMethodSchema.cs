// What a merge method accepts in a config: parameter names, types, defaults, whether it needs a base model,
// and how many models it merges. Data only; the mergekit list is in MethodSchemas.cs, the math in Methods/.
using System.Collections.Immutable;

namespace Alloy.Merging.Config;

/// <summary>The value type a parameter accepts.</summary>
public enum ParameterType
{
    /// <summary>A finite number: scalar, gradient, or filter list of those.</summary>
    Number,
    /// <summary>An integer: scalar or filter list of integral scalars (no gradient).</summary>
    Integer,
    /// <summary>true/false: scalar or filter list of booleans (no gradient).</summary>
    Boolean,
    /// <summary>One word of <see cref="MergeParameterSchema.Choices"/>: scalar or filter list of words (no gradient).</summary>
    Choice,
}

/// <summary>Where a parameter applies.</summary>
public enum ParameterScope
{
    /// <summary>Once per merged tensor (e.g. slerp's <c>t</c>, <c>normalize</c>): set in the top-level or a slice's <c>parameters</c>.</summary>
    Global,
    /// <summary>
    /// Once per input model (e.g. <c>weight</c>, <c>density</c>): set under a model or slice source, or in a
    /// top-level or slice <c>parameters</c> block as the value for every model.
    /// </summary>
    PerModel,
}

/// <summary>Whether a method uses <c>base_model</c>.</summary>
public enum BaseModelUse
{
    /// <summary>The method needs a base model (task vectors are taken against it, or it is slerp's t = 0 end).</summary>
    Required,
    /// <summary>The method works with or without a base model.</summary>
    Optional,
    /// <summary>The method has no base: a <c>base_model</c> given anyway is merged as one more input model.</summary>
    NotUsed,
}

/// <summary>One parameter a method accepts.</summary>
/// <param name="Name">The name as written in YAML (e.g. "weight", "lambda").</param>
/// <param name="Type">The value type.</param>
/// <param name="Scope">Per tensor (global) or per input model.</param>
/// <param name="Required">True when the merge cannot run without it (per-model: for every model but the base).</param>
/// <param name="Default">The value used when the config does not set it; null for required parameters and for optional ones with no default.</param>
/// <param name="Choices">The accepted words of a <see cref="ParameterType.Choice"/> parameter; null otherwise.</param>
public sealed record MergeParameterSchema(
    string Name, ParameterType Type, ParameterScope Scope, bool Required, ParameterScalar? Default, IReadOnlyList<string>? Choices = null);

/// <summary>
/// What one merge method accepts. Model counts are per output slice and count the input models other
/// than the base (for <see cref="BaseModelUse.NotUsed"/> methods every input counts, the base included).
/// </summary>
/// <param name="Name">The method name as written after <c>merge_method:</c>.</param>
/// <param name="BaseModel">Whether the method uses a base model.</param>
/// <param name="MinOtherModels">Fewest non-base models per slice.</param>
/// <param name="MaxOtherModels">Most non-base models per slice, or null for no limit.</param>
/// <param name="Parameters">The accepted parameters.</param>
public sealed record MergeMethodSchema(
    string Name,
    BaseModelUse BaseModel,
    int MinOtherModels,
    int? MaxOtherModels,
    ImmutableArray<MergeParameterSchema> Parameters)
{
    /// <summary>Finds a parameter by exact name.</summary>
    public MergeParameterSchema? FindParameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

/// <summary>
/// The set of merge methods a config may name. The config layer validates against this; the lead can pass
/// a table that lists only the methods the engine implements, or <see cref="MethodSchemas.Mergekit"/>.
/// </summary>
public interface IMergeMethodSchemaLookup
{
    /// <summary>The known method names, in a stable order (used to list them in errors).</summary>
    IReadOnlyList<string> MethodNames { get; }

    /// <summary>Finds a method by exact (case-sensitive) name.</summary>
    bool TryGet(string methodName, out MergeMethodSchema schema);
}

/// <summary>An immutable <see cref="IMergeMethodSchemaLookup"/> over a list of schemas.</summary>
public sealed class MergeMethodSchemaTable : IMergeMethodSchemaLookup
{
    private readonly ImmutableDictionary<string, MergeMethodSchema> _byName;

    /// <summary>Creates the table; method names must be distinct.</summary>
    /// <exception cref="ArgumentException">Two schemas share a name.</exception>
    public MergeMethodSchemaTable(IEnumerable<MergeMethodSchema> schemas)
    {
        var list = schemas.ToImmutableArray();
        _byName = list.ToImmutableDictionary(s => s.Name, StringComparer.Ordinal);
        MethodNames = list.Select(s => s.Name).ToImmutableArray();
        Schemas = list;
    }

    /// <summary>The schemas in table order.</summary>
    public ImmutableArray<MergeMethodSchema> Schemas { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> MethodNames { get; }

    /// <inheritdoc/>
    public bool TryGet(string methodName, out MergeMethodSchema schema) => _byName.TryGetValue(methodName, out schema!);

    /// <summary>A table holding only the named methods of this one, in this table's order.</summary>
    /// <exception cref="ArgumentException">A name is not in this table.</exception>
    public MergeMethodSchemaTable Only(params string[] methodNames)
    {
        foreach (var name in methodNames)
            if (!_byName.ContainsKey(name)) throw new ArgumentException($"unknown method '{name}'", nameof(methodNames));
        return new MergeMethodSchemaTable(Schemas.Where(s => methodNames.Contains(s.Name)));
    }
}
