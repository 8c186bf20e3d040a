// Qwen2 and Qwen2.5 (Qwen2ForCausalLM): Llama-style decoder whose q/k/v projections carry a bias.
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Architectures;

/// <summary>Reads a Qwen2ForCausalLM config into a <see cref="TransformerSpec"/>.</summary>
internal static class Qwen2Architecture
{
    public const string Name = "Qwen2ForCausalLM";

    public static TransformerSpec Describe(ModelConfig config)
    {
        ConfigFields.RefuseQwenSlidingWindow(config);
        return ConfigFields.Read(config, Name, defaultRopeTheta: 10000, defaultEps: 1e-6, qkvBias: true, qkNorm: false, slidingWindow: null, allowLlama3Scaling: false);
    }
}
