// Deterministic mutation fuzzing of the corpus: every mutated config must parse or fail with an
// AlloyInputException carrying a FILE:LINE:COL position, never with any other exception.
using System.Text;
using System.Text.RegularExpressions;
using Alloy.Merging.Config;
using Alloy.Tensors;

namespace Alloy.Merging.Tests.Config;

public partial class MutationFuzzTests
{
    private const string Alphabet = ":-[]{},&*!|>'\"#%@`? \n\t0123456789.eax_";

    [Fact]
    public void Mutated_corpus_configs_parse_or_fail_with_a_positioned_input_error()
    {
        var random = new Random(20261124);
        var files = Directory.GetFiles(TestPaths.Fixtures("merge-configs"), "*.yml").Order(StringComparer.Ordinal).ToList();
        var failures = new List<string>();
        var rejected = 0;
        foreach (var file in files)
        {
            var original = File.ReadAllText(file);
            for (var round = 0; round < 60; round++)
            {
                var mutated = Mutate(original, random, 1 + random.Next(4));
                try
                {
                    MergeConfigParser.Parse(mutated, "fuzz.yml");
                }
                catch (AlloyInputException e)
                {
                    rejected++;
                    if (!PositionPrefix().IsMatch(e.Message)) failures.Add($"no position: {e.Message}");
                }
                catch (Exception e)
                {
                    failures.Add($"{Path.GetFileName(file)} round {round}: {e}\n---\n{mutated}\n---");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));
        Assert.True(rejected > 0, "no mutation was rejected: the fuzzer is not exercising errors");
    }

    private static string Mutate(string text, Random random, int count)
    {
        var builder = new StringBuilder(text);
        for (var i = 0; i < count && builder.Length > 0; i++)
        {
            var at = random.Next(builder.Length);
            switch (random.Next(4))
            {
                case 0:
                    builder.Remove(at, 1);
                    break;
                case 1:
                    builder.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 2:
                    builder[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                default:
                    var lines = builder.ToString().Split('\n').ToList();
                    var line = random.Next(lines.Count);
                    lines.Insert(random.Next(lines.Count + 1), lines[line]);
                    builder.Clear().Append(string.Join('\n', lines));
                    break;
            }
        }
        return builder.ToString();
    }

    [GeneratedRegex(@"^fuzz\.yml:\d+:\d+: .+; .+", RegexOptions.Singleline)]
    private static partial Regex PositionPrefix();
}
