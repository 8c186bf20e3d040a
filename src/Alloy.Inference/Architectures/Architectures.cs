// The registry of architectures the embedded engine runs: config.json's architecture name → the file
// that reads it. Anything else is refused with the list of what is supported.
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Architectures;

/// <summary>Finds the architecture of a config and describes the model.</summary>
public static class SupportedArchitectures
{
    private static readonly Dictionary<string, Func<ModelConfig, TransformerSpec>> ByName = new(StringComparer.Ordinal)
    {
        [Qwen3Architecture.Name] = Qwen3Architecture.Describe,
        [Qwen2Architecture.Name] = Qwen2Architecture.Describe,
        [LlamaArchitecture.Name] = LlamaArchitecture.Describe,
        [MistralArchitecture.Name] = MistralArchitecture.Describe,
    };

    private static readonly Dictionary<string, string> ByModelType = new(StringComparer.Ordinal)
    {
        ["qwen3"] = Qwen3Architecture.Name,
        ["qwen2"] = Qwen2Architecture.Name,
        ["llama"] = LlamaArchitecture.Name,
        ["mistral"] = MistralArchitecture.Name,
    };

    /// <summary>The architecture names the engine runs, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys];

    /// <summary>
    /// Describes the model of <paramref name="config"/>: its first <c>architectures</c> entry (or, when
    /// absent, its <c>model_type</c>) picks the reader.
    /// </summary>
    /// <exception cref="AlloyInputException">The architecture is not supported (the message lists those that are) or a field is invalid.</exception>
    public static TransformerSpec Describe(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string? name = config.Architectures.Length > 0 ? config.Architectures[0]
            : config.ModelType is not null && ByModelType.TryGetValue(config.ModelType, out var mapped) ? mapped
            : null;
        if (name is not null && ByName.TryGetValue(name, out var describe))
            return describe(config);
        var found = name ?? config.ModelType ?? "none (no 'architectures' or 'model_type')";
        throw new AlloyInputException($"{config.Path}: architecture '{found}' is not supported by the embedded engine; supported: {string.Join(", ", Names)}. Serve other models with an OpenAI-compatible server and use --backend openai");
    }
}
