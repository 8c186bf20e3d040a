// The records a run store keeps per sample: what the caller adds (NewSample), the grade it may attach (SampleGrade),
// what it reads back (StoredSample) and what is still to do (PendingSample). Plain data, no behaviour.
using Alloy.Inference.Backends;

namespace Alloy.Evaluation;

/// <summary>A grader's verdict on one sample, stored as plain fields so any grader can supply it.</summary>
/// <param name="Correct">Whether the sample is graded correct (a truncated sample is never correct).</param>
/// <param name="Extracted">The answer the grader extracted, or null when it found none.</param>
/// <param name="DetailsJson">Grader-specific details as one JSON value (validated on write), or null.</param>
public sealed record SampleGrade(bool Correct, string? Extracted, string? DetailsJson);

/// <summary>A generated sample to record.</summary>
/// <param name="ProblemId">The problem's id, registered beforehand with <see cref="RunStore.RegisterProblem"/>.</param>
/// <param name="SampleIndex">0-based index of the sample within the problem.</param>
/// <param name="Seed">The seed it was drawn with.</param>
/// <param name="Text">The whole response, thinking included.</param>
/// <param name="CompletionTokens">Generated tokens, thinking included.</param>
/// <param name="ThinkTokens">Tokens up to and including the first <c>&lt;/think&gt;</c>, or null when not counted.</param>
/// <param name="AnswerTokens">Tokens after the first <c>&lt;/think&gt;</c>, or null when not counted.</param>
/// <param name="FinishReason">Why generation ended.</param>
/// <param name="Grade">The grade when already known, else null (attach later with <see cref="RunStore.SetGrade"/>).</param>
public sealed record NewSample(
    string ProblemId,
    int SampleIndex,
    long Seed,
    string Text,
    int CompletionTokens,
    int? ThinkTokens,
    int? AnswerTokens,
    FinishReason FinishReason,
    SampleGrade? Grade = null);

/// <summary>A sample as stored: <see cref="NewSample"/>'s fields plus the problem's prompt hash and the insertion time.</summary>
public sealed record StoredSample(
    string ProblemId,
    int SampleIndex,
    string PromptHash,
    long Seed,
    string Text,
    int CompletionTokens,
    int? ThinkTokens,
    int? AnswerTokens,
    FinishReason FinishReason,
    SampleGrade? Grade,
    DateTimeOffset CreatedUtc);

/// <summary>A sample still to generate.</summary>
/// <param name="ProblemId">The problem's id.</param>
/// <param name="SampleIndex">The missing sample index.</param>
public sealed record PendingSample(string ProblemId, int SampleIndex);
