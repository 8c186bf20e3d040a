// The three forms a merge parameter can take in a config (scalar, gradient, filter list) and how one
// resolves for a given tensor and layer. It does not know which parameters a method accepts (see MethodSchemas).
using System.Collections.Immutable;
using System.Globalization;

namespace Alloy.Merging.Config;

/// <summary>A resolved parameter value: a number, a boolean, or a word (for choice parameters).</summary>
public readonly record struct ParameterScalar
{
    private ParameterScalar(bool isBoolean, double number, bool boolean, string? text)
    {
        IsBoolean = isBoolean;
        Number = number;
        Boolean = boolean;
        Text = text;
    }

    /// <summary>True when the value is a boolean.</summary>
    public bool IsBoolean { get; }

    /// <summary>True when the value is a word (<see cref="Text"/> is set).</summary>
    public bool IsText => Text is not null;

    /// <summary>True when the value is a number.</summary>
    public bool IsNumber => !IsBoolean && !IsText;

    /// <summary>The number (0 unless <see cref="IsNumber"/>). Always finite: the parser refuses NaN and infinities.</summary>
    public double Number { get; }

    /// <summary>The boolean (false unless <see cref="IsBoolean"/>).</summary>
    public bool Boolean { get; }

    /// <summary>The word, or null unless <see cref="IsText"/>.</summary>
    public string? Text { get; }

    /// <summary>A number value.</summary>
    public static ParameterScalar Of(double number) => new(false, number, false, null);

    /// <summary>A boolean value.</summary>
    public static ParameterScalar Of(bool boolean) => new(true, 0, boolean, null);

    /// <summary>A word value (the value of a choice parameter).</summary>
    public static ParameterScalar Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(false, 0, false, text);
    }

    /// <summary>The value as YAML would write it: <c>true</c>/<c>false</c>, the shortest round-trip number, or the word.</summary>
    public override string ToString() =>
        IsText ? Text! : IsBoolean ? (Boolean ? "true" : "false") : Number.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// A parameter value as written in a config. Three forms:
/// <list type="bullet">
/// <item><see cref="ScalarParameterValue"/>: <c>weight: 0.5</c>, <c>normalize: true</c>, or a word for a choice parameter.</item>
/// <item><see cref="GradientParameterValue"/>: <c>t: [0, 0.5, 1]</c>, anchors spread evenly over a slice's layers.</item>
/// <item><see cref="FilteredParameterValue"/>: <c>- filter: self_attn / value: ...</c> entries, first match wins.</item>
/// </list>
/// </summary>
public abstract record ParameterValue(SourcePosition Position)
{
    /// <summary>
    /// Resolves the value for one tensor. <paramref name="layerIndex"/> is the layer's index inside its
    /// slice (0-based) and <paramref name="sliceLayerCount"/> the number of layers the slice has; pass a
    /// null index for tensors outside the layer stack (embeddings, final norm, lm_head), which read the
    /// gradient at position 0 (its first anchor), as mergekit does since its multi-module planner.
    /// Returns null when the value is a filter list and no entry matches <paramref name="tensorName"/>:
    /// the caller then falls through to the next, lower-precedence parameter set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A layer index outside [0, sliceLayerCount).</exception>
    public ParameterScalar? Resolve(string tensorName, int? layerIndex, int sliceLayerCount) =>
        ResolveAt(tensorName, GradientPosition(layerIndex, sliceLayerCount));

    /// <summary>
    /// Resolves the value at gradient position <paramref name="t"/> in [0, 1] (see <see cref="GradientPosition"/>).
    /// Returns null when no filter entry matches.
    /// </summary>
    public abstract ParameterScalar? ResolveAt(string tensorName, double t);

    /// <summary>
    /// mergekit's gradient position of a layer: t = index / (count − 1) for a slice of count &gt; 1 layers,
    /// t = 1 for a one-layer slice (so a one-layer slice reads the <em>last</em> anchor), and t = 0 for a
    /// tensor outside the layer stack (null index).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A layer index outside [0, sliceLayerCount).</exception>
    public static double GradientPosition(int? layerIndex, int sliceLayerCount)
    {
        if (layerIndex is not { } index) return 0;
        if (sliceLayerCount <= 0 || index < 0 || index >= sliceLayerCount)
            throw new ArgumentOutOfRangeException(nameof(layerIndex), index, $"layer index must lie in [0, {sliceLayerCount})");
        return sliceLayerCount > 1 ? (double)index / (sliceLayerCount - 1) : 1.0;
    }
}

/// <summary>A single number, boolean or word, the same for every tensor and layer.</summary>
public sealed record ScalarParameterValue(ParameterScalar Value, SourcePosition Position) : ParameterValue(Position)
{
    /// <inheritdoc/>
    public override ParameterScalar? ResolveAt(string tensorName, double t) => Value;
}

/// <summary>
/// A list of N ≥ 1 numeric anchors spread evenly over a slice's layers and linearly interpolated:
/// with s = t·(N − 1), i₀ = ⌊s⌋, i₁ = min(N − 1, i₀ + 1) and f = s − i₀, the value is
/// (1 − f)·a[i₀] + f·a[i₁]. Anchors are finite, so the result is finite.
/// Example: [0, 0.5, 1] over 5 layers gives 0, 0.25, 0.5, 0.75, 1.
/// </summary>
public sealed record GradientParameterValue(ImmutableArray<double> Anchors, SourcePosition Position) : ParameterValue(Position)
{
    /// <inheritdoc/>
    public override ParameterScalar? ResolveAt(string tensorName, double t) => ParameterScalar.Of(Interpolate(Anchors.AsSpan(), t));

    /// <summary>Piecewise-linear interpolation of <paramref name="anchors"/> at position t ∈ [0, 1] (see the type's summary).</summary>
    public static double Interpolate(ReadOnlySpan<double> anchors, double t)
    {
        if (anchors.Length == 0) throw new ArgumentException("a gradient needs at least one anchor", nameof(anchors));
        var scaled = t * (anchors.Length - 1);
        var i0 = (int)scaled;
        var i1 = Math.Min(anchors.Length - 1, i0 + 1);
        var fraction = scaled - i0;
        return (1 - fraction) * anchors[i0] + fraction * anchors[i1];
    }

    /// <summary>The anchors as YAML would write them.</summary>
    public override string ToString() =>
        "[" + string.Join(", ", Anchors.Select(a => a.ToString("R", CultureInfo.InvariantCulture))) + "]";
}

/// <summary>
/// One entry of a filter list: when <see cref="Filter"/> is null (or "*") the entry matches every tensor;
/// otherwise it matches tensors whose name contains the filter as a substring (ordinal, case-sensitive).
/// </summary>
/// <param name="Filter">The substring, or null for the default entry.</param>
/// <param name="Value">A <see cref="ScalarParameterValue"/> or <see cref="GradientParameterValue"/>.</param>
/// <param name="Position">Where the entry starts.</param>
public sealed record ParameterFilterEntry(string? Filter, ParameterValue Value, SourcePosition Position)
{
    /// <summary>True for the default entry (no filter, or the filter "*").</summary>
    public bool IsDefault => Filter is null || Filter == "*";

    /// <summary>
    /// mergekit's match rule: the default entry always matches; a filter matches when the tensor name is
    /// non-empty and contains the filter.
    /// </summary>
    public bool Matches(string tensorName) =>
        IsDefault || (tensorName.Length > 0 && tensorName.Contains(Filter!, StringComparison.Ordinal));
}

/// <summary>
/// A list of filter entries; the <em>first</em> entry whose filter matches the tensor name decides the value.
/// When none matches, the value is absent (null) and resolution falls through to the next parameter set.
/// </summary>
public sealed record FilteredParameterValue(ImmutableArray<ParameterFilterEntry> Entries, SourcePosition Position) : ParameterValue(Position)
{
    /// <inheritdoc/>
    public override ParameterScalar? ResolveAt(string tensorName, double t)
    {
        foreach (var entry in Entries)
            if (entry.Matches(tensorName))
                return entry.Value.ResolveAt(tensorName, t);
        return null;
    }

    /// <summary>True when the list ends in a default entry, so it resolves for every tensor.</summary>
    public bool HasDefault => Entries.Any(e => e.IsDefault);
}
