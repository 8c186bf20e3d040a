// Benchmark loading: every shared data file parses with the right counts and graders, every
// reference answer grades correct against itself through the prompt's grader, GPQA shuffles are
// deterministic permutations, and malformed custom files are named by line and field.
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Graders;

namespace Alloy.Evaluation.Tests.Benchmarks;

public class BenchmarkLoaderTests
{
    private static string? DataDir()
    {
        var probe = TestPaths.SharedFile("datasets", "aime25.jsonl");
        if (probe == null)
            Console.WriteLine("SKIPPED: ../shared/datasets is absent (CI has it beside the clone)");
        return probe == null ? null : Path.GetDirectoryName(probe);
    }

    [Theory]
    [InlineData("aime24", 30, GraderKind.Math)]
    [InlineData("aime25", 30, GraderKind.Math)]
    [InlineData("hmmt25", 30, GraderKind.Math)]
    [InlineData("math500", 500, GraderKind.Math)]
    [InlineData("gsm8k", 1319, GraderKind.Number)]
    [InlineData("gpqa-diamond", 198, GraderKind.Choice)]
    [InlineData("ifeval", 541, GraderKind.IfEval)]
    public void Shared_benchmarks_load_with_their_counts_and_graders(string name, int count, GraderKind grader)
    {
        if (DataDir() is not { } dir)
            return;
        var benchmark = BenchmarkLoader.Load(name, dir);
        Assert.Equal(count, benchmark.Problems.Length);
        Assert.Equal(grader, benchmark.Grader);
        Assert.All(benchmark.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Question)));
        if (name == "math500")
            Assert.All(benchmark.Problems, p => Assert.InRange(p.Level!.Value, 1, 5));
    }

    [Theory]
    [InlineData("aime25")]
    [InlineData("gsm8k")]
    [InlineData("gpqa-diamond")]
    public void Reference_answers_grade_correct_through_the_rendered_prompt(string name)
    {
        if (DataDir() is not { } dir)
            return;
        var benchmark = BenchmarkLoader.Load(name, dir);
        IGrader grader = benchmark.Grader switch
        {
            GraderKind.Number => new NumberGrader(),
            GraderKind.Choice => new ChoiceGrader(),
            _ => new MathGrader(),
        };
        foreach (var problem in benchmark.Problems.Take(60))
        {
            var prompt = BenchmarkPrompts.Render(problem, benchmark.Grader, seed: 0, repeat: 1);
            var response = benchmark.Grader == GraderKind.Choice ? $"<think>hmm</think>Answer: {prompt.Answer}" : $"<think>work</think>So \\boxed{{{prompt.Answer}}}.";
            var verdict = grader.Grade(response, ResponseFinish.Stopped, prompt.Answer, benchmark.Grader == GraderKind.Choice ? problem.Choices : null);
            Assert.True(verdict.Correct, $"{problem.Id}: {verdict.Reason}");
        }
    }

    [Fact]
    public void Gpqa_shuffle_is_a_deterministic_permutation_that_moves_the_gold_letter()
    {
        var seen = new HashSet<string>();
        for (var repeat = 0; repeat < 24; repeat++)
        {
            var order = BenchmarkPrompts.ShuffleOptions(4, seed: 0, id: "gpqa-diamond-007", repeat);
            Assert.Equal([0, 1, 2, 3], order.Order());
            Assert.Equal(order.ToArray(), BenchmarkPrompts.ShuffleOptions(4, 0, "gpqa-diamond-007", repeat).ToArray());
            seen.Add(string.Join(",", order));
        }
        Assert.True(seen.Count >= 8, $"only {seen.Count} distinct orders in 24 repeats");
        var bySeed = Enumerable.Range(0, 8).Select(s => string.Join(",", BenchmarkPrompts.ShuffleOptions(4, (ulong)s, "a", 0))).Distinct().Count();
        Assert.True(bySeed > 1, "the seed does not change the order");
    }

    [Fact]
    public void Choice_prompt_lists_options_in_shuffled_order_and_the_answer_points_to_the_gold()
    {
        var problem = new BenchmarkProblem("q1", "Which?", "A", ["gold", "x", "y", "z"], 0, null, null, "{}");
        for (var repeat = 0; repeat < 8; repeat++)
        {
            var prompt = BenchmarkPrompts.Render(problem, GraderKind.Choice, 0, repeat);
            Assert.Contains($"{prompt.Answer}) gold", prompt.Text, StringComparison.Ordinal);
            Assert.StartsWith("Answer the following multiple choice question.", prompt.Text, StringComparison.Ordinal);
        }
        var math = BenchmarkPrompts.Render(problem with { Choices = [], CorrectChoice = -1, Answer = "3" }, GraderKind.Math, 0, 0);
        Assert.Equal("Which?\n" + BenchmarkPrompts.MathSuffix, math.Text);
    }

    [Theory]
    [InlineData("{\"id\": 1, \"question\": \"q\"}\n", ":1: field 'answer' is missing")]
    [InlineData("{\"id\": 1, \"answer\": \"3\"}\n", ":1: no 'problem', 'question' or 'prompt' text")]
    [InlineData("{\"id\": 1, \"question\": \"q\", \"answer\": 2}\n{\"id\": 1, \"question\": \"r\", \"answer\": 3}\n", ":2: id '1' appears twice")]
    [InlineData("{\"question\": \"q\", \"answer\": 2}\nnot json\n", ":2: not valid JSON")]
    [InlineData("{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer_index\": 5}\n", ":1: field 'answer_index' must be an integer in [0, 2)")]
    [InlineData("\n\n", "no records")]
    public void Malformed_custom_files_are_named_by_line_and_field(string content, string phrase)
    {
        using var temp = new TempFolder();
        var path = temp.File("custom.jsonl");
        File.WriteAllText(path, content);
        var error = Assert.Throws<Alloy.Tensors.AlloyInputException>(() => BenchmarkLoader.Load(path, temp.Path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Custom_files_pick_their_grader_and_unknown_names_list_the_known_ones()
    {
        using var temp = new TempFolder();
        var path = temp.File("mine.jsonl");
        File.WriteAllText(path, "{\"prompt\": \"2+2?\", \"answer\": 4}\n{\"prompt\": \"pick\", \"choices\": [\"a\", \"b\", \"c\"], \"answer\": \"B\"}\n");
        var benchmark = BenchmarkLoader.Load(path, temp.Path);
        Assert.Equal(GraderKind.Choice, benchmark.Grader);
        Assert.Equal("mine", benchmark.Name);
        Assert.Equal(["line-1", "line-2"], benchmark.Problems.Select(p => p.Id));
        Assert.Equal(1, benchmark.Problems[1].CorrectChoice);
        Assert.Equal(GraderKind.Number, BenchmarkLoader.Load(path, temp.Path, GraderKind.Number).Grader);
        var error = Assert.Throws<Alloy.Tensors.AlloyInputException>(() => BenchmarkLoader.Load("aime26", temp.Path));
        Assert.Contains("aime25", error.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<Alloy.Tensors.AlloyInputException>(() => BenchmarkLoader.Load("aime25", temp.Path));
        Assert.Contains(Path.Combine(temp.Path, "aime25.jsonl"), missing.Message, StringComparison.Ordinal);
    }
}
