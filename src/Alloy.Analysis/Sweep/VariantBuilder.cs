// Builds one sweep variant's weights in memory (plan → executor → MemorySink) from the parents' memory-mapped
// checkpoints, or serves a parent straight from its checkpoint. It writes nothing to disk and runs no generation.
using System.Diagnostics;
using Alloy.Inference.Transformer;
using Alloy.Merging.Execution;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Analysis.Sweep;

/// <summary>A variant ready to evaluate: its weights, the folder its tokenizer and chat template come from, and what building it cost.</summary>
public sealed class BuiltVariant : IDisposable
{
    private readonly IDisposable? _owned;

    internal BuiltVariant(SweepVariant variant, IWeightSource weights, string tokenizerFolder, TimeSpan buildTime, long bytes, int mergedTensors, IDisposable? owned, string? modelFolder = null)
    {
        ModelFolder = modelFolder;
        Variant = variant;
        Weights = weights;
        TokenizerFolder = tokenizerFolder;
        BuildTime = buildTime;
        WeightBytes = bytes;
        MergedTensors = mergedTensors;
        _owned = owned;
    }

    /// <summary>The variant.</summary>
    public SweepVariant Variant { get; }

    /// <summary>The model folder on disk holding the variant (a parent's own folder, or a merge written by <see cref="VariantBuilder.BuildToFolder"/>); null for an in-memory merge.</summary>
    public string? ModelFolder { get; }

    /// <summary>The weights: zero-copy over the checkpoint for a parent, an <see cref="InMemoryWeightSource"/> for a merge.</summary>
    public IWeightSource Weights { get; }

    /// <summary>The model folder whose tokenizer files and chat template the variant uses (the donor: instruct for merges).</summary>
    public string TokenizerFolder { get; }

    /// <summary>Wall-clock time spent opening (parents) or planning and merging (variants).</summary>
    public TimeSpan BuildTime { get; }

    /// <summary>Bytes of tensor data held (merges) or mapped (parents).</summary>
    public long WeightBytes { get; }

    /// <summary>Output tensors that were merged (0 for parents).</summary>
    public int MergedTensors { get; }

    /// <summary>Releases the checkpoint of a parent; a merge's arrays are left to the GC.</summary>
    public void Dispose() => _owned?.Dispose();
}

/// <summary>What building a variant will produce, from its plan.</summary>
/// <param name="Tensors">Output tensors (a parent: its tensors).</param>
/// <param name="Merged">Tensors merged (the rest are copied from instruct); 0 for a parent.</param>
/// <param name="Bytes">Bytes of the weights held in memory (a parent: mapped).</param>
public sealed record VariantPlanSummary(int Tensors, int Merged, long Bytes);

/// <summary>
/// Builds variants of a <see cref="SweepSpec"/>. A merged variant's tensors come from <see cref="PlanBuilder.Build"/> and
/// <see cref="MergeExecutor.Run"/> into a <see cref="MemorySink"/>, in the plan's output dtype (the inputs' own unless the
/// config sets one), and are exposed through <see cref="InMemoryWeightSource"/> with the instruct parent's config.json.
/// Peak memory is one variant's weights plus the executor's budget; the caller disposes each variant before the next.
/// </summary>
/// <param name="spec">The sweep.</param>
/// <param name="options">Executor limits; null for <see cref="ExecutionOptions.Default"/>.</param>
public sealed class VariantBuilder(SweepSpec spec, ExecutionOptions? options = null)
{
    private readonly ExecutionOptions _options = options ?? ExecutionOptions.Default;

    /// <summary>Total build time of every variant built by this builder.</summary>
    public TimeSpan TotalBuildTime { get; private set; }

    /// <summary>Builds (or opens) <paramref name="variant"/>.</summary>
    /// <exception cref="AlloyInputException">A model folder is missing or unreadable, or the variant's config does not plan.</exception>
    public BuiltVariant Build(SweepVariant variant, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(variant);
        var stopwatch = Stopwatch.StartNew();
        BuiltVariant built;
        if (variant.IsParent)
        {
            string folder = variant.Parent == ParentRole.Instruct ? spec.Models.Instruct : spec.Models.Thinking;
            RequireFolder(folder, variant.Parent == ParentRole.Instruct ? "models.instruct" : "models.thinking");
            var checkpoint = Checkpoint.Open(folder);
            try
            {
                var source = new CheckpointWeightSource(checkpoint, ownsCheckpoint: true);
                built = new BuiltVariant(variant, source, checkpoint.Folder, stopwatch.Elapsed, checkpoint.DataBytes, 0, source, checkpoint.Folder);
            }
            catch
            {
                checkpoint.Dispose();
                throw;
            }
        }
        else
        {
            built = Merge(variant, stopwatch, cancellation);
        }
        TotalBuildTime += built.BuildTime;
        return built;
    }

    /// <summary>
    /// Builds <paramref name="variant"/> as a model folder for a server to load: a parent is its own folder; a merge is
    /// written to <paramref name="folder"/> with <see cref="MergedFolderWriter"/> (staged, then renamed; a complete folder
    /// left there by an earlier run is reused) and opened mapped. <see cref="BuiltVariant.ModelFolder"/> names the folder.
    /// </summary>
    /// <exception cref="AlloyInputException">A model folder is missing or unreadable, or the variant's config does not plan.</exception>
    public BuiltVariant BuildToFolder(SweepVariant variant, string folder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(folder);
        if (variant.IsParent)
            return Build(variant, cancellation);
        var stopwatch = Stopwatch.StartNew();
        RequireFolder(spec.Models.Instruct, "models.instruct");
        RequireFolder(spec.Models.Thinking, "models.thinking");
        int merged;
        if (!File.Exists(Path.Combine(folder, MergedFolderWriter.LogFileName)))
        {
            var config = variant.ToMergeConfig(spec.SourceFile);
            BuiltPlan plan = PlanBuilder.Build(config, Checkpoint.Open);
            try
            {
                MergedFolderWriter.Write(plan, $"# sweep variant {variant.Name} of {spec.SourceFile}\n", folder, overwrite: true, _options,
                    shardBytes: 5_000_000_000, variant.Method, null, cancellation, sideFilesFrom: spec.TemplateFolder);
                merged = plan.Plan.Tensors.Count(t => t.IsMerge);
            }
            finally
            {
                foreach (Checkpoint m in plan.Models) m.Dispose();
            }
        }
        else
            merged = Describe(variant).Merged;
        var checkpoint = Checkpoint.Open(folder);
        try
        {
            var source = new CheckpointWeightSource(checkpoint, ownsCheckpoint: true);
            var built = new BuiltVariant(variant, source, checkpoint.Folder, stopwatch.Elapsed, checkpoint.DataBytes, merged, source, checkpoint.Folder);
            TotalBuildTime += built.BuildTime;
            return built;
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Plans <paramref name="variant"/> without merging (headers only, no weight byte read): for a parent its tensor count
    /// and bytes, for a merge the plan's output tensors, how many are merged, and its output bytes.
    /// </summary>
    /// <exception cref="AlloyInputException">A model folder is missing or unreadable, or the variant's config does not plan.</exception>
    public VariantPlanSummary Describe(SweepVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        if (variant.IsParent)
        {
            string folder = variant.Parent == ParentRole.Instruct ? spec.Models.Instruct : spec.Models.Thinking;
            RequireFolder(folder, variant.Parent == ParentRole.Instruct ? "models.instruct" : "models.thinking");
            using var checkpoint = Checkpoint.Open(folder);
            return new VariantPlanSummary(checkpoint.Tensors.Length, 0, checkpoint.DataBytes);
        }
        RequireFolder(spec.Models.Instruct, "models.instruct");
        RequireFolder(spec.Models.Thinking, "models.thinking");
        BuiltPlan built = PlanBuilder.Build(variant.ToMergeConfig(spec.SourceFile), Checkpoint.Open);
        try
        {
            return new VariantPlanSummary(built.Plan.Tensors.Length, built.Plan.Tensors.Count(t => t.IsMerge), built.Plan.Tensors.Sum(t => t.OutputBytes));
        }
        finally
        {
            foreach (Checkpoint m in built.Models) m.Dispose();
        }
    }

    private BuiltVariant Merge(SweepVariant variant, Stopwatch stopwatch, CancellationToken cancellation)
    {
        RequireFolder(spec.Models.Instruct, "models.instruct");
        RequireFolder(spec.Models.Thinking, "models.thinking");
        var config = variant.ToMergeConfig(spec.SourceFile);
        BuiltPlan built = PlanBuilder.Build(config, Checkpoint.Open);
        try
        {
            var sink = new MemorySink();
            MergeExecutor.Run(built.Plan, built.Models, sink, _options, null, cancellation);
            Checkpoint donor = built.Models[built.Donor];
            ModelConfig modelConfig = donor.RequireConfig();
            var tensors = new Dictionary<string, WeightTensor>(sink.Tensors.Count, StringComparer.Ordinal);
            long bytes = 0;
            foreach (MemoryTensor t in sink.Tensors.Values)
            {
                tensors.Add(t.Name, WeightTensor.FromBytes(t.DType, t.Bytes, [.. t.Shape]));
                bytes += t.Bytes.LongLength;
            }
            var source = new InMemoryWeightSource(modelConfig, tensors, $"{variant.Name} (in memory)");
            return new BuiltVariant(variant, source, Path.GetFullPath(spec.TemplateFolder), stopwatch.Elapsed, bytes, built.Plan.Tensors.Count(t => t.IsMerge), null);
        }
        finally
        {
            foreach (Checkpoint m in built.Models) m.Dispose();
        }
    }

    private void RequireFolder(string folder, string field)
    {
        if (!Directory.Exists(folder))
            throw new AlloyInputException($"{spec.SourceFile}: {field} '{folder}' is not a folder; expected a local Hugging Face model folder (config.json + *.safetensors)");
    }
}
