using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Ponder.OpenAI;

/// <summary>
/// The transport to the servers of one <see cref="OpenAIModelOptions"/>: JSON posts with retries and exponential backoff
/// on 408/429/5xx, connection failures and timed-out attempts (Microsoft.Extensions.Http.Resilience), a per-attempt
/// timeout, round-robin load balancing over the base URLs (each retry moves to the next one) and a bound on the requests
/// in flight. Shared by <see cref="OpenAITextGenerator"/> and proxies.
/// </summary>
/// <remarks>Thread-safe. Dispose it to close its connections.</remarks>
public sealed class OpenAIUpstream : IDisposable
{
    // Requests are addressed relative to this placeholder; the load balancer puts the chosen base URL in front.
    private static readonly Uri Placeholder = new("http://upstream/");

    // A plain (not streamed) answer is read within its attempt, so the attempt timeout bounds its body too and a
    // connection lost mid-body is retried like one lost before the headers; HttpClient would read it after the retries.
    private static readonly HttpRequestOptionsKey<bool> ReadBodyInAttempt = new("ponder.read-body-in-attempt");

    private readonly HttpClient _http;
    private readonly SemaphoreSlim _slots;

    /// <summary>A transport for <paramref name="options"/>.</summary>
    /// <param name="options">The servers and call settings; validated and kept as given (records are not mutated).</param>
    /// <param name="transport">The innermost handler; null uses a <see cref="SocketsHttpHandler"/>. Tests pass their own.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public OpenAIUpstream(OpenAIModelOptions options, HttpMessageHandler? transport = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _slots = new SemaphoreSlim(options.MaxConcurrencyOrDefault);
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetriesOrDefault > 0)
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetriesOrDefault,
                Delay = options.RetryDelayOrDefault,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // A failed attempt's response is replaced by the next one; release its connection now.
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        pipeline.AddTimeout(options.AttemptTimeoutOrDefault);
        var balancer = new LoadBalancingHandler(options.BaseUrls!) { InnerHandler = transport ?? new SocketsHttpHandler() };
        _http = new HttpClient(new ResilienceHandler(pipeline.Build()) { InnerHandler = balancer })
        {
            BaseAddress = Placeholder,
            // The resilience pipeline's per-attempt timeout and the caller's token bound each call.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (options.ApiKey is { Length: > 0 } key) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    /// <summary>The servers and call settings.</summary>
    public OpenAIModelOptions Options { get; }

    /// <summary>
    /// Posts <paramref name="json"/> to <paramref name="path"/> (relative to the base URL, e.g. <c>completions</c>) and
    /// returns the successful response, its body unread when <paramref name="streaming"/>. The caller disposes the response,
    /// which frees its concurrency slot.
    /// </summary>
    /// <exception cref="UpstreamException">The server answered with an error status, or every attempt failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<UpstreamResponse> PostAsync(string path, byte[] json, bool streaming, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(json);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        HttpResponseMessage? response = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(json) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Options.Set(ReadBodyInAttempt, !streaming);
            try
            {
                response = await _http.SendAsync(request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
            {
                throw new UpstreamException($"{Describe(path)} failed after {Attempts}: {e.Message}", null, e);
            }
            if (!response.IsSuccessStatusCode)
            {
                int status = (int)response.StatusCode;
                string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var error = new UpstreamException(Transient(status)
                    ? string.Create(CultureInfo.InvariantCulture, $"{Describe(path)} failed after {Attempts}: HTTP {status}: {Excerpt(body)}")
                    : string.Create(CultureInfo.InvariantCulture, $"{Describe(path)} refused the request: HTTP {status}: {Excerpt(body)}"), status);
                response.Dispose();
                throw error;
            }
            var result = new UpstreamResponse(response, _slots);
            response = null;
            return result;
        }
        catch
        {
            response?.Dispose();
            _slots.Release();
            throw;
        }
    }

    private string Attempts => Options.MaxRetriesOrDefault == 0 ? "1 attempt" : $"{Options.MaxRetriesOrDefault + 1} attempts";

    private string Describe(string path) =>
        $"upstream {string.Join(", ", Options.BaseUrls!.Select(u => u.AbsoluteUri.TrimEnd('/') + "/" + path))} (model {Options.Model})";

    private static bool Transient(int status) => status is 408 or 429 or >= 500;

    private static string Excerpt(string body)
    {
        body = body.Trim();
        return body.Length == 0 ? "(empty body)" : body.Length <= 300 ? body : body[..300] + "…";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
    }

    // Sends each attempt to the next base URL, so load spreads over the servers and a retry avoids the one that failed.
    private sealed class LoadBalancingHandler(IReadOnlyList<Uri> baseUrls) : DelegatingHandler
    {
        // A retry resends the same message, whose URI the previous attempt already rewrote: keep the original path.
        private static readonly HttpRequestOptionsKey<string> RelativePath = new("ponder.relative-path");
        // A retry takes the server after its own previous attempt's: the shared counter may have moved on meanwhile
        // (other requests went out) and come round to the server that just failed.
        private static readonly HttpRequestOptionsKey<ulong> PreviousServer = new("ponder.previous-server");
        private long _next = -1;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!request.Options.TryGetValue(RelativePath, out string? relative))
            {
                relative = request.RequestUri!.PathAndQuery.TrimStart('/');
                request.Options.Set(RelativePath, relative);
            }
            ulong server = request.Options.TryGetValue(PreviousServer, out ulong previous) ? previous + 1 : (ulong)Interlocked.Increment(ref _next);
            request.Options.Set(PreviousServer, server);
            var baseUrl = baseUrls[(int)(server % (ulong)baseUrls.Count)];
            request.RequestUri = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/" + relative);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (request.Options.TryGetValue(ReadBodyInAttempt, out bool read) && read)
            {
                try { await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false); }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }
            return response;
        }
    }
}

/// <summary>A successful upstream response that holds one of the transport's concurrency slots until disposed.</summary>
public sealed class UpstreamResponse : IDisposable
{
    private SemaphoreSlim? _slot;

    internal UpstreamResponse(HttpResponseMessage message, SemaphoreSlim slot)
    {
        Message = message;
        _slot = slot;
    }

    /// <summary>The HTTP response.</summary>
    public HttpResponseMessage Message { get; }

    /// <summary>Disposes the response and frees the slot.</summary>
    public void Dispose()
    {
        Message.Dispose();
        Interlocked.Exchange(ref _slot, null)?.Release();
    }
}
