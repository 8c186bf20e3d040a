// Compares Alloy's parsing and parameter resolution with an independent Python reference (PyYAML plus
// mergekit's rules re-implemented): tests/fixtures/merge-configs/resolved.json, made by
// tools/fixtures/merge-configs/resolve_reference.py (see the README there).
using System.Text.Json;
using Alloy.Merging.Config;

namespace Alloy.Merging.Tests.Config;

public class ReferenceResolutionTests
{
    [Fact]
    public void Every_probe_of_the_reference_resolves_to_the_same_value()
    {
        var goldenPath = TestPaths.Fixtures("merge-configs", "resolved.json");
        using var golden = JsonDocument.Parse(File.ReadAllText(goldenPath));
        var checkedProbes = 0;
        var mismatches = new List<string>();
        foreach (var file in golden.RootElement.EnumerateObject())
        {
            var config = MergeConfigParser.ParseFile(TestPaths.Fixtures("merge-configs", file.Name));
            foreach (var row in file.Value.EnumerateArray())
            {
                var slice = row[0].GetInt32();
                int? model = row[1].ValueKind == JsonValueKind.Null ? null : row[1].GetInt32();
                var name = row[2].GetString()!;
                var tensor = row[3].GetString()!;
                int? layer = row[4].ValueKind == JsonValueKind.Null ? null : row[4].GetInt32();
                var layers = row[5].GetInt32();
                var expected = row[6];

                var actual = ParameterSet.Resolve(config.ParameterLevels(slice, model), name, tensor, layer, layers);
                var same = expected.ValueKind switch
                {
                    JsonValueKind.Null => actual is null,
                    JsonValueKind.True or JsonValueKind.False => actual is { IsBoolean: true } a && a.Boolean == expected.GetBoolean(),
                    _ => actual is { IsNumber: true } n && n.Number == expected.GetDouble(),
                };
                if (!same)
                    mismatches.Add($"{file.Name} slice {slice} model {model} {name} {tensor} layer {layer}/{layers}: expected {expected}, got {actual}");
                checkedProbes++;
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
        Assert.True(checkedProbes > 1000, $"only {checkedProbes} probes");
    }

    [Fact]
    public void The_reference_covers_every_corpus_file()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixtures("merge-configs", "resolved.json")));
        var covered = golden.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var file in Directory.GetFiles(TestPaths.Fixtures("merge-configs"), "*.yml"))
            Assert.Contains(Path.GetFileName(file), covered);
    }
}
