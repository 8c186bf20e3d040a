// `alloy inspect MODEL [--json]`: what a checkpoint holds (architecture, dtypes, parameters, shards,
// side files, every tensor). Parsing and printing only; the checkpoint layer does the reading.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Spectre.Console;

namespace Alloy.Cli.Commands;

internal static class InspectCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Argument<string>("MODEL") { Description = "A model folder (config.json + *.safetensors) or a .safetensors file" };
        var json = new Option<bool>("--json") { Description = "Print JSON (schema in docs/cli.md) instead of tables" };
        var command = new Command("inspect", "Show a checkpoint's architecture, dtypes, parameters, shards, side files and tensors") { model, json };
        command.SetAction(parse =>
        {
            using var checkpoint = Checkpoint.Open(ModelArgument.Resolve(parse.GetValue(model)!));
            if (parse.GetValue(json))
                WriteJson(checkpoint, stdout);
            else
                WriteText(checkpoint, stdout);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static void WriteJson(Checkpoint checkpoint, TextWriter stdout)
    {
        stdout.WriteLine(Output.Json(w =>
        {
            var config = checkpoint.Config;
            w.WriteStartObject();
            w.WriteString("path", checkpoint.Path);
            w.WriteString("architecture", config?.ArchitectureName);
            w.WriteString("model_type", config?.ModelType);
            w.WriteNumber("parameters", checkpoint.ParameterCount);
            w.WriteNumber("data_bytes", checkpoint.DataBytes);
            w.WriteNumber("tensor_count", checkpoint.Tensors.Length);
            w.WriteBoolean("tied_embeddings", checkpoint.TiedEmbeddings);
            w.WriteStartObject("dtypes");
            foreach (var g in DTypeCounts(checkpoint))
                w.WriteNumber(g.Key, g.Value);
            w.WriteEndObject();
            w.WriteStartArray("shards");
            foreach (var f in checkpoint.Files)
            {
                w.WriteStartObject();
                w.WriteString("file", Path.GetFileName(f.Path));
                w.WriteNumber("tensors", f.Tensors.Length);
                w.WriteNumber("bytes", f.FileLength);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("side_files");
            foreach (var s in checkpoint.SideFiles)
                w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteStartObject("config");
            if (config != null)
            {
                WriteOptional(w, "hidden_size", config.HiddenSize);
                WriteOptional(w, "intermediate_size", config.IntermediateSize);
                WriteOptional(w, "num_hidden_layers", config.NumHiddenLayers);
                WriteOptional(w, "num_attention_heads", config.NumAttentionHeads);
                WriteOptional(w, "num_key_value_heads", config.NumKeyValueHeads);
                WriteOptional(w, "head_dim", config.HeadDim);
                WriteOptional(w, "vocab_size", config.VocabSize);
                WriteOptional(w, "max_position_embeddings", config.MaxPositionEmbeddings);
                WriteOptional(w, "num_experts", config.NumExperts);
                if (config.TorchDtype != null)
                    w.WriteString("torch_dtype", config.TorchDtype);
            }
            w.WriteEndObject();
            w.WriteStartObject("metadata");
            foreach (var f in checkpoint.Files.Take(1))
                foreach (var (k, v) in f.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteStartArray("tensors");
            foreach (var t in checkpoint.Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("dtype", t.DType.ToSafetensorsName());
                w.WriteStartArray("shape");
                foreach (var d in t.Info.Shape)
                    w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteString("shard", t.ShardName);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, int? value)
    {
        if (value.HasValue)
            w.WriteNumber(name, value.Value);
    }

    private static IEnumerable<KeyValuePair<string, int>> DTypeCounts(Checkpoint checkpoint) =>
        checkpoint.Tensors.GroupBy(t => t.DType.ToSafetensorsName()).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Count()));

    internal static void WriteText(Checkpoint checkpoint, TextWriter stdout)
    {
        var console = Output.Console(stdout);
        var config = checkpoint.Config;
        var summary = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string key, string value) => summary.AddRow(new Text(key, new Style(decoration: Decoration.Bold)), new Text(value));
        Row("Model", checkpoint.Path);
        Row("Architecture", config == null ? "unknown (no config.json)" : $"{config.ArchitectureName}{(config.ModelType != null ? $" ({config.ModelType})" : "")}");
        Row("Parameters", $"{Human(checkpoint.ParameterCount)} ({checkpoint.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)})");
        Row("Tensors", $"{checkpoint.Tensors.Length} ({string.Join(", ", DTypeCounts(checkpoint).Select(p => $"{p.Key} {p.Value}"))})");
        Row("Data", $"{Bytes(checkpoint.DataBytes)} in {checkpoint.Files.Count} file{(checkpoint.Files.Count == 1 ? "" : "s")}: {string.Join(", ", checkpoint.Files.Select(f => Path.GetFileName(f.Path)))}");
        Row("Tied embeddings", checkpoint.TiedEmbeddings ? "yes" : "no");
        if (config != null)
            Row("Config", $"hidden {config.HiddenSize?.ToString(CultureInfo.InvariantCulture) ?? "?"}, layers {config.NumHiddenLayers?.ToString(CultureInfo.InvariantCulture) ?? "?"}, "
                + $"heads {config.NumAttentionHeads?.ToString(CultureInfo.InvariantCulture) ?? "?"} / kv {config.NumKeyValueHeads?.ToString(CultureInfo.InvariantCulture) ?? "?"}, "
                + $"vocab {config.VocabSize?.ToString(CultureInfo.InvariantCulture) ?? "?"}, torch_dtype {config.TorchDtype ?? "?"}");
        Row("Side files", checkpoint.SideFiles.Length == 0 ? "none" : string.Join(", ", checkpoint.SideFiles));
        var metadata = checkpoint.Files[0].Metadata;
        if (metadata.Count > 0)
            Row("Metadata", string.Join(", ", metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        console.Write(summary);
        console.WriteLine();

        var table = new Table().Border(TableBorder.Simple).AddColumn("name").AddColumn("dtype").AddColumn("shape");
        if (checkpoint.Files.Count > 1)
            table.AddColumn("shard");
        foreach (var t in checkpoint.Tensors)
        {
            var cells = new List<Text> { new(t.Name), new(t.DType.ToSafetensorsName()), new(t.Info.ShapeText) };
            if (checkpoint.Files.Count > 1)
                cells.Add(new Text(t.ShardName));
            table.AddRow(cells);
        }
        console.Write(table);
    }

    private static string Human(long count) => count switch
    {
        >= 1_000_000_000 => (count / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " B",
        >= 1_000_000 => (count / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (count / 1e3).ToString("0.00", CultureInfo.InvariantCulture) + " K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.00", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.00", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
