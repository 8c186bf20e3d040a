// `alloy diff A B [--base C] [--json] [--tensors]`: how far apart two checkpoints are, per tensor,
// layer and module. Parsing and printing only; Alloy.Merging.Diff does the work.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Alloy.Merging.Diff;
using Alloy.Tensors.Checkpoints;
using Spectre.Console;

namespace Alloy.Cli.Commands;

internal static class DiffCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var a = new Argument<string>("A") { Description = "The reference model (folder or .safetensors file)" };
        var b = new Argument<string>("B") { Description = "The model compared with A" };
        var baseOption = new Option<string?>("--base") { Description = "A common base model: adds task-vector cosine and sign agreement of (A − base) and (B − base)" };
        var json = new Option<bool>("--json") { Description = "Print JSON (schema in docs/cli.md)" };
        var perTensor = new Option<bool>("--tensors") { Description = "Also list every tensor in the text output" };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("diff", "Relative L2 distance and cosine similarity between two checkpoints, per tensor, layer and module")
        {
            a, b, baseOption, json, perTensor, threads,
        };
        command.SetAction(parse =>
        {
            var threadCount = parse.GetValue(threads);
            if (threadCount < 1)
                throw new Alloy.Tensors.AlloyInputException($"--threads must be at least 1, got {threadCount}");
            using var modelA = Checkpoint.Open(ModelArgument.Resolve(parse.GetValue(a)!, stderr));
            using var modelB = Checkpoint.Open(ModelArgument.Resolve(parse.GetValue(b)!, stderr));
            var basePath = parse.GetValue(baseOption);
            using var modelC = basePath == null ? null : Checkpoint.Open(ModelArgument.Resolve(basePath, stderr));
            var report = Progress.Run(stderr, "Comparing", modelB.DataBytes,
                progress => CheckpointDiff.Compute(modelA, modelB, modelC, threadCount, progress));
            if (parse.GetValue(json))
                WriteJson(report, stdout);
            else
                WriteText(report, stdout, parse.GetValue(perTensor));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteGroupFields(Utf8JsonWriter w, DiffSums s, bool hasBase)
    {
        WriteNumber(w, "relative_l2", s.RelativeL2);
        WriteNumber(w, "cosine", s.Cosine);
        if (hasBase)
        {
            WriteNumber(w, "task_cosine", s.TaskCosine);
            WriteNumber(w, "sign_agreement", s.SignAgreement);
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
            w.WriteNumber(name, value);
        else
            w.WriteNull(name);
    }

    internal static void WriteJson(DiffReport report, TextWriter stdout)
    {
        stdout.WriteLine(Output.Json(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("total");
            w.WriteNumber("tensors", report.Total.Tensors);
            WriteGroupFields(w, report.Total.Sums, report.HasBase);
            w.WriteEndObject();
            foreach (var (name, groups) in new[] { ("modules", report.Modules), ("layers", report.Layers) })
            {
                w.WriteStartArray(name);
                foreach (var g in groups)
                {
                    w.WriteStartObject();
                    w.WriteString("group", g.Group);
                    w.WriteNumber("tensors", g.Tensors);
                    WriteGroupFields(w, g.Sums, report.HasBase);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartArray("tensors");
            foreach (var t in report.Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                if (t.Role.Layer is int layer)
                    w.WriteNumber("layer", layer);
                else
                    w.WriteNull("layer");
                w.WriteString("module", Alloy.Merging.Architectures.TensorRole.ModuleName(t.Role.Module));
                w.WriteNumber("elements", t.Elements);
                WriteGroupFields(w, t.Sums, report.HasBase);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("uncompared");
            foreach (var u in report.Uncompared)
            {
                w.WriteStartObject();
                w.WriteString("name", u.Name);
                w.WriteString("reason", u.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.000000", CultureInfo.InvariantCulture);

    internal static void WriteText(DiffReport report, TextWriter stdout, bool perTensor)
    {
        var console = Output.Console(stdout);
        Table NewTable(string first)
        {
            var t = new Table().Border(TableBorder.Simple).AddColumn(first).AddColumn("tensors").AddColumn("relative L2").AddColumn("cosine");
            if (report.HasBase)
                t.AddColumn("task cosine").AddColumn("sign agreement");
            return t;
        }
        void AddRow(Table t, string name, int tensors, DiffSums s)
        {
            var cells = new List<Text> { new(name), new(tensors.ToString(CultureInfo.InvariantCulture)), new(F(s.RelativeL2)), new(F(s.Cosine)) };
            if (report.HasBase)
                cells.AddRange([new Text(F(s.TaskCosine)), new Text(F(s.SignAgreement))]);
            t.AddRow(cells);
        }
        var modules = NewTable("module");
        foreach (var g in report.Modules)
            AddRow(modules, g.Group, g.Tensors, g.Sums);
        AddRow(modules, "all", report.Total.Tensors, report.Total.Sums);
        console.Write(modules);
        if (report.Layers.Count > 0)
        {
            var layers = NewTable("layer");
            foreach (var g in report.Layers)
                AddRow(layers, g.Group, g.Tensors, g.Sums);
            console.Write(layers);
        }
        if (perTensor)
        {
            var tensors = NewTable("tensor");
            foreach (var t in report.Tensors)
                AddRow(tensors, t.Name, 1, t.Sums);
            console.Write(tensors);
        }
        if (report.Uncompared.Count > 0)
        {
            console.WriteLine($"{report.Uncompared.Count} tensor(s) not compared:");
            foreach (var u in report.Uncompared)
                console.WriteLine($"  {u.Name}: {u.Reason}");
        }
    }
}
