// Where the two parents differ, layer by layer and module by module (relative L2 and cosine from CheckpointDiff), kept
// in RUNDIR/parents-diff.json so the report can plot it without reading weights. Computation and file I/O only.
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Alloy.Merging.Architectures;
using Alloy.Merging.Diff;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.IO;

namespace Alloy.Analysis.Sweep;

/// <summary>One layer: ‖Θ_T − Θ_I‖ / ‖Θ_I‖ over all its tensors, over its attention tensors and over its MLP tensors.</summary>
public sealed record LayerDifference(int Layer, double All, double? Attention, double? Mlp);

/// <summary>One module kind over the whole model.</summary>
public sealed record ModuleDifference(string Module, int Tensors, double RelativeL2, double Cosine);

/// <summary>The thinking parent against the instruct parent.</summary>
/// <param name="Layers">Per decoder layer, ascending.</param>
/// <param name="Modules">Per module kind.</param>
/// <param name="Total">Relative L2 over every compared tensor.</param>
/// <param name="Uncompared">Tensors that could not be compared (missing on one side, other shape, not float).</param>
public sealed record ParentDifference(ImmutableArray<LayerDifference> Layers, ImmutableArray<ModuleDifference> Modules, double Total, int Uncompared)
{
    /// <summary>The file name inside a sweep's run folder.</summary>
    public const string FileName = "parents-diff.json";

    /// <summary>Streams both parents once (CheckpointDiff, fp32 chunks) and aggregates per layer × {all, attention, mlp} and per module.</summary>
    /// <exception cref="AlloyInputException">A folder cannot be opened as a checkpoint.</exception>
    public static ParentDifference Compute(string instructFolder, string thinkingFolder, int threads)
    {
        using var instruct = Checkpoint.Open(instructFolder);
        using var thinking = Checkpoint.Open(thinkingFolder);
        var report = CheckpointDiff.Compute(instruct, thinking, null, Math.Max(1, threads));
        var layers = report.Tensors.Where(t => t.Role.Layer is not null).GroupBy(t => t.Role.Layer!.Value).OrderBy(g => g.Key)
            .Select(g => new LayerDifference(g.Key, Sum(g).RelativeL2,
                g.Any(t => t.Role.Module == ModuleKind.Attention) ? Sum(g.Where(t => t.Role.Module == ModuleKind.Attention)).RelativeL2 : null,
                g.Any(t => t.Role.Module == ModuleKind.Mlp) ? Sum(g.Where(t => t.Role.Module == ModuleKind.Mlp)).RelativeL2 : null))
            .ToImmutableArray();
        var modules = report.Modules.Select(m => new ModuleDifference(m.Group, m.Tensors, m.Sums.RelativeL2, m.Sums.Cosine)).ToImmutableArray();
        return new ParentDifference(layers, modules, report.Total.Sums.RelativeL2, report.Uncompared.Count);
    }

    private static DiffSums Sum(IEnumerable<TensorDiff> tensors)
    {
        var sums = default(DiffSums);
        foreach (var t in tensors)
            sums.Add(t.Sums);
        return sums;
    }

    /// <summary>Writes RUNDIR/parents-diff.json atomically (non-finite values as null).</summary>
    public void Write(string runDirectory)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            void Number(string name, double? value)
            {
                if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
                else w.WriteNull(name);
            }
            w.WriteStartObject();
            Number("total_relative_l2", Total);
            w.WriteNumber("uncompared", Uncompared);
            w.WriteStartArray("layers");
            foreach (var l in Layers)
            {
                w.WriteStartObject();
                w.WriteNumber("layer", l.Layer);
                Number("relative_l2", l.All);
                Number("attention", l.Attention);
                Number("mlp", l.Mlp);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("modules");
            foreach (var m in Modules)
            {
                w.WriteStartObject();
                w.WriteString("module", m.Module);
                w.WriteNumber("tensors", m.Tensors);
                Number("relative_l2", m.RelativeL2);
                Number("cosine", m.Cosine);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(Path.Combine(runDirectory, FileName), buffer.ToArray());
    }

    /// <summary>Reads RUNDIR/parents-diff.json, or returns null when there is none.</summary>
    /// <exception cref="AlloyInputException">The file exists but is not what <see cref="Write"/> writes.</exception>
    public static ParentDifference? TryRead(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
            return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            static double? N(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            var layers = root.GetProperty("layers").EnumerateArray()
                .Select(l => new LayerDifference(l.GetProperty("layer").GetInt32(), N(l, "relative_l2") ?? double.NaN, N(l, "attention"), N(l, "mlp"))).ToImmutableArray();
            var modules = root.GetProperty("modules").EnumerateArray()
                .Select(m => new ModuleDifference(m.GetProperty("module").GetString() ?? "", m.GetProperty("tensors").GetInt32(), N(m, "relative_l2") ?? double.NaN, N(m, "cosine") ?? double.NaN)).ToImmutableArray();
            return new ParentDifference(layers, modules, N(root, "total_relative_l2") ?? double.NaN, root.GetProperty("uncompared").GetInt32());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new AlloyInputException($"{path}: not a parents-diff.json written by Alloy ({e.Message}); delete it and rerun `alloy sweep --resume` to recompute it");
        }
    }

    /// <summary>One-line summary, e.g. for the report.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"‖Θ_T − Θ_I‖ / ‖Θ_I‖ = {Total:0.0000} over the whole model; largest layer {(Layers.IsEmpty ? "–" : Layers.MaxBy(l => l.All)!.Layer.ToString(CultureInfo.InvariantCulture))}");
}
