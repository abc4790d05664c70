using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Ponder.Server;

/// <summary>
/// A request the server answers with an error in OpenAI's shape:
/// <c>{"error": {"message": …, "type": …, "param": …, "code": …}}</c>.
/// </summary>
/// <param name="status">The HTTP status.</param>
/// <param name="message">What went wrong, for people.</param>
/// <param name="type"><c>invalid_request_error</c>, <c>authentication_error</c>, <c>rate_limit_error</c>, <c>upstream_error</c> or <c>server_error</c>.</param>
/// <param name="param">The offending request field (dotted for nested ones, e.g. <c>ponder.budget</c>), or null.</param>
/// <param name="code">A machine-readable code, or null.</param>
internal sealed class OpenAIError(int status, string message, string type, string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    /// <summary>A 400 for an invalid field.</summary>
    public static OpenAIError Invalid(string? param, string message, string? code = "invalid_value") =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, code);

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.Body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", Message);
        json.WriteString("type", Type);
        if (Param is null) json.WriteNull("param"); else json.WriteString("param", Param);
        if (Code is null) json.WriteNull("code"); else json.WriteString("code", Code);
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(response.HttpContext.RequestAborted);
    }
}
