// The IFEval strict/loose driver: runs every instruction check of a prompt on an answer and its loose variants.
// Not an aggregator (IfEvalScores) and not a parser of the dataset (IfEvalPrompt).
namespace Alloy.Evaluation.Graders.IfEval;

/// <summary>
/// Grades one answer against one <see cref="IfEvalPrompt"/>, as upstream's
/// <c>test_instruction_following_strict</c> / <c>_loose</c>.
/// <para>Input: <see cref="Grade"/> takes the answer only (what the model wrote after its reasoning);
/// <see cref="GradeModelOutput"/> takes the full generated text and applies <see cref="AnswerAfterThinking"/>.</para>
/// <para>Strict: an instruction passes when the answer is not blank and its check passes on the answer as is.
/// Loose: it passes when the check passes on any non-blank one of 8 variants: the answer; the answer without its
/// first line; without its last line; without both (each of these three trimmed); and those four with every '*'
/// removed. Loose therefore never fails where strict passes.</para>
/// </summary>
public static class IfEvalGrader
{
    /// <summary>The marker that closes a thinking model's reasoning block.</summary>
    public const string ThinkingEndMarker = "</think>";

    /// <summary>
    /// The answer part of a model's output: the text after the first <see cref="ThinkingEndMarker"/>, with leading
    /// white space removed (chat templates put "\n\n" after the marker); the whole output, likewise trimmed at the
    /// start, when there is no marker (non-thinking models). A thinking model cut off before the marker thus gets
    /// its reasoning graded as the answer, which normally fails; callers that prefer to score such samples as empty
    /// should check for the marker themselves.
    /// </summary>
    public static string AnswerAfterThinking(string modelOutput)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        var end = modelOutput.IndexOf(ThinkingEndMarker, StringComparison.Ordinal);
        var answer = end < 0 ? modelOutput : modelOutput[(end + ThinkingEndMarker.Length)..];
        return answer.TrimStart();
    }

    /// <summary>Grades the full model output (reasoning included): <c>Grade(prompt, AnswerAfterThinking(modelOutput))</c>.</summary>
    public static IfEvalPromptResult GradeModelOutput(IfEvalPrompt prompt, string modelOutput) =>
        Grade(prompt, AnswerAfterThinking(modelOutput));

    /// <summary>Grades <paramref name="answer"/> (the answer part only, already separated from any reasoning).</summary>
    public static IfEvalPromptResult Grade(IfEvalPrompt prompt, string answer)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(answer);
        var variants = LooseVariants(answer);
        var verdicts = new List<IfEvalInstructionVerdict>(prompt.Instructions.Count);
        foreach (var instruction in prompt.Instructions)
        {
            var strict = PassesOn(instruction, answer);
            var loose = strict || variants.Any(v => PassesOn(instruction, v));
            verdicts.Add(new IfEvalInstructionVerdict(instruction.InstructionId, strict, loose));
        }
        return new IfEvalPromptResult(prompt.Key, verdicts);
    }

    /// <summary>
    /// The 8 texts the loose evaluation tries, in upstream's order: answer, answer without '*', then without first
    /// line, last line, both (trimmed), then those three without '*'. Lines are split on '\n' only.
    /// </summary>
    public static IReadOnlyList<string> LooseVariants(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var lines = answer.Split('\n');
        var withoutFirst = PythonText.Strip(string.Join('\n', lines.Skip(1)));
        var withoutLast = PythonText.Strip(string.Join('\n', lines.Take(lines.Length - 1)));
        var withoutBoth = PythonText.Strip(string.Join('\n', lines.Skip(1).Take(Math.Max(0, lines.Length - 2))));
        return
        [
            answer,
            answer.Replace("*", "", StringComparison.Ordinal),
            withoutFirst,
            withoutLast,
            withoutBoth,
            withoutFirst.Replace("*", "", StringComparison.Ordinal),
            withoutLast.Replace("*", "", StringComparison.Ordinal),
            withoutBoth.Replace("*", "", StringComparison.Ordinal),
        ];
    }

    private static bool PassesOn(IfEvalInstruction instruction, string text) =>
        PythonText.Strip(text).Length > 0 && instruction.IsFollowedBy(text);
}
