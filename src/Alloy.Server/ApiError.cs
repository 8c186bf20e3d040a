// An OpenAI-style error answer: HTTP status plus {"error": {"message", "type", "param", "code"}}.
// It is raised while reading a request and written by the endpoints; it carries no engine failures of its own.
using System.Text.Json;

namespace Alloy.Server;

/// <summary>
/// A request the server refuses, with the status and the OpenAI error object to send. <see cref="Type"/> is
/// <c>invalid_request_error</c> for 400s, as OpenAI and vLLM answer.
/// </summary>
public sealed class ApiError : Exception
{
    /// <summary>Creates the error; <paramref name="message"/> is sent to the client as is.</summary>
    public ApiError(int status, string message, string type = "invalid_request_error", string? param = null)
        : base(message)
    {
        Status = status;
        Type = type;
        Param = param;
    }

    /// <summary>Creates a 400 error with no parameter (for serializers; prefer the other constructor).</summary>
    public ApiError() : this(400, "bad request") { }

    /// <summary>Creates a 400 error (for serializers; prefer the other constructor).</summary>
    public ApiError(string message) : this(400, message) { }

    /// <summary>Creates a 400 error wrapping a cause (for serializers; prefer the other constructor).</summary>
    public ApiError(string message, Exception inner) : base(message, inner)
    {
        Status = 400;
        Type = "invalid_request_error";
    }

    /// <summary>The HTTP status code.</summary>
    public int Status { get; }

    /// <summary>The OpenAI error type (<c>invalid_request_error</c>, <c>rate_limit_error</c>, <c>server_error</c> …).</summary>
    public string Type { get; }

    /// <summary>The request field at fault, or null.</summary>
    public string? Param { get; }

    /// <summary>A 400 naming the field at fault.</summary>
    public static ApiError BadField(string param, string message) => new(400, message, param: param);

    /// <summary>Writes <c>{"error": {...}}</c> to <paramref name="writer"/>.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WritePropertyName("error");
        WriteErrorObject(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes the inner error object (message, type, param, code) to <paramref name="writer"/>.</summary>
    public void WriteErrorObject(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("message", Message);
        writer.WriteString("type", Type);
        if (Param is null)
            writer.WriteNull("param");
        else
            writer.WriteString("param", Param);
        writer.WriteNumber("code", Status);
        writer.WriteEndObject();
    }
}
