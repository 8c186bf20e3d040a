// Knobs of the embedded engine: kernel threads, how many sequences decode in one batch, the KV cache's storage type
// and a per-token callback for progress display. It holds no model or sampling settings (GenerationSettings does).
namespace Alloy.Inference.Backends;

/// <summary>A newly generated token of one sample, reported as it is made (on the engine's worker thread).</summary>
/// <param name="Request">The request the sample belongs to (reference identity).</param>
/// <param name="SampleIndex">The sample's index in its request.</param>
/// <param name="TokenId">The token just generated (an end token included).</param>
/// <param name="Text">Text that became final with this token: it can no longer be cut by a stop string and is whole
/// UTF-8 (often empty). Concatenating a sample's pieces gives its final text.</param>
/// <param name="Finish">Set on the sample's last token: why it ended (its text is complete once this token is taken); null before.</param>
public sealed record GeneratedToken(GenerationRequest Request, int SampleIndex, int TokenId, string Text, FinishReason? Finish = null);

/// <summary>Options of <see cref="EmbeddedGenerator"/>.</summary>
public sealed record EmbeddedGeneratorOptions
{
    /// <summary>
    /// Most threads a kernel call uses, or null for every core. The kernels' thread cap is process-wide: the last
    /// generator opened with a value sets it.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Most sequences stepped by one batched decode call (≥ 1; default 16). More active samples decode in several calls per step.</summary>
    public int MaxBatchSize { get; init; } = 16;

    /// <summary>
    /// How the KV cache stores keys and values: F32 (default, the safest: attention sees exactly what the projections
    /// produced and logits match the golden references to 1e-4) or BF16 (half the cache memory per token; each key and
    /// value is rounded to nearest even, which moves logits by about 1e-3 relative). Other types are refused.
    /// </summary>
    public Alloy.Tensors.DType KvCacheType { get; init; } = Alloy.Tensors.DType.F32;

    /// <summary>Called for every generated token, on the engine's worker thread; keep it short. Exceptions it throws fail the request.</summary>
    public Action<GeneratedToken>? OnToken { get; init; }
}

/// <summary>What one request cost: prompt length and the wall time of its prefill and its decoding.</summary>
/// <param name="Samples">The samples, in the order of the request's sample indices.</param>
/// <param name="PromptTokens">Tokens of the rendered prompt.</param>
/// <param name="PrefillSeconds">Wall time of the prompt's forward pass (once for all samples).</param>
/// <param name="DecodeSeconds">Wall time from the end of the prefill to the end of the last sample (other requests
/// batched alongside share it).</param>
public sealed record EmbeddedGeneration(IReadOnlyList<GeneratedSample> Samples, int PromptTokens, double PrefillSeconds, double DecodeSeconds)
{
    /// <summary>Prompt tokens per second of prefill (+∞ when too fast to time).</summary>
    public double PrefillTokensPerSecond => PromptTokens / PrefillSeconds;

    /// <summary>Generated tokens of all samples per second of decoding (aggregate over the batch).</summary>
    public double DecodeTokensPerSecond => Samples.Sum(s => s.CompletionTokens) / DecodeSeconds;
}
