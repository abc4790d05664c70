namespace Ponder.OpenAI;

/// <summary>An OpenAI-compatible server failed a request: it answered with an error status, or every attempt failed.</summary>
public sealed class UpstreamException : Exception
{
    /// <summary>A failure with the server's last HTTP status (null when no attempt got an answer).</summary>
    public UpstreamException(string message, int? statusCode, Exception? innerException = null) : base(message, innerException) =>
        StatusCode = statusCode;

    /// <summary>The HTTP status of the last answer, or null when the last attempt timed out or lost its connection.</summary>
    public int? StatusCode { get; }

    /// <summary>Whether the server refused the request itself (a 4xx other than 408 and 429), which retrying cannot fix.</summary>
    public bool IsClientError => StatusCode is >= 400 and < 500 and not 408 and not 429;
}
