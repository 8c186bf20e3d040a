// Turns a parsed merge config and the opened input checkpoints into a validated MergePlan: which
// tensors are merged, copied or dropped (with reasons), with every parameter resolved per tensor.
// It reads headers only; not a weight byte. Both the models: form and the slices: form (SlicePlanner) are planned here.
using System.Collections.Immutable;
using Alloy.Merging.Architectures;
using Alloy.Merging.Config;
using Alloy.Merging.Methods;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using MethodValue = Alloy.Merging.Methods.ParameterValue;

namespace Alloy.Merging.Plan;

/// <summary>A plan together with the checkpoints its model indices refer to.</summary>
/// <param name="Plan">The validated plan.</param>
/// <param name="Models">Checkpoint i is plan model i (the caller disposes them).</param>
/// <param name="Donor">The model whose config.json and side files the output takes (index into Models).</param>
public sealed record BuiltPlan(MergePlan Plan, ImmutableArray<Checkpoint> Models, int Donor)
{
    /// <summary>The chat template the output gets from the config's <c>chat_template</c>, or null to keep the donor's.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The folder whose tokenizer files the output takes (a <c>tokenizer_source</c> model), or null for the donor's.</summary>
    public string? TokenizerFolder { get; init; }
}

/// <summary>Builds merge plans from configs.</summary>
public static class PlanBuilder
{
    /// <summary>
    /// Plans <paramref name="config"/>. <paramref name="open"/> opens a model path (relative paths are
    /// tried as given, then beside the config file) or, for a model written <c>org/name[@revision]</c> that is no
    /// local path, that reference text (a caller that can fetch hub models resolves it, e.g. with HubModelResolver). Output tensors follow the first input model's
    /// tensor list and order; tensors outside the scope are copied from <c>copy_from</c> (default: the
    /// first input model). A <c>slices:</c> config is planned as mergekit does: output layers are the slices in order,
    /// output layer offset+i merging layer start+i of each source; embeddings are merged over the first slice's sources,
    /// the other non-layer tensors over the last slice's; the donor is the first slice's first source and the plan's
    /// <see cref="MergePlan.LayerCount"/> is the output layer count.
    /// </summary>
    /// <exception cref="AlloyInputException">A form or option not supported yet, a missing model or tensor, or mismatched shapes.</exception>
    public static BuiltPlan Build(MergeConfig config, Func<string, Checkpoint> open)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(open);
        var method = MergeMethodRegistry.Get(config.Method.Name, config.SourceFile);
        if (config.Options.TrimScope == Methods.TrimScope.Global && !method.Parameters.Any(p => p.Name == "trim_scope"))
            throw new AlloyInputException($"{config.SourceFile}: trim_scope: global applies to the magnitude-trimming methods (ties, breadcrumbs, breadcrumbs_ties, surgical, avg_override), not to {method.Name}; remove it");
        if (config.UsesSlices)
            return BuildSlices(config, method, open);

        var references = new List<ModelReference>();
        int IndexOf(ModelReference reference)
        {
            var i = references.IndexOf(reference);
            if (i >= 0)
                return i;
            references.Add(reference);
            return references.Count - 1;
        }
        var usesBase = method.BaseModel != Methods.BaseModelUse.None && config.BaseModel != null;
        var inputs = new List<(int Model, int ConfigIndex)>();
        for (var i = 0; i < config.Models.Length; i++)
        {
            if (usesBase && config.Models[i].Model.Equals(config.BaseModel))
                continue; // mergekit: the base listed among models is the base, not one more input
            inputs.Add((IndexOf(config.Models[i].Model), i));
        }
        int? baseIndex = usesBase ? IndexOf(config.BaseModel!) : null;
        var copyFrom = config.Scope.CopyFrom is { } c ? IndexOf(c) : inputs[0].Model;

        var models = ImmutableArray.CreateBuilder<Checkpoint>(references.Count);
        try
        {
            foreach (var reference in references)
                models.Add(OpenModel(reference, config, open));
            var plan = Plan(config, method, models.ToImmutable(), inputs, baseIndex, copyFrom, references);
            var donor = inputs[0].Model;
            return new BuiltPlan(plan, models.ToImmutable(), donor)
            {
                ChatTemplate = Template(config, models, donor),
                TokenizerFolder = TokenizerPolicyCheck.Resolve(config, models, references),
            };
        }
        catch
        {
            foreach (var m in models)
                m.Dispose();
            throw;
        }
    }

    // The config's chat_template over the models, donor first (auto's ties go to the donor).
    private static string? Template(MergeConfig config, IReadOnlyList<Checkpoint> models, int donor) =>
        config.ChatTemplate is { } policy ? ChatTemplateResolver.Resolve(policy, [models[donor], .. models.Where((_, i) => i != donor)]) : null;

    private static BuiltPlan BuildSlices(MergeConfig config, IMergeMethod method, Func<string, Checkpoint> open)
    {
        // Models in order of first appearance over the slices' sources; the donor is the first slice's first source.
        var references = new List<ModelReference>();
        foreach (var slice in config.Slices)
            foreach (var source in slice.Sources)
                if (!references.Contains(source.Model))
                    references.Add(source.Model);
        var models = ImmutableArray.CreateBuilder<Checkpoint>(references.Count);
        try
        {
            foreach (var reference in references)
                models.Add(OpenModel(reference, config, open));
            var plan = SlicePlanner.Plan(config, method, models.ToImmutable(), references);
            return new BuiltPlan(plan, models.ToImmutable(), 0)
            {
                ChatTemplate = Template(config, models, 0),
                TokenizerFolder = TokenizerPolicyCheck.Resolve(config, models, references),
            };
        }
        catch
        {
            foreach (var m in models)
                m.Dispose();
            throw;
        }
    }

    private static Checkpoint OpenModel(ModelReference reference, MergeConfig config, Func<string, Checkpoint> open)
    {
        // A model written org/name[@revision] that is no local path is a hub model: `open` gets the reference text
        // (the CLI's open fetches it into the hub cache); anything else must be a local file or folder.
        var text = reference.Revision == null ? reference.Path : $"{reference.Path}@{reference.Revision}";
        var isHubModel = Alloy.Tensors.Hub.ModelReference.TryParse(text, out _, out _);
        if (reference.Revision != null)
        {
            if (!isHubModel)
                throw new AlloyInputException($"{reference.Position}: '{reference}' names a revision, but '{reference.Path}' is not a hub model id (org/name); only hub models take @revision");
            return open(text);
        }
        var path = reference.Path;
        if (!Directory.Exists(path) && !File.Exists(path) && !Path.IsPathRooted(path))
        {
            var besideConfig = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(config.SourceFile)) ?? ".", path);
            if (Directory.Exists(besideConfig))
                path = besideConfig;
        }
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            if (isHubModel)
                return open(text);
            throw new AlloyInputException($"{reference.Position}: model '{reference.Path}' not found (tried it as given and beside the config); a hub model is written org/name[@revision]");
        }
        return open(path);
    }

    private static ModelModule? ToConfigModule(ModuleKind kind) => kind switch
    {
        ModuleKind.Attention => ModelModule.Attention,
        ModuleKind.Mlp => ModelModule.Mlp,
        ModuleKind.Norms => ModelModule.Norms,
        ModuleKind.Embeddings => ModelModule.Embeddings,
        ModuleKind.LmHead => ModelModule.LmHead,
        _ => null,
    };

    internal static MethodValue ToMethodValue(ParameterScalar scalar) =>
        scalar.IsBoolean ? MethodValue.Of(scalar.Boolean) : scalar.IsText ? MethodValue.Of(scalar.Text!) : MethodValue.Of(scalar.Number);

    private static MergePlan Plan(MergeConfig config, IMergeMethod method, ImmutableArray<Checkpoint> models,
        List<(int Model, int ConfigIndex)> inputs, int? baseIndex, int copyFrom, List<ModelReference> references)
    {
        var first = models[inputs[0].Model];
        var layers = first.Config?.NumHiddenLayers ?? 1;
        var tensors = ImmutableArray.CreateBuilder<PlannedTensor>();
        var used = models.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        foreach (var tensor in first.Tensors)
        {
            var name = tensor.Name;
            var role = TensorNames.Classify(name);
            var module = ToConfigModule(role.Module);
            var inScope = config.Scope.IsWholeModel || (module is { } m && config.Scope.Includes(m, role.Layer));
            var sources = inputs.Select(i => i.Model).Append(baseIndex ?? -1).Where(i => i >= 0).ToArray();
            foreach (var index in sources)
            {
                if (!models[index].TryGetTensor(name, out var other))
                    throw new AlloyInputException($"{models[index].Path}: has no tensor '{name}', which {first.Path} has; the models must share an architecture");
                if (!other.Info.Shape.SequenceEqual(tensor.Info.Shape))
                    throw new AlloyInputException($"tensor '{name}' is {tensor.Info.ShapeText} in {first.Path} but {other.Info.ShapeText} in {models[index].Path}"
                        + (role.Module is ModuleKind.Embeddings or ModuleKind.LmHead ? "; the vocabularies differ and tokenizer policies are not supported by alloy merge yet" : ""));
            }
            var mergeable = tensor.DType.IsFloat() && inScope;
            if (!mergeable)
            {
                var source = models[copyFrom].TryGetTensor(name, out var copySource) ? copySource
                    : throw new AlloyInputException($"{models[copyFrom].Path}: has no tensor '{name}' to copy");
                var reason = !tensor.DType.IsFloat() ? $"{tensor.DType.ToSafetensorsName()} tensors are copied, not merged" : $"outside the scope: copied from {references[copyFrom]}";
                tensors.Add(PlannedTensor.Copy(name, source.DType, source.Info.Shape, new TensorSource(copyFrom, name), reason));
                used[copyFrom].Add(name);
                continue;
            }
            var context = $"{config.SourceFile}, tensor {name}";
            var global = new Dictionary<string, MethodValue>(StringComparer.Ordinal);
            var perModel = inputs.Select(_ => new Dictionary<string, MethodValue>(StringComparer.Ordinal)).ToArray();
            foreach (var spec in method.Parameters)
            {
                if (spec.Scope == Methods.ParameterScope.Global)
                {
                    if (ParameterSet.Resolve(config.ParameterLevels(0, null), spec.Name, name, role.Layer, layers) is { } value)
                        global[spec.Name] = ToMethodValue(value);
                    else if (spec.Name == "rescale_mode" && config.Options.RescaleMode is { } rescale)
                        global[spec.Name] = MethodValue.Of(rescale == Methods.RescaleMode.Inverse ? "inverse" : "l1");
                    else if (spec.Name == "trim_scope" && config.Options.TrimScope is { } trim)
                        global[spec.Name] = MethodValue.Of(trim == Methods.TrimScope.Global ? "global" : "tensor");
                }
                else
                {
                    for (var i = 0; i < inputs.Count; i++)
                        if (ParameterSet.Resolve(config.ParameterLevels(0, inputs[i].ConfigIndex), spec.Name, name, role.Layer, layers) is { } value)
                            perModel[i][spec.Name] = ToMethodValue(value);
                }
            }
            var settings = method.Bind(new ParameterValues(global, perModel, context), inputs.Count);
            var dtype = config.OutDType ?? config.DType ?? (tensor.DType.IsComputeType() ? tensor.DType : DType.F32);
            tensors.Add(new PlannedTensor(name, dtype, tensor.Info.Shape, method, settings,
                [.. inputs.Select(i => new TensorSource(i.Model, name))], baseIndex is int b ? new TensorSource(b, name) : null, method.Name));
            foreach (var index in sources)
                used[index].Add(name);
        }
        var dropped = ImmutableArray.CreateBuilder<DroppedTensor>();
        for (var i = 0; i < models.Length; i++)
            foreach (var t in models[i].Tensors)
                if (!used[i].Contains(t.Name))
                    dropped.Add(new DroppedTensor(new TensorSource(i, t.Name),
                        first.Contains(t.Name) ? "not needed: the output takes this tensor from another model" : $"not in {first.Path}, whose tensor list the output follows"));
        var plan = new MergePlan([.. references.Select(r => r.ToString())], tensors.ToImmutable(), dropped.ToImmutable(), (ulong)(config.Options.Seed ?? 0));
        plan.Validate();
        return plan;
    }
}
