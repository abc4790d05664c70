using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Ponder.OpenAI.Tests;

/// <summary>
/// An HTTP transport that answers from a script instead of the network, and records every request (URL and body), so
/// client behaviour (load balancing, retries, concurrency, parsing) is checked without sockets or clocks.
/// </summary>
internal sealed class ScriptedHandler(Func<HttpRequestMessage, JsonObject, int, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private int _calls, _inFlight, _maxInFlight;
    private readonly List<(Uri Url, JsonObject Body)> _requests = [];

    public IReadOnlyList<(Uri Url, JsonObject Body)> Requests
    {
        get { lock (_requests) return _requests.ToArray(); }
    }

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!.AsObject();
        int call;
        lock (_requests)
        {
            _requests.Add((request.RequestUri!, body));
            call = _calls++;
        }
        int inFlight = Interlocked.Increment(ref _inFlight);
        int max;
        while (inFlight > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max) { }
        try { return await answer(request, body, call).WaitAsync(cancellationToken); }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    public static HttpResponseMessage Json(JsonNode body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    /// <summary>A 200 whose body breaks off: the connection is reset after the headers.</summary>
    public static HttpResponseMessage BodyBreaksOff() =>
        new(HttpStatusCode.OK) { Content = new StreamContent(new BodyStream(_ => throw new IOException("connection reset by peer"))) };

    /// <summary>A 200 whose body never arrives (until the reader gives up).</summary>
    public static HttpResponseMessage BodyStalls() =>
        new(HttpStatusCode.OK) { Content = new StreamContent(new BodyStream(async cancellationToken => { await Task.Delay(Timeout.Infinite, cancellationToken); return 0; })) };

    /// <summary>A completions answer with one choice per text.</summary>
    public static HttpResponseMessage Completion(params (string Text, string Finish, string? StopReason)[] choices) => Json(new JsonObject
    {
        ["choices"] = new JsonArray(choices.Select((c, i) => (JsonNode)new JsonObject
        {
            ["index"] = i, ["text"] = c.Text, ["finish_reason"] = c.Finish, ["stop_reason"] = c.StopReason,
        }).ToArray()),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = choices.Sum(c => c.Text.Length) },
    });
}

/// <summary>A response body whose every read is <paramref name="read"/>.</summary>
internal sealed class BodyStream(Func<CancellationToken, Task<int>> read) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => read(CancellationToken.None).GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => read(cancellationToken);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(read(cancellationToken));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
