// The parsed merge config as immutable records: method, models or slices, parameters, dtypes, tokenizer,
// chat template and Alloy's scope and options. Values only; no file access and no tensor work.
using System.Collections.Immutable;
using Alloy.Tensors;
using RescaleMode = Alloy.Merging.Methods.RescaleMode;
using TrimScope = Alloy.Merging.Methods.TrimScope;

namespace Alloy.Merging.Config;

/// <summary>
/// A parsed and validated merge config (mergekit's YAML schema plus Alloy's extensions).
/// Exactly one of <see cref="Models"/> and <see cref="Slices"/> is non-empty.
/// </summary>
/// <param name="SourceFile">The file name the config was parsed under (used in error messages).</param>
/// <param name="Method">The merge method's schema (its <see cref="MergeMethodSchema.Name"/> is <c>merge_method</c>).</param>
/// <param name="BaseModel">The top-level <c>base_model</c>, or null.</param>
/// <param name="Models">The <c>models:</c> form: every input model over all its layers (empty when slices are used).</param>
/// <param name="Slices">The <c>slices:</c> form: output slices in order (empty when models are used).</param>
/// <param name="Parameters">The top-level <c>parameters</c> (lowest precedence).</param>
/// <param name="DType">The compute dtype inputs are converted to (<c>dtype</c>), or null for the inputs' own.</param>
/// <param name="OutDType">The dtype written (<c>out_dtype</c>), or null for the compute dtype.</param>
/// <param name="Tokenizer">The tokenizer policy (<c>tokenizer_source</c> or <c>tokenizer:</c>), or null to copy the donor's tokenizer.</param>
/// <param name="ChatTemplate">The chat template override, or null to keep the donor's.</param>
/// <param name="Name">The optional <c>name</c> of the merge.</param>
/// <param name="Scope">Alloy's merge scope (layers, modules, copy_from).</param>
/// <param name="Options">Alloy's options (seed, rescale mode, trim scope).</param>
public sealed record MergeConfig(
    string SourceFile,
    MergeMethodSchema Method,
    ModelReference? BaseModel,
    ImmutableArray<InputModel> Models,
    ImmutableArray<OutputSlice> Slices,
    ParameterSet Parameters,
    DType? DType,
    DType? OutDType,
    TokenizerPolicy? Tokenizer,
    ChatTemplatePolicy? ChatTemplate,
    string? Name,
    MergeScope Scope,
    MergeOptions Options)
{
    /// <summary>True for the <c>slices:</c> form.</summary>
    public bool UsesSlices => !Slices.IsDefaultOrEmpty;

    /// <summary>Every distinct model the config names (base first, then in file order), the scope's copy_from included.</summary>
    public ImmutableArray<ModelReference> ReferencedModels()
    {
        var seen = new List<ModelReference>();
        void Add(ModelReference? m)
        {
            if (m is not null && !seen.Contains(m)) seen.Add(m);
        }
        Add(BaseModel);
        foreach (var m in Models) Add(m.Model);
        foreach (var s in Slices)
        {
            Add(s.BaseModel);
            foreach (var source in s.Sources) Add(source.Model);
        }
        Add(Scope.CopyFrom);
        if (Tokenizer?.Source.Model is { } tokenizerModel) Add(tokenizerModel);
        return [.. seen];
    }

    /// <summary>
    /// The parameter blocks that apply to one input model, highest precedence first, for
    /// <see cref="ParameterSet.Resolve"/>. <c>models:</c> form: the model's own block, then the global block
    /// (pass <paramref name="sliceIndex"/> 0). <c>slices:</c> form: the source's block, the slice's block, then
    /// the global block. A null <paramref name="modelIndex"/> (a merge-wide parameter) skips the per-model block.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index outside the config's models, slices or sources.</exception>
    public IEnumerable<ParameterSet> ParameterLevels(int sliceIndex, int? modelIndex)
    {
        if (UsesSlices)
        {
            var slice = Slices[sliceIndex];
            if (modelIndex is { } m) yield return slice.Sources[m].Parameters;
            yield return slice.Parameters;
        }
        else
        {
            if (sliceIndex != 0) throw new ArgumentOutOfRangeException(nameof(sliceIndex), sliceIndex, "the models: form has one slice");
            if (modelIndex is { } m) yield return Models[m].Parameters;
        }
        yield return Parameters;
    }
}

/// <summary>One entry of <c>models:</c>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Parameters">Its <c>parameters</c> (per-model values; highest precedence).</param>
/// <param name="Position">Where the entry starts.</param>
public sealed record InputModel(ModelReference Model, ParameterSet Parameters, SourcePosition Position);

/// <summary>A half-open layer range [Start, End) as <c>layer_range: [start, end]</c> writes it.</summary>
public readonly record struct LayerRange(int Start, int End)
{
    /// <summary>Number of layers in the range.</summary>
    public int Count => End - Start;

    /// <summary>The range as YAML writes it.</summary>
    public override string ToString() => $"[{Start}, {End}]";
}

/// <summary>One entry of a slice's <c>sources:</c>.</summary>
/// <param name="Model">The model the layers come from.</param>
/// <param name="LayerRange">Its layers, half-open.</param>
/// <param name="Parameters">Its <c>parameters</c> (highest precedence).</param>
/// <param name="Position">Where the entry starts.</param>
public sealed record SliceSource(ModelReference Model, LayerRange LayerRange, ParameterSet Parameters, SourcePosition Position);

/// <summary>One entry of <c>slices:</c>: output layers made from equally long source ranges.</summary>
/// <param name="Sources">The sources; all cover the same number of layers.</param>
/// <param name="BaseModel">This slice's own <c>base_model</c>, or null to use the top-level one.</param>
/// <param name="Parameters">The slice's <c>parameters</c> (between per-source and global precedence).</param>
/// <param name="Position">Where the slice starts.</param>
public sealed record OutputSlice(ImmutableArray<SliceSource> Sources, ModelReference? BaseModel, ParameterSet Parameters, SourcePosition Position)
{
    /// <summary>Number of output layers the slice makes.</summary>
    public int LayerCount => Sources[0].LayerRange.Count;
}

/// <summary>Which vocabulary the output model gets.</summary>
public enum TokenizerSourceKind
{
    /// <summary>The base model's vocabulary.</summary>
    Base,
    /// <summary>The union of all input vocabularies.</summary>
    Union,
    /// <summary>One named model's vocabulary.</summary>
    Model,
}

/// <summary>The tokenizer source: base, union, or a model.</summary>
/// <param name="Kind">Which kind.</param>
/// <param name="Model">The model for <see cref="TokenizerSourceKind.Model"/>, else null.</param>
public sealed record TokenizerSource(TokenizerSourceKind Kind, ModelReference? Model);

/// <summary>Where a listed token's embedding comes from.</summary>
public enum TokenEmbeddingSourceKind
{
    /// <summary>No source given: mergekit's default fill rules.</summary>
    Default,
    /// <summary>The same token's row in a named model.</summary>
    Model,
    /// <summary>Another token's row (by text or id) in a named model (<c>kind: model_token</c>).</summary>
    ModelToken,
    /// <summary>A zero row (<c>kind: zero</c>).</summary>
    Zero,
}

/// <summary>One entry of <c>tokenizer.tokens</c>.</summary>
/// <param name="Token">The token text (the mapping key).</param>
/// <param name="SourceKind">Where its embedding comes from.</param>
/// <param name="Model">The model for Model and ModelToken sources, else null.</param>
/// <param name="SourceToken">For ModelToken by text: the token in <paramref name="Model"/>, else null.</param>
/// <param name="SourceTokenId">For ModelToken by id: the id in <paramref name="Model"/>, else null.</param>
/// <param name="Force">True to use this embedding for every model, not only those missing the token.</param>
/// <param name="Position">Where the token key is.</param>
public sealed record TokenOverride(
    string Token,
    TokenEmbeddingSourceKind SourceKind,
    ModelReference? Model,
    string? SourceToken,
    long? SourceTokenId,
    bool Force,
    SourcePosition Position);

/// <summary>How the output tokenizer and embedding rows are built.</summary>
/// <param name="Source">The vocabulary source.</param>
/// <param name="Tokens">Per-token embedding overrides (empty for <c>tokenizer_source</c>).</param>
/// <param name="PadToMultipleOf">Pad the vocabulary to a multiple of this, or null.</param>
/// <param name="FromLegacyField">True when written as <c>tokenizer_source</c> rather than <c>tokenizer:</c>.</param>
/// <param name="Position">Where the field is.</param>
public sealed record TokenizerPolicy(
    TokenizerSource Source,
    ImmutableArray<TokenOverride> Tokens,
    int? PadToMultipleOf,
    bool FromLegacyField,
    SourcePosition Position);

/// <summary>The kind of chat template override.</summary>
public enum ChatTemplateKind
{
    /// <summary><c>auto</c>: the most common template among the input models.</summary>
    Auto,
    /// <summary>One of mergekit's built-in names (chatml, llama3, alpaca, mistral, exaone).</summary>
    BuiltIn,
    /// <summary>A literal Jinja template.</summary>
    Literal,
}

/// <summary>The <c>chat_template</c> override.</summary>
/// <param name="Kind">Auto, a built-in name, or a literal template.</param>
/// <param name="Value">"auto", the built-in name, or the template text.</param>
/// <param name="Position">Where the value is.</param>
public sealed record ChatTemplatePolicy(ChatTemplateKind Kind, string Value, SourcePosition Position)
{
    /// <summary>mergekit's built-in template names.</summary>
    public static ImmutableArray<string> BuiltInNames { get; } = ["chatml", "llama3", "alpaca", "mistral", "exaone"];
}

/// <summary>A module class of a transformer, as Alloy's <c>modules:</c> scope names it.</summary>
public enum ModelModule
{
    /// <summary>Attention projections (q, k, v, o and their q/k norms).</summary>
    Attention,
    /// <summary>The feed-forward block (gate, up, down; experts and router in MoE).</summary>
    Mlp,
    /// <summary>Layer norms, including the final norm.</summary>
    Norms,
    /// <summary>The token embedding matrix.</summary>
    Embeddings,
    /// <summary>The output projection (lm_head).</summary>
    LmHead,
}

/// <summary>An inclusive interval of layer indices, first ≤ last.</summary>
public readonly record struct LayerInterval(int First, int Last)
{
    /// <summary>The interval as written: "12-35" or "7".</summary>
    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}

/// <summary>A set of layer indices as a union of inclusive intervals, sorted and merged.</summary>
public sealed record LayerSet(ImmutableArray<LayerInterval> Intervals)
{
    /// <summary>True when <paramref name="layerIndex"/> lies in one of the intervals.</summary>
    public bool Contains(int layerIndex) => Intervals.Any(i => layerIndex >= i.First && layerIndex <= i.Last);

    /// <summary>The highest layer index in the set.</summary>
    public int MaxLayer => Intervals[^1].Last;

    /// <summary>The set as written: "0-11,24-35".</summary>
    public override string ToString() => string.Join(",", Intervals);

    /// <summary>Builds a set from intervals in any order, merging overlapping and adjacent ones.</summary>
    public static LayerSet FromIntervals(IEnumerable<LayerInterval> intervals)
    {
        var merged = new List<LayerInterval>();
        foreach (var interval in intervals.OrderBy(i => i.First))
        {
            if (merged.Count > 0 && interval.First <= merged[^1].Last + 1)
                merged[^1] = new LayerInterval(merged[^1].First, Math.Max(merged[^1].Last, interval.Last));
            else
                merged.Add(interval);
        }
        return new LayerSet([.. merged]);
    }

    /// <summary>Value equality over the intervals.</summary>
    public bool Equals(LayerSet? other) => other is not null && Intervals.SequenceEqual(other.Intervals);

    /// <inheritdoc/>
    public override int GetHashCode() => Intervals.Aggregate(0, HashCode.Combine);
}

/// <summary>
/// Alloy's merge scope (<c>layers</c>, <c>modules</c>, <c>copy_from</c>): which tensors are merged; every
/// other tensor is copied unchanged from <see cref="CopyFrom"/>. The whole model is in scope when both
/// <see cref="Layers"/> and <see cref="Modules"/> are null.
/// </summary>
/// <param name="Layers">The layers merged, or null for all.</param>
/// <param name="Modules">The module classes merged, or null for all.</param>
/// <param name="CopyFrom">The model out-of-scope tensors come from: <c>copy_from</c>, else the first of <c>models:</c>; null for the slices form.</param>
public sealed record MergeScope(LayerSet? Layers, ImmutableArray<ModelModule>? Modules, ModelReference? CopyFrom)
{
    /// <summary>True when every tensor is merged.</summary>
    public bool IsWholeModel => Layers is null && Modules is null;

    /// <summary>
    /// Whether a tensor of <paramref name="module"/> in layer <paramref name="layerIndex"/> (null for tensors
    /// outside the layer stack: embeddings, final norm, lm_head) is merged. A layer tensor is in scope when
    /// its layer is in <see cref="Layers"/> (or Layers is null) and its module is in <see cref="Modules"/>
    /// (or Modules is null). A tensor outside the layers is in scope when Layers is null and its module is
    /// in Modules (or Modules is null), or when Modules names its module explicitly even though Layers is set.
    /// </summary>
    public bool Includes(ModelModule module, int? layerIndex)
    {
        var moduleListed = Modules is { } modules && modules.Contains(module);
        var moduleAllowed = Modules is null || moduleListed;
        if (layerIndex is { } layer) return moduleAllowed && (Layers is null || Layers.Contains(layer));
        return Layers is null ? moduleAllowed : moduleListed;
    }
}

/// <summary>Alloy's merge options; null fields mean "the method's default".</summary>
/// <param name="Seed">Random seed for stochastic methods (DARE, DELLA), or null.</param>
/// <param name="RescaleMode">DARE/DELLA rescaling rule, or null for mergekit's (L1).</param>
/// <param name="TrimScope">TIES trimming scope, or null for mergekit's (per tensor).</param>
public sealed record MergeOptions(long? Seed, RescaleMode? RescaleMode, TrimScope? TrimScope)
{
    /// <summary>No options set.</summary>
    public static MergeOptions None { get; } = new(null, null, null);
}
