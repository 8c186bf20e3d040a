// The two ways a hub download fails that callers tell apart: the hub refused (401/403/404, fixable by the user,
// exit code 2) and a downloaded file whose bytes do not hash to what the hub promised (a failure, exit code 1).
using System.Net;

namespace Alloy.Tensors.Hub;

/// <summary>The hub refused a request: the repository, revision or file does not exist or needs a token.</summary>
public sealed class HubAccessException : AlloyInputException
{
    /// <summary>Creates the exception with a user-facing message and the HTTP status.</summary>
    public HubAccessException(string message, HttpStatusCode statusCode) : base(message) => StatusCode = statusCode;

    /// <summary>Creates the exception with no message (for serializers).</summary>
    public HubAccessException() { }

    /// <summary>Creates the exception with a user-facing message.</summary>
    public HubAccessException(string message) : base(message) { }

    /// <summary>Creates the exception with a user-facing message and its cause.</summary>
    public HubAccessException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The status the hub answered with.</summary>
    public HttpStatusCode StatusCode { get; }
}

/// <summary>A downloaded file did not match its size or sha256; the partial blob was deleted.</summary>
public sealed class HubIntegrityException : IOException
{
    /// <summary>Creates the exception with a message naming the file, the expected and the actual value.</summary>
    public HubIntegrityException(string message) : base(message) { }

    /// <summary>Creates the exception with no message (for serializers).</summary>
    public HubIntegrityException() { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public HubIntegrityException(string message, Exception inner) : base(message, inner) { }
}
