// Writes a planned merge as a complete Hugging Face model folder: sharded safetensors, config.json, the donor's
// tokenizer and side files, and the merge log (alloy_merge.json), staged in a temporary folder and renamed at the end.
// It plans nothing (PlanBuilder does) and parses no YAML.
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.IO;

namespace Alloy.Merging.Execution;

/// <summary>One output folder of <see cref="MergedFolderWriter.WriteMany"/>.</summary>
/// <param name="Plan">Its plan.</param>
/// <param name="Donor">Index of the model whose config.json and side files it copies.</param>
/// <param name="ConfigText">The config recorded in its merge log.</param>
/// <param name="Target">The folder to write.</param>
/// <param name="Overwrite">Whether an existing folder there may be replaced.</param>
/// <param name="MethodName">The method named in the safetensors metadata.</param>
/// <param name="SideFilesFrom">A folder whose tokenizer/template/generation files replace the donor's, or null.</param>
/// <param name="ChatTemplate">A chat template that replaces the donor's (written as chat_template.jinja and into tokenizer_config.json), or null.</param>
public sealed record MergeTarget(MergePlan Plan, int Donor, string ConfigText, string Target, bool Overwrite, string MethodName, string? SideFilesFrom = null, string? ChatTemplate = null);

/// <summary>Runs a built plan into a model folder on disk.</summary>
public static class MergedFolderWriter
{
    /// <summary>The merge log's file name inside the output folder.</summary>
    public const string LogFileName = "alloy_merge.json";

    /// <summary>
    /// Merges <paramref name="built"/> into <paramref name="target"/>: tensors in shards of at most
    /// <paramref name="shardBytes"/>, config.json from the donor (torch_dtype set when every merged tensor has one dtype, num_hidden_layers and layer_types set from the plan's LayerOrigins),
    /// the donor's other side files (tokenizer, chat template, generation config) copied, and alloy_merge.json
    /// accounting for every tensor (merged, copied, dropped with its reason) with <paramref name="configText"/> recorded,
    /// and a model card README.md (front matter with the source models and the method, the counts, the config).
    /// With <c>sideFilesFrom</c>, that folder's side files (<see cref="Checkpoint.KnownSideFiles"/>) replace the donor's. Nothing appears at
    /// <paramref name="target"/> until the folder is complete. The caller disposes the built models.
    /// </summary>
    /// <exception cref="AlloyInputException">The target exists and <paramref name="overwrite"/> is false, or an input is bad.</exception>
    public static MergeResult Write(BuiltPlan built, string configText, string target, bool overwrite, ExecutionOptions options,
        long shardBytes, string methodName, IProgress<long>? progress = null, CancellationToken cancellation = default, string? sideFilesFrom = null)
    {
        ArgumentNullException.ThrowIfNull(built);
        return WriteMany([new MergeTarget(built.Plan, built.Donor, configText, target, overwrite, methodName, sideFilesFrom ?? built.TokenizerFolder, built.ChatTemplate)],
            built.Models, options, shardBytes, progress, cancellation)[0];
    }

    /// <summary>
    /// The sweep writer: writes several merged folders in one tensor-major pass over <paramref name="models"/>
    /// (<see cref="MergeExecutor.RunMany"/>), each exactly as <see cref="Write"/> would write it alone. All targets' plans
    /// must be over the same models and output tensors (the λ points of one method are). Every folder is staged; none
    /// appears until all are complete.
    /// </summary>
    /// <exception cref="AlloyInputException">A target exists and may not be overwritten, or an input is bad.</exception>
    public static IReadOnlyList<MergeResult> WriteMany(IReadOnlyList<MergeTarget> targets, IReadOnlyList<Checkpoint> models, ExecutionOptions options,
        long shardBytes, IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(options);
        var stagings = new List<StagingFolder>(targets.Count);
        var sinks = new List<ShardedFolderSink>(targets.Count);
        try
        {
            foreach (var t in targets)
            {
                ArgumentNullException.ThrowIfNull(t.ConfigText);
                var staging = StagingFolder.Create(t.Target, t.Overwrite);
                stagings.Add(staging);
                sinks.Add(new ShardedFolderSink(staging.Path, t.Plan, shardBytes, new Dictionary<string, string>
                {
                    ["format"] = "pt",
                    ["merged_by"] = "alloy",
                    ["merge_method"] = t.MethodName,
                }));
            }
            var results = MergeExecutor.RunMany([.. targets.Select(t => t.Plan)], models, [.. sinks], options, progress, cancellation);
            foreach (var sink in sinks)
                sink.Dispose();
            sinks.Clear();
            for (var i = 0; i < targets.Count; i++)
            {
                var t = targets[i];
                var staging = stagings[i].Path;
                var donor = models[t.Donor];
                WriteConfig(donor, models, t.Plan, staging);
                foreach (var side in donor.SideFiles.Where(s => s != "config.json"))
                    File.Copy(Path.Combine(donor.Folder, side), Path.Combine(staging, side));
                // Another model's tokenizer, chat template and generation config replace the donor's (same file names).
                if (t.SideFilesFrom is { } from)
                    foreach (var side in Checkpoint.KnownSideFiles.Where(f => File.Exists(Path.Combine(from, f))))
                        File.Copy(Path.Combine(from, side), Path.Combine(staging, side), overwrite: true);
                if (t.ChatTemplate is { } template)
                    WriteChatTemplate(staging, template);
                File.WriteAllText(Path.Combine(staging, LogFileName), Log(t.ConfigText, t.Plan, results[i]));
                File.WriteAllText(Path.Combine(staging, "README.md"), ModelCard(t, results[i]));
            }
            foreach (var staging in stagings)
                staging.Commit();
            return results;
        }
        finally
        {
            foreach (var sink in sinks)
                sink.Dispose();
            foreach (var staging in stagings)
                staging.Dispose();
        }
    }

    // chat_template.jinja (what transformers ≥ 4.43 and Alloy read first) and tokenizer_config.json's field (older readers).
    private static void WriteChatTemplate(string folder, string template)
    {
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), template);
        var configPath = Path.Combine(folder, "tokenizer_config.json");
        var config = File.Exists(configPath) ? JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? new JsonObject() : new JsonObject();
        config["chat_template"] = template;
        File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void WriteConfig(Checkpoint donor, IReadOnlyList<Checkpoint> models, MergePlan plan, string folder)
    {
        if (donor.Config == null)
            return;
        var config = (JsonObject)donor.Config.Raw.DeepClone();
        var dtypes = plan.Tensors.Where(t => t.IsMerge).Select(t => t.DType).Distinct().ToArray();
        if (dtypes.Length == 1)
            config["torch_dtype"] = dtypes[0].ToTorchName();
        if (!plan.LayerOrigins.IsDefault)
        {
            // slices: the output stacks its own layers; per-layer lists follow each output layer's source layer.
            config["num_hidden_layers"] = plan.LayerOrigins.Length;
            foreach (var key in PerLayerConfigLists)
                if (config[key] is JsonArray)
                    config[key] = PerLayerList(key, models, plan);
        }
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>config.json lists with one entry per layer (e.g. Qwen3's and Gemma's sliding/full attention pattern).</summary>
    private static readonly string[] PerLayerConfigLists = ["layer_types"];

    private static JsonArray PerLayerList(string key, IReadOnlyList<Checkpoint> models, MergePlan plan)
    {
        var list = new JsonArray();
        foreach (var origin in plan.LayerOrigins)
        {
            var source = models[origin.Model];
            if (source.Config?.Raw[key] is not JsonArray entries || origin.Layer >= entries.Count)
                throw new AlloyInputException($"{source.Path}: config.json field '{key}' has no entry for layer {origin.Layer}; it must list every layer");
            list.Add(entries[origin.Layer]?.DeepClone());
        }
        return list;
    }

    // A Hugging Face model card: front matter naming the source models and the merge, then what was done, so a merged
    // folder uploaded as is says what it is. The numbers come from the merge result; nothing is claimed about quality.
    private static string ModelCard(MergeTarget target, MergeResult result)
    {
        var plan = target.Plan;
        var card = new StringBuilder();
        card.Append("---\nbase_model:\n");
        foreach (var model in plan.Models)
            card.Append("- ").Append(Yaml(model)).Append('\n');
        card.Append("library_name: transformers\ntags:\n- merge\n- alloy\n- ").Append(Yaml(target.MethodName)).Append("\n---\n\n");
        card.Append("# Merged model\n\nMade by Alloy with the `").Append(target.MethodName).Append("` method from:\n\n");
        foreach (var model in plan.Models)
            card.Append("- `").Append(model).Append("`\n");
        var merged = result.Tensors.Count(t => t.Action == "merged");
        card.Append(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"\n{result.Tensors.Length} output tensors: {merged} merged, {result.Tensors.Length - merged} copied; {plan.Dropped.Length} input tensors dropped. "));
        var nonFinite = result.Tensors.Sum(t => t.NonFiniteOutputs);
        card.Append(nonFinite == 0 ? "No NaN or Inf in the output." : $"{nonFinite} NaN/Inf values in the output (see alloy_merge.json).");
        card.Append(" Every tensor's action, sources and the dropped list are in `alloy_merge.json`.\n\n## Configuration\n\n```yaml\n")
            .Append(target.ConfigText.TrimEnd()).Append("\n```\n");
        return card.ToString();
    }

    private static string Yaml(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Log(string configText, MergePlan plan, MergeResult result)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("config", configText);
            w.WriteStartArray("models");
            foreach (var m in plan.Models)
                w.WriteStringValue(m);
            w.WriteEndArray();
            w.WriteStartArray("tensors");
            foreach (var t in result.Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("action", t.Action);
                w.WriteString("method", t.Method);
                w.WriteStartArray("sources");
                foreach (var s in t.Sources)
                    w.WriteStringValue(s);
                w.WriteEndArray();
                w.WriteNumber("non_finite_inputs", t.NonFiniteInputs);
                w.WriteNumber("non_finite_outputs", t.NonFiniteOutputs);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("dropped");
            foreach (var d in plan.Dropped)
            {
                w.WriteStartObject();
                w.WriteString("model", plan.Models[d.Source.Model]);
                w.WriteString("tensor", d.Source.Name);
                w.WriteString("reason", d.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
