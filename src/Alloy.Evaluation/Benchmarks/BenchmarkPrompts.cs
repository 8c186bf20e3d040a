// The user message sent for each benchmark item, and GPQA's deterministic option shuffle.
// Documented in docs/benchmarks-data.md; changing a prompt changes every result, so they live here only.
using System.Collections.Immutable;
using System.Text;

namespace Alloy.Evaluation.Benchmarks;

/// <summary>A prompt for one (problem, repeat): the text and, for multiple choice, the letter that is correct.</summary>
/// <param name="Text">The user message.</param>
/// <param name="Answer">The reference answer for this rendering (the shuffled letter for multiple choice).</param>
/// <param name="OptionOrder">For multiple choice, the original option index shown at each position; empty otherwise.</param>
public sealed record RenderedPrompt(string Text, string Answer, ImmutableArray<int> OptionOrder);

/// <summary>Builds benchmark prompts.</summary>
public static class BenchmarkPrompts
{
    /// <summary>The suffix of math and GSM8K prompts (Qwen's and the studies' convention).</summary>
    public const string MathSuffix = "Please reason step by step, and put your final answer within \\boxed{}.";

    /// <summary>
    /// The prompt for <paramref name="problem"/> in a benchmark graded by <paramref name="grader"/>:
    /// Math and Number: the problem, a newline, then <see cref="MathSuffix"/>; IfEval: the prompt as is;
    /// Choice: simple-evals' "Answer: $LETTER" template with the options in the order
    /// <see cref="ShuffleOptions"/> gives for (seed, problem id, repeat).
    /// </summary>
    public static RenderedPrompt Render(BenchmarkProblem problem, GraderKind grader, ulong seed, int repeat)
    {
        ArgumentNullException.ThrowIfNull(problem);
        switch (grader)
        {
            case GraderKind.IfEval:
                return new RenderedPrompt(problem.Question, problem.Answer, []);
            case GraderKind.Choice when !problem.Choices.IsEmpty:
                var order = ShuffleOptions(problem.Choices.Length, seed, problem.Id, repeat);
                var letters = string.Concat(Enumerable.Range(0, order.Length).Select(i => (char)('A' + i)));
                var text = new StringBuilder()
                    .Append("Answer the following multiple choice question. The last line of your response should be of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ")
                    .Append(letters).Append(". Think step by step before answering.\n\n")
                    .Append(problem.Question).Append("\n\n");
                for (var i = 0; i < order.Length; i++)
                    text.Append((char)('A' + i)).Append(") ").Append(problem.Choices[order[i]]).Append(i + 1 < order.Length ? "\n" : "");
                var answer = ((char)('A' + order.IndexOf(problem.CorrectChoice))).ToString();
                return new RenderedPrompt(text.ToString(), answer, order);
            default:
                return new RenderedPrompt(problem.Question + "\n" + MathSuffix, problem.Answer, []);
        }
    }

    /// <summary>
    /// A permutation of <paramref name="count"/> options that depends only on (seed, id, repeat):
    /// Fisher–Yates driven by SplitMix64 seeded with seed ⊕ FNV-1a-64(UTF-8 id) ⊕ (repeat × golden ratio).
    /// Entry i is the original index shown at position i.
    /// </summary>
    public static ImmutableArray<int> ShuffleOptions(int count, ulong seed, string id, int repeat)
    {
        ArgumentNullException.ThrowIfNull(id);
        var order = Enumerable.Range(0, count).ToArray();
        var state = seed ^ Fnv1a64(id) ^ ((ulong)(uint)repeat * 0x9E3779B97F4A7C15UL);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(SplitMix64(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return [.. order];
    }

    private static ulong Fnv1a64(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
