// Writes a sweep run folder (sweep.json + variants/*/aime25/metrics.json) holding MI's Table 2 numbers, so report tests
// start from files exactly as `alloy report` does.
using System.Collections.Immutable;
using Alloy.Analysis.Sweep;

namespace Alloy.Analysis.Tests.Reports;

internal static class MiRunFolder
{
    public static string VariantName(double lambda) => lambda switch
    {
        0 => "instruct",
        1 => "thinking",
        _ => "linear-l" + SweepSpec.FormatNumber(lambda),
    };

    public static void Write(string run, string benchmark = MiTable2.Benchmark, IReadOnlyList<KeyValuePair<string, string>>? generation = null,
        string paramValue = "")
    {
        Directory.CreateDirectory(run);
        var variants = MiTable2.Rows.Select(r => new ManifestVariant(
            VariantName(r.Lambda), "linear", r.Lambda,
            paramValue.Length == 0 || r.Lambda is 0 or 1 ? ImmutableSortedDictionary<string, string>.Empty : ImmutableSortedDictionary<string, string>.Empty.Add("note", paramValue),
            r.Lambda switch { 0 => ParentRole.Instruct, 1 => ParentRole.Thinking, _ => ParentRole.None })).ToList();
        var manifest = new SweepManifest("0.1.0-test", "mi.yml", "2026-12-02T00:00:00Z",
            [new ModelProvenance("thinking", "/models/Qwen3-4B-Thinking-2507", [new ModelFile("config.json", 726, new string('a', 64), true)]),
             new ModelProvenance("instruct", "/models/Qwen3-4B-Instruct-2507", [])],
            [.. generation ?? [new("preset", "qwen3-thinking"), new("max_tokens", "81920")]],
            "embedded",
            [new ManifestBenchmark("aime25", benchmark, 64, "math")],
            [.. variants]);
        manifest.Write(run);
        foreach (var p in MiTable2.Points())
        {
            string dir = SweepRunner.PairDirectory(run, VariantName(p.Lambda!.Value), benchmark);
            Directory.CreateDirectory(dir);
            new VariantMetrics(VariantName(p.Lambda!.Value), "aime25", 30, 64, p.MeanAtK, null, null, p.PassAtK, p.MeanTokens, p.ThinkRatio, 0)
                .WriteFile(Path.Combine(dir, "metrics.json"));
        }
    }
}
