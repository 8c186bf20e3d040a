// One benchmark item as read from its JSONL file, and the benchmark it belongs to. Data only:
// prompts are built by BenchmarkPrompts, grading is done by the graders.
using System.Collections.Immutable;

namespace Alloy.Evaluation.Benchmarks;

/// <summary>Which grader a benchmark's answers go through.</summary>
public enum GraderKind
{
    /// <summary>Last \boxed{} answer, LaTeX normalisation, exact rational / tolerant equality (AIME, MATH-500, HMMT).</summary>
    Math,
    /// <summary>Last number in the answer (GSM8K).</summary>
    Number,
    /// <summary>Last "Answer: X" letter (GPQA).</summary>
    Choice,
    /// <summary>IFEval's instruction checks (strict and loose).</summary>
    IfEval,
}

/// <summary>One problem.</summary>
/// <param name="Id">Stable id (the file's id/key field, else "line-N").</param>
/// <param name="Question">The problem text, without any prompt suffix.</param>
/// <param name="Answer">The reference answer as text (empty for IFEval).</param>
/// <param name="Choices">Options for multiple-choice items, the correct one at <see cref="CorrectChoice"/>; empty otherwise.</param>
/// <param name="CorrectChoice">Index of the correct option in <see cref="Choices"/>, or -1.</param>
/// <param name="Level">Difficulty level when the data has one (MATH-500: 1–5).</param>
/// <param name="Subject">Subject or subdomain when the data has one.</param>
/// <param name="RawJson">The whole JSON record (IFEval reads its instruction_id_list and kwargs from it).</param>
public sealed record BenchmarkProblem(
    string Id,
    string Question,
    string Answer,
    ImmutableArray<string> Choices,
    int CorrectChoice,
    int? Level,
    string? Subject,
    string RawJson);

/// <summary>A loaded benchmark.</summary>
/// <param name="Name">Its name (a known name, or the file name without extension).</param>
/// <param name="SourcePath">The JSONL file it was read from.</param>
/// <param name="Grader">The grader its answers go through.</param>
/// <param name="Problems">Problems in file order; ids are unique.</param>
public sealed record Benchmark(string Name, string SourcePath, GraderKind Grader, ImmutableArray<BenchmarkProblem> Problems);
