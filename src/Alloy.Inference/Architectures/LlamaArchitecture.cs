// Llama 2/3.x (LlamaForCausalLM): RMSNorm, rotary (optionally Llama 3 rope scaling), GQA, SwiGLU MLP.
using Alloy.Tensors.Checkpoints;

namespace Alloy.Inference.Architectures;

/// <summary>Reads a LlamaForCausalLM config into a <see cref="TransformerSpec"/>.</summary>
internal static class LlamaArchitecture
{
    public const string Name = "LlamaForCausalLM";

    public static TransformerSpec Describe(ModelConfig config) =>
        ConfigFields.Read(config, Name, defaultRopeTheta: 10000, defaultEps: 1e-6, qkvBias: false, qkNorm: false, slidingWindow: null, allowLlama3Scaling: true);
}
