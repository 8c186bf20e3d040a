// Mistral (MistralForCausalLM): the Llama layout plus an optional sliding attention window, which the
// engine honours (token i attends to positions i − window + 1 … i).
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Architectures;

/// <summary>Reads a MistralForCausalLM config into a <see cref="TransformerSpec"/>.</summary>
internal static class MistralArchitecture
{
    public const string Name = "MistralForCausalLM";

    public static TransformerSpec Describe(ModelConfig config)
    {
        var window = config.SlidingWindow;
        if (window is <= 0)
            throw new AlloyInputException($"{config.Path}: field 'sliding_window' must be a positive integer or null, found {window}");
        return ConfigFields.Read(config, Name, defaultRopeTheta: 10000, defaultEps: 1e-6, qkvBias: false, qkNorm: false, slidingWindow: window, allowLlama3Scaling: false);
    }
}
