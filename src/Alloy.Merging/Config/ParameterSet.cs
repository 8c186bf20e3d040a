// One `parameters:` block (global, per slice, per model or per slice source): names to values, in file order.
// Also mergekit's precedence walk over several blocks. It does not check names against a method (the validator does).
using System.Collections.Immutable;

namespace Alloy.Merging.Config;

/// <summary>
/// The parameters written in one <c>parameters:</c> block, in file order, each with its position.
/// Immutable. <see cref="Empty"/> stands for an absent block.
/// </summary>
public sealed class ParameterSet
{
    private readonly ImmutableDictionary<string, ParameterValue> _byName;

    /// <summary>Creates a set from (name, value) pairs in file order; names must be distinct.</summary>
    /// <exception cref="ArgumentException">A name appears twice.</exception>
    public ParameterSet(IEnumerable<ParameterEntry> entries, SourcePosition? position)
    {
        var ordered = entries.ToImmutableArray();
        var builder = ImmutableDictionary.CreateBuilder<string, ParameterValue>(StringComparer.Ordinal);
        foreach (var entry in ordered) builder.Add(entry.Name, entry.Value);
        _byName = builder.ToImmutable();
        Entries = ordered;
        Position = position;
    }

    /// <summary>An absent <c>parameters:</c> block.</summary>
    public static ParameterSet Empty { get; } = new([], null);

    /// <summary>The parameters in file order.</summary>
    public ImmutableArray<ParameterEntry> Entries { get; }

    /// <summary>Where the <c>parameters:</c> key is, or null when the block is absent.</summary>
    public SourcePosition? Position { get; }

    /// <summary>Number of parameters in the block.</summary>
    public int Count => Entries.Length;

    /// <summary>The parameter names in file order.</summary>
    public IEnumerable<string> Names => Entries.Select(e => e.Name);

    /// <summary>Looks a parameter up by exact name.</summary>
    public bool TryGetValue(string name, out ParameterValue value) => _byName.TryGetValue(name, out value!);

    /// <summary>True when the block sets <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>
    /// mergekit's precedence: walks <paramref name="levels"/> from highest to lowest precedence
    /// (slice source or per-model block, then output slice, then global) and returns the first value that
    /// resolves for this tensor. A filter list with no matching entry does not stop the walk.
    /// Returns null when no level resolves; the caller applies the method's default or reports a missing parameter.
    /// </summary>
    /// <param name="levels">Parameter blocks, highest precedence first.</param>
    /// <param name="name">The parameter name.</param>
    /// <param name="tensorName">The tensor's name, matched against filters as a substring.</param>
    /// <param name="layerIndex">The layer index inside its slice, or null for tensors outside the layers.</param>
    /// <param name="sliceLayerCount">The number of layers in the slice.</param>
    public static ParameterScalar? Resolve(
        IEnumerable<ParameterSet> levels, string name, string tensorName, int? layerIndex, int sliceLayerCount)
    {
        var t = ParameterValue.GradientPosition(layerIndex, sliceLayerCount);
        foreach (var level in levels)
        {
            if (!level.TryGetValue(name, out var value)) continue;
            if (value.ResolveAt(tensorName, t) is { } resolved) return resolved;
        }
        return null;
    }
}

/// <summary>One parameter of a block: its name, where the name is written, and its value.</summary>
/// <param name="Name">The parameter name.</param>
/// <param name="NamePosition">Where the name (the mapping key) is.</param>
/// <param name="Value">The value, which carries its own position.</param>
public sealed record ParameterEntry(string Name, SourcePosition NamePosition, ParameterValue Value);
