// The sampling settings of a run (temperature, nucleus/top-k/min-p cut-offs, length cap, stops, seed, thinking toggle).
// It validates and serialises them canonically; it does not sample (Sampling/ does) nor send them (backends do).
using System.Globalization;
using System.Text;
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Inference.Backends;

/// <summary>
/// Sampling settings sent with every request. Every field is always sent explicitly, because servers fill omitted
/// fields from the model folder's generation_config.json or their own defaults (vLLM, llama-server and SGLang differ).
/// </summary>
/// <param name="Temperature">Softmax temperature T ≥ 0 (0 = greedy); logits are divided by T before sampling.</param>
/// <param name="TopP">Nucleus cut-off in (0, 1]: keep the smallest set of tokens whose probabilities sum to ≥ p.</param>
/// <param name="TopK">Keep the k most likely tokens; 0 disables the cut-off (sent as −1, which every server reads as off).</param>
/// <param name="MinP">Min-p cut-off in [0, 1]: drop tokens with probability &lt; min_p · p_max.</param>
/// <param name="PresencePenalty">Subtracted once from the logit of every token already generated, in [−2, 2].</param>
/// <param name="MaxTokens">Cap on generated tokens (thinking included), ≥ 1; a sample that hits it ends with <c>length</c>.</param>
/// <param name="Stop">Stop strings (may be empty). Avoid them for thinking models: they can fire inside the thinking.</param>
/// <param name="Seed">
/// The run's seed, recorded with the settings. Generators do not send it directly: a request's
/// <see cref="GenerationRequest.BaseSeed"/> (derived from it by the caller) plus the sample index is sent.
/// </param>
/// <param name="EnableThinking">
/// Sent as <c>chat_template_kwargs: {"enable_thinking": …}</c> in chat mode when set (hybrid Qwen3); null sends nothing
/// (single-mode models such as the Qwen3-2507 pair). It has no meaning for raw prompts.
/// </param>
public sealed record GenerationSettings(
    double Temperature,
    double TopP,
    int TopK,
    double MinP,
    double PresencePenalty,
    int MaxTokens,
    IReadOnlyList<string> Stop,
    long Seed,
    bool? EnableThinking)
{
    /// <summary>
    /// Checks every field's range. Throws <see cref="AlloyInputException"/> naming the field and the accepted range;
    /// NaN and infinities are rejected everywhere.
    /// </summary>
    public void Validate()
    {
        RequireRange(Temperature, 0, double.MaxValue, "temperature", "a finite number ≥ 0 (0 = greedy)");
        RequireRange(TopP, double.Epsilon, 1, "top_p", "a number in (0, 1] (1 = off)");
        RequireRange(MinP, 0, 1, "min_p", "a number in [0, 1] (0 = off)");
        RequireRange(PresencePenalty, -2, 2, "presence_penalty", "a number in [-2, 2] (0 = off)");
        if (TopK < 0)
        {
            throw new AlloyInputException($"Generation setting top_k = {TopK} is invalid: use an integer ≥ 1, or 0 for off.");
        }
        if (MaxTokens < 1)
        {
            throw new AlloyInputException($"Generation setting max_tokens = {MaxTokens} is invalid: use an integer ≥ 1.");
        }
        ArgumentNullException.ThrowIfNull(Stop);
        for (var i = 0; i < Stop.Count; i++)
        {
            if (string.IsNullOrEmpty(Stop[i]))
            {
                throw new AlloyInputException($"Generation setting stop[{i}] is empty: every stop string needs at least one character.");
            }
        }
    }

    /// <summary>
    /// The settings as a JSON object with a fixed key order and invariant number formatting (round-trip doubles), so
    /// equal settings give byte-identical JSON: a run records it and hashes it to recognise itself on resume.
    /// Keys: temperature, top_p, top_k, min_p, presence_penalty, max_tokens, stop, seed, enable_thinking (null when unset).
    /// </summary>
    public string ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("temperature", Temperature);
            writer.WriteNumber("top_p", TopP);
            writer.WriteNumber("top_k", TopK);
            writer.WriteNumber("min_p", MinP);
            writer.WriteNumber("presence_penalty", PresencePenalty);
            writer.WriteNumber("max_tokens", MaxTokens);
            writer.WriteStartArray("stop");
            foreach (var stop in Stop)
            {
                writer.WriteStringValue(stop);
            }
            writer.WriteEndArray();
            writer.WriteNumber("seed", Seed);
            if (EnableThinking is { } thinking)
            {
                writer.WriteBoolean("enable_thinking", thinking);
            }
            else
            {
                writer.WriteNull("enable_thinking");
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void RequireRange(double value, double low, double high, string field, string accepted)
    {
        if (!double.IsFinite(value) || value < low || value > high)
        {
            throw new AlloyInputException(
                $"Generation setting {field} = {value.ToString("R", CultureInfo.InvariantCulture)} is invalid: use {accepted}.");
        }
    }
}
