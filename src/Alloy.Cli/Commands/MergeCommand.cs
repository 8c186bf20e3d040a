// `alloy merge CONFIG.yml -o OUT [--dry-run] [--threads N] [--max-memory 2GB] [--shard-size 5GB] [--force]`:
// parses the mergekit-style config, plans, and streams the merge into OUT atomically. Parsing and
// printing only; Alloy.Merging does the work.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Alloy.Merging.Config;
using Alloy.Merging.Execution;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.IO;

namespace Alloy.Cli.Commands;

internal static class MergeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var config = new Argument<string>("CONFIG") { Description = "A mergekit-style YAML config (docs/config.md)" };
        var output = new Option<string?>("-o", "--output") { Description = "The output model folder (written to a temporary folder, renamed when complete)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan, the coverage and a peak-memory estimate; write nothing" };
        var threads = new Option<int>("--threads") { Description = "Tensors computed at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var maxMemory = new Option<string>("--max-memory") { Description = "Budget for tensors in flight, e.g. 2GB or 512MB", DefaultValueFactory = _ => "2GB" };
        var shardSize = new Option<string>("--shard-size") { Description = "Largest shard, e.g. 5GB", DefaultValueFactory = _ => "5GB" };
        var force = new Option<bool>("--force") { Description = "Replace OUT if it exists" };
        var command = new Command("merge", "Merge models from a mergekit-compatible config") { config, output, dryRun, threads, maxMemory, shardSize, force };
        command.SetAction(parse =>
        {
            var options = new ExecutionOptions(Math.Max(1, parse.GetValue(threads)), ParseSize(parse.GetValue(maxMemory)!, "--max-memory"));
            var shardBytes = ParseSize(parse.GetValue(shardSize)!, "--shard-size");
            var configPath = parse.GetValue(config)!;
            var out_ = parse.GetValue(output);
            var dry = parse.GetValue(dryRun);
            if (out_ == null && !dry)
                throw new AlloyInputException("-o OUT is required (or --dry-run to only plan)");
            var parsed = MergeConfigParser.ParseFile(configPath);
            var built = PlanBuilder.Build(parsed, model => Checkpoint.Open(ModelArgument.Resolve(model, stderr)));
            try
            {
                var plan = built.Plan;
                var merged = plan.Tensors.Count(t => t.IsMerge);
                stdout.WriteLine($"plan: {plan.Tensors.Length} output tensors ({merged} merged with {parsed.Method.Name}, {plan.Tensors.Length - merged} copied), {plan.Dropped.Length} input tensors dropped");
                if (dry)
                {
                    foreach (var t in plan.Tensors)
                        stdout.WriteLine($"  {(t.IsMerge ? "merge" : "copy "),-5} {t.Name} {t.DType.ToSafetensorsName()} {Alloy.Tensors.SafeTensors.TensorInfo.FormatShape(t.Shape)}  {t.Note}");
                    foreach (var d in plan.Dropped)
                        stdout.WriteLine($"  drop  {plan.Models[d.Source.Model]}:{d.Source.Name}  {d.Reason}");
                    var costs = plan.Tensors.Select(t => MergeExecutor.EstimateWorkingSet(t, options)).OrderDescending().ToArray();
                    var largest = costs.Length == 0 ? 0 : costs[0];
                    var estimate = Math.Max(largest, Math.Min(options.MaxMemoryBytes, costs.Take(options.Threads).Sum()));
                    stdout.WriteLine($"peak memory estimate: {InspectCommand.Bytes(estimate)} for tensors in flight (largest single tensor {InspectCommand.Bytes(largest)}; budget {InspectCommand.Bytes(options.MaxMemoryBytes)}), plus the page cache of the mapped inputs");
                    return ExitCodes.Success;
                }
                var result = Progress.Run(stderr, "Merging", plan.Tensors.Sum(t => t.OutputBytes),
                    progress => MergedFolderWriter.Write(built, File.ReadAllText(configPath), out_!, parse.GetValue(force), options, shardBytes, parsed.Method.Name, progress));
                var nonFinite = result.Tensors.Where(t => t.NonFiniteOutputs > 0).ToArray();
                foreach (var t in nonFinite)
                    stderr.WriteLine($"warning: {t.Name}: {t.NonFiniteOutputs} NaN/Inf values in the merged output ({t.NonFiniteInputs} in its inputs)");
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {out_}: {InspectCommand.Bytes(result.BytesWritten)} in {result.Elapsed.TotalSeconds:0.00} s; merge log in {Path.Combine(out_!, MergedFolderWriter.LogFileName)}"));
                return ExitCodes.Success;
            }
            finally
            {
                foreach (var m in built.Models)
                    m.Dispose();
            }
        });
        return command;
    }

    /// <summary>Parses "2GB", "512MB", "1.5GiB", "1000000" (bytes); decimal units are powers of 1000, binary ones of 1024.</summary>
    internal static long ParseSize(string text, string option)
    {
        var s = text.Trim().ToUpperInvariant();
        (string Suffix, double Factor)[] units = [("GIB", 1 << 30), ("MIB", 1 << 20), ("KIB", 1 << 10), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1)];
        var factor = 1.0;
        foreach (var (suffix, f) in units)
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                s = s[..^suffix.Length].Trim();
                factor = f;
                break;
            }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || !double.IsFinite(value))
            throw new AlloyInputException($"{option} '{text}' is not a size; write e.g. 2GB, 512MB or 1.5GiB");
        return (long)Math.Min(value * factor, long.MaxValue);
    }
}
