// Plans the slices: form the way mergekit does: output layers are the slices' layer ranges in order, each
// output layer merging layer start+i of every source; embeddings come from the first slice, the rest from the last.
// Headers only; it reads no weight byte and does not execute anything.
using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Alloy.Merging.Architectures;
using Alloy.Merging.Config;
using Alloy.Merging.Methods;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using MethodValue = Alloy.Merging.Methods.ParameterValue;

namespace Alloy.Merging.Plan;

/// <summary>Plans <c>slices:</c> configs (called by <see cref="PlanBuilder"/>).</summary>
internal static partial class SlicePlanner
{
    [GeneratedRegex(@"(?<head>(?:^|\.)(?:layers|h|blocks|layer)\.)(?<layer>\d+)(?<tail>\..+)$", RegexOptions.CultureInvariant)]
    private static partial Regex LayerIndexPattern();

    /// <summary>One source of one output tensor: the model index, the input tensor name and the source's index in its slice.</summary>
    private sealed record Source(int Model, string Name, int SliceSourceIndex);

    /// <summary>The model indices of one slice: inputs (non-base sources, in config order) and the base source, if the method uses one.</summary>
    private sealed record SliceModels(List<(int Model, int SourceIndex)> Inputs, (int Model, int SourceIndex)? Base);

    /// <summary>The tensor name with its layer index replaced by <paramref name="layer"/>.</summary>
    internal static string WithLayer(string name, int layer)
    {
        var match = LayerIndexPattern().Match(name);
        if (!match.Success)
            throw new ArgumentException($"'{name}' has no layer index", nameof(name));
        return string.Concat(name.AsSpan(0, match.Index), match.Groups["head"].Value, layer.ToString(CultureInfo.InvariantCulture), match.Groups["tail"].Value);
    }

    /// <summary>Plans every output tensor of a slices: config. Checkpoint i of <paramref name="models"/> is <paramref name="references"/>[i].</summary>
    public static MergePlan Plan(MergeConfig config, IMergeMethod method, ImmutableArray<Checkpoint> models, IReadOnlyList<ModelReference> references)
    {
        var slices = config.Slices.Select(slice => ModelsOf(config, method, slice, references)).ToArray();
        var used = models.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var tensors = ImmutableArray.CreateBuilder<PlannedTensor>();

        // Embeddings first (mergekit's pre-weights: the first slice's sources at t = 0).
        var firstModel = models[slices[0].Inputs.Count > 0 ? slices[0].Inputs[0].Model : slices[0].Base!.Value.Model];
        foreach (var tensor in firstModel.Tensors)
        {
            var role = TensorNames.Classify(tensor.Name);
            if (role.Layer == null && role.Module == ModuleKind.Embeddings)
                tensors.Add(PlanTensor(config, method, models, slices[0], 0, tensor.Name, _ => tensor.Name, null, config.Slices[0].LayerCount, used));
        }

        // The layers, slice by slice: output layer `offset + i` merges layer start + i of every source.
        var offset = 0;
        var origins = ImmutableArray.CreateBuilder<LayerOrigin>();
        for (var s = 0; s < config.Slices.Length; s++)
        {
            var slice = config.Slices[s];
            var count = slice.LayerCount;
            var lead = slices[s].Inputs.Count > 0 ? slices[s].Inputs[0] : slices[s].Base!.Value;
            var leadModel = models[lead.Model];
            var leadStart = slice.Sources[lead.SourceIndex].LayerRange.Start;
            for (var i = 0; i < count; i++)
            {
                var names = leadModel.Tensors.Where(t => TensorNames.Classify(t.Name).Layer == leadStart + i).Select(t => t.Name).ToList();
                if (names.Count == 0)
                    throw new AlloyInputException($"{slice.Sources[lead.SourceIndex].Position}: {leadModel.Path} has no tensors of layer {leadStart + i}, which layer_range {slice.Sources[lead.SourceIndex].LayerRange} includes");
                var layer = i;
                origins.Add(new LayerOrigin(lead.Model, leadStart + i));
                foreach (var name in names)
                    tensors.Add(PlanTensor(config, method, models, slices[s], s, WithLayer(name, offset + i),
                        sourceIndex => WithLayer(name, slice.Sources[sourceIndex].LayerRange.Start + layer), layer, count, used));
            }
            offset += count;
        }

        // Everything else outside the layers (final norm, lm_head, …): mergekit's post-weights, the last slice's sources;
        // current mergekit reads their gradients at t = 0 like the embeddings (its older planners used t = 1).
        var last = config.Slices.Length - 1;
        var lastSlice = slices[last];
        var lastModel = models[lastSlice.Inputs.Count > 0 ? lastSlice.Inputs[0].Model : lastSlice.Base!.Value.Model];
        foreach (var tensor in lastModel.Tensors)
        {
            var role = TensorNames.Classify(tensor.Name);
            if (role.Layer == null && role.Module != ModuleKind.Embeddings)
                tensors.Add(PlanTensor(config, method, models, lastSlice, last, tensor.Name, _ => tensor.Name, null, config.Slices[last].LayerCount, used));
        }

        var dropped = ImmutableArray.CreateBuilder<DroppedTensor>();
        for (var i = 0; i < models.Length; i++)
            foreach (var t in models[i].Tensors)
                if (!used[i].Contains(t.Name))
                    dropped.Add(new DroppedTensor(new TensorSource(i, t.Name), TensorNames.Classify(t.Name).Layer is { } layer
                        ? $"layer {layer} is in no slice's layer_range for this model"
                        : "not needed: the output takes this tensor from another slice's models"));
        var plan = new MergePlan([.. references.Select(r => r.ToString())], tensors.ToImmutable(), dropped.ToImmutable(), (ulong)(config.Options.Seed ?? 0), origins.ToImmutable());
        plan.Validate();
        return plan;
    }

    private static SliceModels ModelsOf(MergeConfig config, IMergeMethod method, OutputSlice slice, IReadOnlyList<ModelReference> references)
    {
        var baseModel = method.BaseModel != Methods.BaseModelUse.None ? slice.BaseModel ?? config.BaseModel : null;
        var inputs = new List<(int, int)>();
        (int, int)? baseSource = null;
        for (var i = 0; i < slice.Sources.Length; i++)
        {
            var model = IndexOf(references, slice.Sources[i].Model);
            if (baseModel != null && slice.Sources[i].Model.Equals(baseModel))
                baseSource = (model, i); // mergekit: the base listed among a slice's sources is the base, not one more input
            else
                inputs.Add((model, i));
        }
        if (baseModel != null && baseSource == null)
            throw new AlloyInputException($"{slice.Position}: the slice does not list its base model {baseModel} among its sources");
        if (inputs.Count == 0)
            throw new AlloyInputException($"{slice.Position}: the slice has no source besides its base model");
        return new SliceModels(inputs, baseSource);
    }

    private static int IndexOf(IReadOnlyList<ModelReference> references, ModelReference reference)
    {
        for (var i = 0; i < references.Count; i++)
            if (references[i].Equals(reference))
                return i;
        throw new ArgumentException($"model {reference} is not among the plan's models", nameof(reference));
    }

    /// <summary>
    /// One output tensor of one slice: every source's tensor (named by <paramref name="inputName"/> from the
    /// source's index in the slice) merged with the method; parameters resolved at gradient position of
    /// <paramref name="layer"/> in a slice of <paramref name="layerCount"/> layers (null: t = 0).
    /// </summary>
    private static PlannedTensor PlanTensor(MergeConfig config, IMergeMethod method, ImmutableArray<Checkpoint> models, SliceModels slice,
        int sliceIndex, string outputName, Func<int, string> inputName, int? layer, int layerCount, HashSet<string>[] used)
    {
        var inputs = slice.Inputs.Select(i => new Source(i.Model, inputName(i.SourceIndex), i.SourceIndex)).ToList();
        Source? baseSource = slice.Base is { } b ? new Source(b.Model, inputName(b.SourceIndex), b.SourceIndex) : null;
        var all = baseSource is null ? inputs : [.. inputs, baseSource];
        var leadModel = models[all[0].Model];
        if (!leadModel.TryGetTensor(all[0].Name, out var lead))
            throw new AlloyInputException($"{leadModel.Path}: has no tensor '{all[0].Name}' for output tensor '{outputName}'");
        foreach (var source in all.Skip(1))
        {
            if (!models[source.Model].TryGetTensor(source.Name, out var other))
                throw new AlloyInputException($"{models[source.Model].Path}: has no tensor '{source.Name}', which {leadModel.Path} has as '{all[0].Name}'; the models of a slice must share an architecture");
            if (!other.Info.Shape.SequenceEqual(lead.Info.Shape))
                throw new AlloyInputException($"tensor '{all[0].Name}' is {lead.Info.ShapeText} in {leadModel.Path} but '{source.Name}' is {other.Info.ShapeText} in {models[source.Model].Path}");
        }
        if (!lead.DType.IsFloat())
        {
            used[all[0].Model].Add(all[0].Name);
            return PlannedTensor.Copy(outputName, lead.DType, lead.Info.Shape, new TensorSource(all[0].Model, all[0].Name),
                $"{lead.DType.ToSafetensorsName()} tensors are copied, not merged");
        }
        var global = new Dictionary<string, MethodValue>(StringComparer.Ordinal);
        var perModel = inputs.Select(_ => new Dictionary<string, MethodValue>(StringComparer.Ordinal)).ToArray();
        foreach (var spec in method.Parameters)
        {
            if (spec.Scope == Methods.ParameterScope.Global)
            {
                if (ParameterSet.Resolve(config.ParameterLevels(sliceIndex, null), spec.Name, outputName, layer, layerCount) is { } value)
                    global[spec.Name] = PlanBuilder.ToMethodValue(value);
                else if (spec.Name == "rescale_mode" && config.Options.RescaleMode is { } rescale)
                    global[spec.Name] = MethodValue.Of(rescale == Methods.RescaleMode.Inverse ? "inverse" : "l1");
                else if (spec.Name == "trim_scope" && config.Options.TrimScope is { } trim)
                    global[spec.Name] = MethodValue.Of(trim == Methods.TrimScope.Global ? "global" : "tensor");
            }
            else
            {
                for (var i = 0; i < inputs.Count; i++)
                    if (ParameterSet.Resolve(config.ParameterLevels(sliceIndex, inputs[i].SliceSourceIndex), spec.Name, inputs[i].Name, layer, layerCount) is { } value)
                        perModel[i][spec.Name] = PlanBuilder.ToMethodValue(value);
            }
        }
        var settings = method.Bind(new ParameterValues(global, perModel, $"{config.SourceFile}, slices[{sliceIndex}], tensor {outputName}"), inputs.Count);
        var dtype = config.OutDType ?? config.DType ?? (lead.DType.IsComputeType() ? lead.DType : DType.F32);
        foreach (var source in all)
            used[source.Model].Add(source.Name);
        var note = outputName == all[0].Name ? method.Name : $"{method.Name} of {string.Join(", ", all.Select(a => a.Name).Distinct())}";
        return new PlannedTensor(outputName, dtype, lead.Info.Shape, method, settings,
            [.. inputs.Select(i => new TensorSource(i.Model, i.Name))], baseSource is null ? null : new TensorSource(baseSource.Model, baseSource.Name), note);
    }
}
