// The four IFEval accuracies (prompt/instruction level × strict/loose) over a set of graded prompts.
// Not per-sample results (IfEvalPromptResult) and not confidence intervals.
namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// The four numbers lm-eval reports for IFEval, each a fraction in [0, 1]:
/// prompt-level = (prompts whose instructions all passed) / (prompts);
/// instruction-level = (instructions passed) / (instructions), all prompts' instructions flattened.
/// </summary>
/// <param name="PromptLevelStrict">lm-eval <c>prompt_level_strict_acc</c>.</param>
/// <param name="InstructionLevelStrict">lm-eval <c>inst_level_strict_acc</c>.</param>
/// <param name="PromptLevelLoose">lm-eval <c>prompt_level_loose_acc</c>.</param>
/// <param name="InstructionLevelLoose">lm-eval <c>inst_level_loose_acc</c>.</param>
/// <param name="Prompts">Number of prompts aggregated.</param>
/// <param name="Instructions">Number of instructions aggregated.</param>
public sealed record IfEvalScores(
    double PromptLevelStrict,
    double InstructionLevelStrict,
    double PromptLevelLoose,
    double InstructionLevelLoose,
    int Prompts,
    int Instructions)
{
    /// <summary>
    /// Aggregates <paramref name="results"/>. With no prompts (or no instructions) the corresponding accuracies are
    /// NaN rather than 0, so an empty run is never mistaken for a model that failed everything.
    /// </summary>
    public static IfEvalScores Aggregate(IEnumerable<IfEvalPromptResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        int prompts = 0, promptStrict = 0, promptLoose = 0, instructions = 0, instructionStrict = 0, instructionLoose = 0;
        foreach (var result in results)
        {
            prompts++;
            if (result.FollowedAllStrict) promptStrict++;
            if (result.FollowedAllLoose) promptLoose++;
            foreach (var verdict in result.Instructions)
            {
                instructions++;
                if (verdict.Strict) instructionStrict++;
                if (verdict.Loose) instructionLoose++;
            }
        }
        return new IfEvalScores(
            Fraction(promptStrict, prompts),
            Fraction(instructionStrict, instructions),
            Fraction(promptLoose, prompts),
            Fraction(instructionLoose, instructions),
            prompts,
            instructions);
    }

    private static double Fraction(int part, int whole) => whole == 0 ? double.NaN : (double)part / whole;
}
