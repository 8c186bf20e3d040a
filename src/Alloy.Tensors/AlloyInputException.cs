// The one exception type for bad user input (a corrupt file, a wrong field, a missing tensor).
// The CLI turns it into exit code 2 and prints its message alone, without a stack trace.
namespace Alloy.Tensors;

/// <summary>
/// Bad input from the user: the message names the file (and field or tensor) and says what would be right.
/// Every layer throws this (or a subclass) for problems the user can fix; anything else is a bug.
/// </summary>
public class AlloyInputException : Exception
{
    /// <summary>Creates the exception with a complete, user-facing message.</summary>
    public AlloyInputException(string message) : base(message) { }

    /// <summary>Creates the exception with a complete, user-facing message and the low-level cause.</summary>
    public AlloyInputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with no message (for serializers; prefer the other constructors).</summary>
    public AlloyInputException() { }
}
