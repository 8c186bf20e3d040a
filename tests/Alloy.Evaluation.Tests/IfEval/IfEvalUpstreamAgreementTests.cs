// Compares every verdict (strict and loose) with lm-evaluation-harness's own IFEval code on 541 prompts × 24 responses.
// How the goldens were made: tests/fixtures/ifeval/README.md (tools/fixtures/ifeval/make_grader_goldens.py).
using System.Text.Json;
using Alloy.Evaluation.Graders.IfEval;
using Xunit.Abstractions;

namespace Alloy.Evaluation.Tests.IfEval;

public class IfEvalUpstreamAgreementTests(ITestOutputHelper output)
{
    // Known, explained disagreements. Key 3456's prompt ends with "1. *FAVORITE NAME 1*\n2. *FAVORITE NAME 2*\n3. ...":
    // its loose variants without the first line are all-caps text with no function word, which langdetect happens
    // to call English and ResponseLanguageIdentifier leaves unidentified (see its documentation).
    private static readonly HashSet<string> KnownDifferences =
    [
        "key 3456 response 22 change_case:english_capital: upstream False/True, ours False/False",
        "key 3456 response 23 change_case:english_capital: upstream False/True, ours False/False",
    ];

    [Fact]
    public void Verdicts_match_upstream_on_every_prompt_and_fixed_response()
    {
        var datasetPath = IfEvalTestSupport.SharedFile("datasets", "ifeval.jsonl");
        if (datasetPath is null)
        {
            output.WriteLine("SKIPPED: ../shared/datasets/ifeval.jsonl is absent beside the repository; the goldens need its prompts.");
            return;
        }
        var lines = File.ReadAllLines(datasetPath);
        using var golden = JsonDocument.Parse(File.ReadAllText(IfEvalTestSupport.Fixture("ifeval", "grader_cases.json")));
        var responses = golden.RootElement.GetProperty("responses").EnumerateArray().Select(r => r.GetString()!).ToList();
        var results = golden.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(lines.Length, results.Count);

        var compared = 0;
        var mismatches = new List<string>();
        for (var p = 0; p < lines.Length; p++)
        {
            var prompt = IfEvalPrompt.Parse(lines[p], $"ifeval.jsonl line {p + 1}");
            Assert.Equal(results[p].GetProperty("key").GetInt64(), prompt.Key);
            var randomUpstream = UpstreamRandomInstructions(lines[p]);
            var texts = responses.Append(prompt.Prompt).Append(prompt.Prompt + "\n\n" + responses[0]).ToList();
            var expected = results[p].GetProperty("verdicts").EnumerateArray().Select(v => v.GetString()!).ToList();
            Assert.Equal(texts.Count, expected.Count);
            for (var r = 0; r < texts.Count; r++)
            {
                var verdicts = IfEvalGrader.Grade(prompt, texts[r]).Instructions;
                var parts = expected[r].Split('/');
                for (var i = 0; i < verdicts.Count; i++)
                {
                    if (randomUpstream.Contains(i)) continue;
                    compared++;
                    var strict = parts[0][i] == '1';
                    var loose = parts[1][i] == '1';
                    var difference = $"key {prompt.Key} response {r} {verdicts[i].InstructionId}: upstream {strict}/{loose}, ours {verdicts[i].Strict}/{verdicts[i].Loose}";
                    if ((verdicts[i].Strict != strict || verdicts[i].Loose != loose) && !KnownDifferences.Contains(difference))
                    {
                        mismatches.Add(difference);
                    }
                }
            }
        }
        output.WriteLine($"compared {compared} instruction verdicts, {mismatches.Count} differ");
        foreach (var m in mismatches.Take(50)) output.WriteLine(m);
        Assert.True(compared > 15000, $"only {compared} verdicts compared");
        Assert.Empty(mismatches);
    }

    // Upstream replaces a letter_frequency 'letter' that is not one ASCII letter by a random one; such verdicts are noise.
    private static HashSet<int> UpstreamRandomInstructions(string line)
    {
        using var record = JsonDocument.Parse(line);
        var ids = record.RootElement.GetProperty("instruction_id_list").EnumerateArray().Select(e => e.GetString()).ToList();
        var kwargs = record.RootElement.GetProperty("kwargs").EnumerateArray().ToList();
        var random = new HashSet<int>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] != "keywords:letter_frequency") continue;
            var letter = kwargs[i].GetProperty("letter").GetString()!;
            if (letter.Length != 1 || !char.IsAsciiLetter(letter[0])) random.Add(i);
        }
        return random;
    }
}
