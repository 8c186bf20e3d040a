// A failure raised by the evaluator's helpers, before the template name and line are attached.
// Internal only: ChatTemplate.Render converts it to ChatTemplateException.
namespace Alloy.Inference.Templates;

/// <summary>
/// A runtime failure inside the evaluator's helpers (type error, undefined access, raise_exception). The evaluator
/// turns it into a <see cref="ChatTemplateException"/> carrying the template name and line; it never escapes.
/// </summary>
internal sealed class TemplateRuntimeException : Exception
{
    /// <summary>Creates the failure with the detail text shown to the user.</summary>
    public TemplateRuntimeException(string message) : base(message) { }

    /// <summary>Creates the failure with no message.</summary>
    public TemplateRuntimeException() { }

    /// <summary>Creates the failure with a message and cause.</summary>
    public TemplateRuntimeException(string message, Exception inner) : base(message, inner) { }
}
