// The failure of a backend to produce samples: a dead endpoint, an exhausted retry budget, a malformed response.
// It is not for invalid settings (AlloyInputException) nor for cancellation (OperationCanceledException).
namespace Alloy.Inference.Backends;

/// <summary>
/// A generator could not produce a sample. The message names the endpoint (when there is one) and what went wrong;
/// the run should stop (CLI exit code 1) and can be resumed later.
/// </summary>
public class GeneratorException : Exception
{
    /// <summary>Creates the exception with a complete, user-facing message.</summary>
    public GeneratorException(string message) : base(message) { }

    /// <summary>Creates the exception with a complete, user-facing message and the low-level cause.</summary>
    public GeneratorException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with no message (for serializers; prefer the other constructors).</summary>
    public GeneratorException() { }

    /// <summary>The endpoint the failure is about, or null when it concerns the generator as a whole.</summary>
    public Uri? Endpoint { get; init; }
}
