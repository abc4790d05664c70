using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ponder.Server.Tests;

/// <summary>How <see cref="FakeUpstream"/> answers a request for a model.</summary>
public enum UpstreamBehaviour
{
    /// <summary>A fixed completion ("A:42").</summary>
    Answer,
    /// <summary>HTTP 500.</summary>
    Fail,
    /// <summary>Never answers; notices when the caller gives up.</summary>
    Hang,
    /// <summary>Closes the connection without an answer.</summary>
    CloseConnection,
    /// <summary>Waits until <see cref="FakeUpstream.Release"/>, then answers.</summary>
    Block,
}

/// <summary>
/// A stand-in OpenAI-compatible server on 127.0.0.1 (ephemeral port) whose behaviour is chosen per model name, and which
/// counts what it saw, so fault tests are deterministic: nothing waits on a clock except the client's own timeout.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, UpstreamBehaviour> _behaviours;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests, _inFlight, _abandoned;

    private FakeUpstream(WebApplication app, Dictionary<string, UpstreamBehaviour> behaviours)
    {
        _app = app;
        _behaviours = behaviours;
    }

    public Uri BaseAddress { get; private set; } = null!;
    public int Requests => Volatile.Read(ref _requests);
    public int InFlight => Volatile.Read(ref _inFlight);
    public int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>Completes when a request arrives while blocked.</summary>
    public TaskCompletionSource Blocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes each time a hanging request is abandoned by its caller; awaited with <see cref="WaitAbandonedAsync"/>.</summary>
    private readonly SemaphoreSlim _abandonedSignal = new(0);

    public void Release() => _released.TrySetResult();

    /// <summary>Completes when no request is in flight (bounded, like <see cref="WaitAbandonedAsync"/>).</summary>
    public async Task WaitIdleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (InFlight > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{InFlight} requests still in flight");
            await Task.Delay(10);
        }
    }

    public async Task WaitAbandonedAsync(int count)
    {
        // Generous bound: the outcome never depends on it, it only keeps a broken build from hanging the test run.
        for (int i = 0; i < count; i++)
            if (!await _abandonedSignal.WaitAsync(TimeSpan.FromSeconds(30))) throw new TimeoutException($"only {i} of {count} hanging requests were abandoned");
    }

    public static async Task<FakeUpstream> StartAsync(Dictionary<string, UpstreamBehaviour> behaviours)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new FakeUpstream(app, behaviours);
        app.MapPost("/v1/completions", http => upstream.HandleAsync(http, chat: false));
        app.MapPost("/v1/chat/completions", http => upstream.HandleAsync(http, chat: true));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseAddress = new Uri(address + "/v1/");
        return upstream;
    }

    private async Task HandleAsync(HttpContext http, bool chat)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
            // A request counts once it is read: one its caller gave up on while its body was still on the way (a loaded
            // machine) never reached a behaviour, so it is neither an attempt the upstream saw nor one it could abandon.
            Interlocked.Increment(ref _requests);
            string model = (string)body["model"]!;
            switch (_behaviours[model])
            {
                case UpstreamBehaviour.Fail:
                    http.Response.StatusCode = 500;
                    await http.Response.WriteAsync("{\"error\":{\"message\":\"boom\"}}");
                    return;
                case UpstreamBehaviour.Hang:
                    try { await Task.Delay(Timeout.Infinite, http.RequestAborted); }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref _abandoned);
                        _abandonedSignal.Release();
                    }
                    return;
                case UpstreamBehaviour.CloseConnection:
                    http.Abort();
                    return;
                case UpstreamBehaviour.Block:
                    Blocked.TrySetResult();
                    await _released.Task;
                    break;
            }
            int n = (int?)body["n"] ?? 1;
            var choices = new JsonArray(Enumerable.Range(0, n).Select(i => (JsonNode)(chat
                ? new JsonObject { ["index"] = i, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "A:42" }, ["finish_reason"] = "stop" }
                : new JsonObject { ["index"] = i, ["text"] = "A:42", ["finish_reason"] = "stop" })).ToArray());
            await http.Response.WriteAsJsonAsync(new JsonObject
            {
                ["id"] = "fake", ["object"] = chat ? "chat.completion" : "text_completion", ["created"] = 0, ["model"] = model, ["choices"] = choices,
                ["usage"] = new JsonObject { ["prompt_tokens"] = 5, ["completion_tokens"] = 4 * n, ["total_tokens"] = 5 + 4 * n },
            });
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
