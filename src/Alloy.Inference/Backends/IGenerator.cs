// The one abstraction the evaluation harness generates through: the embedded engine and HTTP backends implement it.
// It says nothing about scheduling across prompts; callers run several requests concurrently if the backend allows.
namespace Alloy.Inference.Backends;

/// <summary>Produces samples for prompts. Implementations are safe to call concurrently.</summary>
public interface IGenerator
{
    /// <summary>
    /// Generates every sample of <paramref name="request"/> and returns them in the order of
    /// <see cref="GenerationRequest.SampleIndices"/>. Throws <see cref="GeneratorException"/> when the backend cannot
    /// produce them (after its retries), <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/>
    /// fires, and <see cref="Alloy.Tensors.AlloyInputException"/> for invalid settings.
    /// </summary>
    Task<IReadOnlyList<GeneratedSample>> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken);
}
