// Qwen3 dense (Qwen3ForCausalLM): Llama-style decoder with RMSNorm on each query and key head
// (q_norm, k_norm) before rotary, no q/k/v bias. Mixture-of-experts Qwen3 is a different architecture.
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Architectures;

/// <summary>Reads a Qwen3ForCausalLM config into a <see cref="TransformerSpec"/>.</summary>
internal static class Qwen3Architecture
{
    public const string Name = "Qwen3ForCausalLM";

    public static TransformerSpec Describe(ModelConfig config)
    {
        ConfigFields.RefuseQwenSlidingWindow(config);
        return ConfigFields.Read(config, Name, defaultRopeTheta: 10000, defaultEps: 1e-6, qkvBias: false, qkNorm: true, slidingWindow: null, allowLlama3Scaling: false);
    }
}
