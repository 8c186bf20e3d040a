// One validated /v1/chat/completions or /v1/completions request, ready for the engine.
// It holds no JSON and does no validation (CompletionRequestParser does both).
using Alloy.Inference.Backends;

namespace Alloy.Server;

/// <summary>What a client asked for, checked and with the model's defaults filled in.</summary>
/// <param name="Chat">True for /v1/chat/completions (the chat template applies), false for /v1/completions.</param>
/// <param name="Model">The served model name the answer carries.</param>
/// <param name="Prompt">Chat messages or the raw prompt.</param>
/// <param name="Settings">Sampling settings (every field explicit; top_k 0 = off).</param>
/// <param name="SampleCount">n: how many choices.</param>
/// <param name="BaseSeed">Seed of choice 0; choice i draws with BaseSeed + i (the request's seed, or a random one).</param>
/// <param name="Stream">Answer as server-sent events.</param>
/// <param name="IncludeUsage">With <see cref="Stream"/>: send a last chunk with the usage (stream_options.include_usage).</param>
public sealed record CompletionRequest(
    bool Chat,
    string Model,
    GenerationPrompt Prompt,
    GenerationSettings Settings,
    int SampleCount,
    long BaseSeed,
    bool Stream,
    bool IncludeUsage)
{
    /// <summary>The engine request for all n choices.</summary>
    public GenerationRequest ToGenerationRequest() => new(Prompt, Settings, SampleCount, BaseSeed);
}
