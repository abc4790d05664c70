using Ponder.Analysis;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ponder.AI;
using Ponder.OpenAI;
using Ponder.Scoring;

namespace Ponder.Server;

/// <summary>
/// <c>ponder serve</c>: an OpenAI-compatible HTTP server (ASP.NET Core minimal API) over embedded and upstream models.
/// <c>GET /v1/models</c>, <c>POST /v1/completions</c> and <c>POST /v1/chat/completions</c> with n, temperature, top_p,
/// max_tokens, stop, seed, logprobs and stream; a <c>"ponder"</c> object applies a test-time compute strategy and the
/// response reports every token spent and the compute breakdown. Errors use OpenAI's shape.
/// </summary>
/// <remarks>Thread-safe. Dispose it to stop listening; the models and scorers stay the caller's.</remarks>
public sealed class PonderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SemaphoreSlim _slots;

    private readonly int _maxConcurrent;

    private PonderServer(WebApplication app, SemaphoreSlim slots, int maxConcurrent, Uri baseAddress)
    {
        _app = app;
        _slots = slots;
        _maxConcurrent = maxConcurrent;
        BaseAddress = baseAddress;
    }

    /// <summary>The OpenAI base URL clients use, ending in <c>/v1/</c>, e.g. <c>http://127.0.0.1:8080/v1/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Requests being served now.</summary>
    public int RequestsInFlight => _maxConcurrent - _slots.CurrentCount;

    /// <summary>Starts serving <paramref name="models"/> under <paramref name="options"/>.</summary>
    /// <param name="options">Address, API key and limits.</param>
    /// <param name="models">The models, by <see cref="ServedModel.Name"/> (unique).</param>
    /// <param name="prms">Process reward models requests may name in <c>ponder.prm</c>.</param>
    /// <param name="policies">Compute policies requests may name in <c>ponder.policy</c>: each chooses a strategy and budget for a question.</param>
    /// <param name="learnedPolicies">
    /// Compute-optimal policies learned by a study (policy files on predicted difficulty) requests may name in
    /// <c>ponder.policy</c>: the <c>compute-optimal</c> strategy applies one, with the PRM the request names.
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">The options are invalid, no model is given, two models or two policies share a name, or a learned policy bins by oracle difficulty.</exception>
    /// <exception cref="IOException">The address is in use.</exception>
    public static async Task<PonderServer> StartAsync(PonderServerOptions options, IEnumerable<ServedModel> models,
        IReadOnlyDictionary<string, IStepScorer>? prms = null, IReadOnlyDictionary<string, IComputePolicy>? policies = null,
        IReadOnlyDictionary<string, ComputeOptimalPolicy>? learnedPolicies = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(models);
        options.Validate();
        var byName = new Dictionary<string, ServedModel>(StringComparer.Ordinal);
        foreach (var model in models)
            if (!byName.TryAdd(model.Name, model)) throw new ArgumentException($"two served models are named {model.Name}");
        if (byName.Count == 0) throw new ArgumentException("serve at least one model");
        policies ??= new Dictionary<string, IComputePolicy>();
        learnedPolicies ??= new Dictionary<string, ComputeOptimalPolicy>();
        if (policies.Keys.Intersect(learnedPolicies.Keys).FirstOrDefault() is { } shared) throw new ArgumentException($"two policies are named {shared}");
        foreach (var (name, learned) in learnedPolicies)
            if (learned.Difficulty != DifficultyMeasure.Predicted)
                throw new ArgumentException($"policy {name} bins by {learned.Difficulty} difficulty; only a policy on predicted difficulty can be applied (an oracle one bins by the answer)");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytesOrDefault;
            kestrel.Listen(IPAddress.Parse(options.HostOrDefault), options.PortOrDefault);
        });
        var app = builder.Build();
        int maxConcurrent = options.MaxConcurrentRequestsOrDefault;
        var slots = new SemaphoreSlim(maxConcurrent);
        var handler = new CompletionHandler(options, byName, prms ?? new Dictionary<string, IStepScorer>(), policies, learnedPolicies);

        app.Use(ErrorsAsync);
        if (options.ApiKey is { } key) app.Use((http, next) => AuthorizeAsync(http, next, key));
        app.Use(async (http, next) =>
        {
            // Beyond the limit a request is refused at once: a client can back off, while a queue would only add latency.
            if (!slots.Wait(0))
                throw new OpenAIError(StatusCodes.Status429TooManyRequests,
                    $"the server is serving its limit of {maxConcurrent} requests; retry shortly", "rate_limit_error", null, "rate_limit_exceeded");
            try { await next(http); }
            finally { slots.Release(); }
        });
        app.MapGet("/v1/models", () => Results.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(byName.Keys.Select(name => (JsonNode)new JsonObject
            {
                ["id"] = name, ["object"] = "model", ["created"] = 0, ["owned_by"] = "ponder",
            }).ToArray()),
        }));
        app.MapPost("/v1/completions", http => handler.HandleAsync(http, chat: false));
        app.MapPost("/v1/chat/completions", http => handler.HandleAsync(http, chat: true));
        app.MapFallback(http => throw new OpenAIError(StatusCodes.Status404NotFound,
            $"no endpoint {http.Request.Method} {http.Request.Path}; served: GET /v1/models, POST /v1/completions, POST /v1/chat/completions",
            "invalid_request_error", null, "unknown_url"));

        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PonderServer(app, slots, maxConcurrent, new Uri(address.TrimEnd('/') + "/v1/"));
    }

    /// <summary>Completes when the server stops (on <paramref name="cancellationToken"/>, or Ctrl+C in a console app).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops listening, letting requests in flight finish.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _slots.Dispose();
    }

    private static async Task ErrorsAsync(HttpContext http, Func<Task> next)
    {
        OpenAIError error;
        try
        {
            await next();
            return;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (OpenAIError e)
        {
            error = e;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            error = new OpenAIError(e.StatusCode, $"the request body is larger than the server's limit of {http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes",
                "invalid_request_error", null, "request_too_large");
        }
        catch (BadHttpRequestException e)
        {
            error = new OpenAIError(e.StatusCode, e.Message, "invalid_request_error");
        }
        catch (Exception e)
        {
            error = new OpenAIError(StatusCodes.Status500InternalServerError, $"internal error: {e.GetType().Name}: {e.Message}", "server_error");
        }
        // Once a stream has started its status is sent; all that is left is to end it.
        if (http.Response.HasStarted) http.Abort();
        else await error.WriteAsync(http.Response);
    }

    private static Task AuthorizeAsync(HttpContext http, Func<Task> next, string key)
    {
        string? header = http.Request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(header["Bearer ".Length..]), System.Text.Encoding.UTF8.GetBytes(key)))
            return next();
        throw new OpenAIError(StatusCodes.Status401Unauthorized,
            header is null ? "no API key: send Authorization: Bearer KEY" : "incorrect API key", "authentication_error", null, "invalid_api_key");
    }
}
