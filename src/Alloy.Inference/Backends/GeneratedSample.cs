// What a generator returns for one sample: the full response text, its length in tokens, why it ended, and where the
// reasoning came from. It does not grade or split tokens into thinking and answer parts (Evaluation does).
namespace Alloy.Inference.Backends;

/// <summary>Why generation of one sample ended.</summary>
public enum FinishReason
{
    /// <summary>The model emitted an end token or a stop string matched.</summary>
    Stop,

    /// <summary>The sample hit <see cref="GenerationSettings.MaxTokens"/> (or the context limit): it is truncated.</summary>
    Length,
}

/// <summary>One generated sample.</summary>
/// <param name="SampleIndex">The index asked for in <see cref="GenerationRequest.SampleIndices"/>.</param>
/// <param name="Seed">The seed the sample was drawn with (<c>BaseSeed + SampleIndex</c>).</param>
/// <param name="Text">
/// The whole response, thinking included. When a server split the reasoning out, it is joined back as
/// <c>&lt;think&gt;reasoning&lt;/think&gt;content</c> (the closing tag is left out when the sample was truncated
/// before any content: the thinking never ended).
/// </param>
/// <param name="CompletionTokens">Generated tokens, thinking included (the server's count, else the tokenizer's).</param>
/// <param name="FinishReason">Why the sample ended.</param>
/// <param name="Reasoning">The reasoning text when the server returned it separately, else null.</param>
/// <param name="PromptTokens">Prompt length in tokens when the backend reported it, else null.</param>
public sealed record GeneratedSample(
    int SampleIndex,
    long Seed,
    string Text,
    int CompletionTokens,
    FinishReason FinishReason,
    string? Reasoning,
    int? PromptTokens);
