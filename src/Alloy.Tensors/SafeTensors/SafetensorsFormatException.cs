// The error a safetensors reader raises for a malformed or hostile file; always names the file.
// It is bad input (exit code 2), not a bug.
namespace Alloy.Tensors.SafeTensors;

/// <summary>A safetensors file (or model index) is malformed. The message starts with the file path.</summary>
public sealed class SafetensorsFormatException : AlloyInputException
{
    /// <summary>Creates the exception for <paramref name="path"/> with the problem described in <paramref name="problem"/>.</summary>
    public SafetensorsFormatException(string path, string problem) : base($"{path}: {problem}") { FilePath = path; Problem = problem; }

    /// <summary>Creates the exception with the low-level cause kept for diagnostics.</summary>
    public SafetensorsFormatException(string path, string problem, Exception inner) : base($"{path}: {problem}", inner) { FilePath = path; Problem = problem; }

    /// <summary>Creates an exception with no details (prefer the other constructors).</summary>
    public SafetensorsFormatException() { FilePath = ""; Problem = ""; }

    /// <summary>Creates an exception with a preformatted message (prefer the other constructors).</summary>
    public SafetensorsFormatException(string message) : base(message) { FilePath = ""; Problem = message; }

    /// <summary>Creates an exception with a preformatted message and cause (prefer the other constructors).</summary>
    public SafetensorsFormatException(string message, Exception inner) : base(message, inner) { FilePath = ""; Problem = message; }

    /// <summary>The file that is wrong.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
