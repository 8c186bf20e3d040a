// Parsing of IFEval records: the full shared dataset, null and unknown kwargs, and the error messages.
using Alloy.Evaluation.Graders.IfEval;
using Alloy.Tensors;
using Xunit.Abstractions;

namespace Alloy.Evaluation.Tests.IfEval;

public class IfEvalDatasetTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_record_of_the_shared_dataset_parses_and_grades()
    {
        var path = IfEvalTestSupport.SharedFile("datasets", "ifeval.jsonl");
        if (path is null)
        {
            output.WriteLine("SKIPPED: ../shared/datasets/ifeval.jsonl is absent beside the repository; nothing to check.");
            return;
        }
        var prompts = File.ReadLines(path)
            .Select((line, i) => IfEvalPrompt.Parse(line, $"ifeval.jsonl line {i + 1}"))
            .ToList();
        Assert.Equal(541, prompts.Count);
        Assert.Equal(541, prompts.Select(p => p.Key).Distinct().Count());
        Assert.Equal(834, prompts.Sum(p => p.Instructions.Count));
        Assert.Equal(IfEvalRegistry.InstructionIds, prompts.SelectMany(p => p.Instructions).Select(i => i.InstructionId).Distinct().Order(StringComparer.Ordinal));

        // Grading the prompt text itself as the answer exercises every check on real input; loose can only add passes.
        var results = prompts.Select(p => IfEvalGrader.Grade(p, p.Prompt)).ToList();
        Assert.All(results.SelectMany(r => r.Instructions), v => Assert.True(!v.Strict || v.Loose));
        var scores = IfEvalScores.Aggregate(results);
        Assert.Equal(834, scores.Instructions);
        Assert.InRange(scores.InstructionLevelStrict, 0.0, scores.InstructionLevelLoose);
    }

    [Fact]
    public void Registry_knows_exactly_the_25_upstream_ids() =>
        Assert.Equal(25, IfEvalRegistry.InstructionIds.Count);

    [Fact]
    public void Null_kwargs_are_ignored()
    {
        var prompt = IfEvalPrompt.Parse(
            """{"key": 7, "prompt": "p", "instruction_id_list": ["detectable_format:number_bullet_lists", "punctuation:no_comma"], "kwargs": [{"num_bullets": 2, "keyword": null, "relation": null}, {"language": null}]}""",
            "record");
        Assert.Equal(7, prompt.Key);
        Assert.Equal(2, prompt.Instructions.Count);
        Assert.True(prompt.Instructions[0].IsFollowedBy("* a\n* b"));
    }

    [Fact]
    public void Unknown_kwarg_names_the_key_and_the_instruction()
    {
        var e = Assert.Throws<AlloyInputException>(() => IfEvalPrompt.Parse(
            """{"key": 8, "prompt": "p", "instruction_id_list": ["detectable_format:number_bullet_lists"], "kwargs": [{"num_bullets": 2, "num_bulets": 3}]}""",
            "ifeval.jsonl line 4"));
        Assert.Contains("num_bulets", e.Message, StringComparison.Ordinal);
        Assert.Contains("detectable_format:number_bullet_lists", e.Message, StringComparison.Ordinal);
        Assert.Contains("ifeval.jsonl line 4 (key 8)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keywords:frequency", """{"keyword": "a", "frequency": 2}""", "relation")]                       // missing
    [InlineData("keywords:frequency", """{"keyword": "a", "frequency": 2, "relation": "at most"}""", "at most")] // bad relation
    [InlineData("length_constraints:number_words", """{"num_words": "100", "relation": "at least"}""", "num_words")]
    [InlineData("punctuation:no_comma", """{"extra": 1}""", "takes no arguments")]
    [InlineData("keywords:nonexistent", "{}", "unknown IFEval instruction id")]
    [InlineData("length_constraints:nth_paragraph_first_word", """{"num_paragraphs": 2, "nth_paragraph": 3, "first_word": "a"}""", "nth_paragraph")]
    public void Bad_kwargs_are_user_errors(string id, string kwargs, string expectedInMessage)
    {
        var e = Assert.Throws<AlloyInputException>(() => IfEvalRegistry.Create(id, kwargs, "record"));
        Assert.Contains(expectedInMessage, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mismatched_kwargs_length_is_a_user_error()
    {
        var e = Assert.Throws<AlloyInputException>(() => IfEvalPrompt.Parse(
            """{"key": 9, "prompt": "p", "instruction_id_list": ["punctuation:no_comma"], "kwargs": []}""", "record"));
        Assert.Contains("kwargs", e.Message, StringComparison.Ordinal);
    }
}
