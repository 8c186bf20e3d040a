// Named sampling presets (the model cards' recommended settings) and how explicit overrides combine with them.
// It builds GenerationSettings only; nothing here samples or sends.
using System.Collections.Immutable;
using Alloy.Inference.Backends;
using Alloy.Inference.Sampling;
using Alloy.Tensors;

namespace Alloy.Evaluation.Running;

/// <summary>The sampling fields a preset fixes.</summary>
/// <param name="Temperature">Softmax temperature (0 = greedy).</param>
/// <param name="TopP">Nucleus cut-off (1 = off).</param>
/// <param name="TopK">Top-k cut-off (0 = off).</param>
/// <param name="MinP">Min-p cut-off (0 = off).</param>
public sealed record SamplingPreset(double Temperature, double TopP, int TopK, double MinP);

/// <summary>Per-field overrides of a preset; null keeps the preset's value.</summary>
public sealed record GenerationOverrides(double? Temperature = null, double? TopP = null, int? TopK = null, double? MinP = null,
    double? PresencePenalty = null, int? MaxTokens = null, long? Seed = null, bool? EnableThinking = null);

/// <summary>
/// The presets: <c>qwen3-thinking</c> (T 0.6, top-p 0.95, top-k 20, min-p 0: Qwen3's thinking-mode card and the
/// MI study), <c>qwen3-instruct</c> (T 0.7, top-p 0.8, top-k 20, min-p 0: the non-thinking card) and <c>greedy</c>
/// (T 0, every cut-off off).
/// </summary>
public static class GenerationPresets
{
    /// <summary>The default cap on generated tokens when neither the caller nor the spec gives one (Qwen3's recommended 32768).</summary>
    public const int DefaultMaxTokens = 32768;

    /// <summary>The presets by name.</summary>
    public static ImmutableDictionary<string, SamplingPreset> All { get; } = new Dictionary<string, SamplingPreset>
    {
        ["qwen3-thinking"] = new(0.6, 0.95, 20, 0),
        ["qwen3-instruct"] = new(0.7, 0.8, 20, 0),
        ["greedy"] = new(0, 1, 0, 0),
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>The preset named <paramref name="name"/>.</summary>
    /// <exception cref="AlloyInputException">An unknown name, listing the known ones.</exception>
    public static SamplingPreset Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.TryGetValue(name, out var preset) ? preset
            : throw new AlloyInputException($"preset '{name}' is unknown; expected one of {string.Join(", ", All.Keys.Order(StringComparer.Ordinal))}");
    }

    /// <summary>
    /// The sampling fields of a model's generation_config.json as a preset: each field the file lacks is off
    /// (temperature 0 = greedy, top-p 1, top-k 0, min-p 0), which is what the model gets when nothing else is said.
    /// </summary>
    public static SamplingPreset FromModel(GenerationDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return new SamplingPreset(defaults.Temperature ?? 0, defaults.TopP ?? 1, defaults.TopK ?? 0, defaults.MinP ?? 0);
    }

    /// <summary>
    /// Settings from <paramref name="preset"/> with <paramref name="overrides"/> applied field by field; presence penalty 0,
    /// max tokens <see cref="DefaultMaxTokens"/>, seed 0 and the thinking switch unset unless overridden. No stop strings:
    /// they can fire inside a thinking block, so runs stop on the model's end tokens only. The result is validated.
    /// </summary>
    /// <exception cref="AlloyInputException">An override is out of range.</exception>
    public static GenerationSettings Resolve(SamplingPreset preset, GenerationOverrides? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var o = overrides ?? new GenerationOverrides();
        var settings = new GenerationSettings(
            o.Temperature ?? preset.Temperature,
            o.TopP ?? preset.TopP,
            o.TopK ?? preset.TopK,
            o.MinP ?? preset.MinP,
            o.PresencePenalty ?? 0,
            o.MaxTokens ?? DefaultMaxTokens,
            [],
            o.Seed ?? 0,
            o.EnableThinking);
        settings.Validate();
        return settings;
    }
}
