// Grades one response to one problem of a benchmark with the benchmark's grader (math, number, choice or IFEval).
// It keeps no state between calls; metrics over many responses are ResponseGrading's.
using Alloy.Evaluation.Benchmarks;
using Alloy.Evaluation.Graders;
using Alloy.Evaluation.Graders.IfEval;

namespace Alloy.Evaluation.Grading;

/// <summary>
/// The grader of one benchmark, ready to grade single responses as they arrive (the evaluator grades each sample the
/// moment it is generated). Multiple-choice references are re-derived from the option order that the prompt of
/// (seed, problem id, sample) used; IFEval prompts are parsed from the problem's record.
/// </summary>
public sealed class BenchmarkGrader
{
    private readonly Benchmark _benchmark;
    private readonly ulong _seed;
    private readonly IGrader? _grader;

    /// <summary>A grader for <paramref name="benchmark"/> whose prompts were rendered with <paramref name="seed"/>.</summary>
    public BenchmarkGrader(Benchmark benchmark, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        _benchmark = benchmark;
        _seed = seed;
        _grader = benchmark.Grader switch
        {
            GraderKind.Math => new MathGrader(),
            GraderKind.Number => new NumberGrader(),
            GraderKind.Choice => new ChoiceGrader(),
            _ => null,
        };
    }

    /// <summary>
    /// Grades <paramref name="given"/> as a response to <paramref name="problem"/>. A truncated response is never correct.
    /// </summary>
    /// <exception cref="Alloy.Tensors.AlloyInputException">An IFEval problem whose record does not parse.</exception>
    public GradedResponse Grade(BenchmarkProblem problem, GivenResponse given)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(given);
        var thought = ResponseParts.ContainsThinkEnd(given.Response);
        if (_grader is null)
        {
            var prompt = IfEvalPrompt.Parse(problem.RawJson, $"{_benchmark.SourcePath}, problem {problem.Id}");
            var result = IfEvalGrader.GradeModelOutput(prompt, given.Response);
            var correct = given.Finish == ResponseFinish.Stopped && result.FollowedAllStrict;
            var reason = given.Finish == ResponseFinish.Truncated ? "truncated"
                : correct ? "all instructions followed (strict)" : "an instruction not followed (strict)";
            return new GradedResponse(given, correct, null, thought, reason);
        }
        var reference = BenchmarkPrompts.Render(problem, _benchmark.Grader, _seed, given.Sample).Answer;
        var verdict = _grader.Grade(given.Response, given.Finish, reference, problem.Choices.IsEmpty ? null : problem.Choices);
        return new GradedResponse(given, verdict.Correct, verdict.Extracted, thought, verdict.Reason.ToString());
    }
}
