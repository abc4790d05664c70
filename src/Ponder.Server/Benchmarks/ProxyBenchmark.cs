using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ponder.OpenAI;

namespace Ponder.Server.Benchmarks;

/// <summary>Throughput and latency of one way of calling the upstream.</summary>
/// <param name="RequestsPerSecond">Requests completed per second of the phase's wall time.</param>
/// <param name="P50Milliseconds">Median request latency.</param>
/// <param name="P99Milliseconds">99th-percentile request latency.</param>
public sealed record LatencyFigures(double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds);

/// <summary>What <see cref="ProxyBenchmark"/> measured, in one run on loopback.</summary>
/// <param name="Requests">Requests per phase.</param>
/// <param name="Concurrency">Requests in flight at once.</param>
/// <param name="Direct">Calling the upstream directly.</param>
/// <param name="Proxied">Calling it through <c>ponder serve</c>.</param>
/// <param name="AddedP50Milliseconds">Proxied minus direct median latency.</param>
/// <param name="AddedP99Milliseconds">Proxied minus direct 99th-percentile latency.</param>
/// <param name="ProcessorCount">Logical processors of the machine.</param>
public sealed record ProxyBenchmarkResult(
    int Requests, int Concurrency, LatencyFigures Direct, LatencyFigures Proxied, double AddedP50Milliseconds, double AddedP99Milliseconds, int ProcessorCount);

/// <summary>
/// <c>ponder bench server</c>: the cost of putting <c>ponder serve</c> in front of an OpenAI-compatible server. A stub
/// upstream on 127.0.0.1 answers every <c>/v1/completions</c> request at once with a fixed completion, so the figures are
/// the proxy's own overhead (parsing, validation, the resilient client, copying the answer), not a model's speed.
/// Direct and proxied phases alternate in rounds after a warm-up, so drifting machine load hits both alike.
/// </summary>
public static class ProxyBenchmark
{
    private const string Model = "stub";
    private const int Rounds = 4;

    private static readonly byte[] Answer = Encoding.UTF8.GetBytes(
        """{"id":"cmpl-stub","object":"text_completion","created":0,"model":"stub","choices":[{"index":0,"text":"17*4=68\n68+39=107\n107-8=99\nA:99\n","finish_reason":"stop"}],"usage":{"prompt_tokens":17,"completion_tokens":35,"total_tokens":52}}""");

    private static readonly byte[] Request = Encoding.UTF8.GetBytes(
        """{"model":"stub","prompt":"Q:((17*4)+39)-8\n","max_tokens":64,"temperature":0.8,"stop":["\n\n"]}""");

    /// <summary>Runs <paramref name="requests"/> requests per way of calling, <paramref name="concurrency"/> at a time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1.</exception>
    public static async Task<ProxyBenchmarkResult> RunAsync(int requests, int concurrency, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, Rounds);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        await using var stub = await StartStubAsync(cancellationToken);
        using var transport = new OpenAIUpstream(new OpenAIModelOptions { BaseUrls = [stub.BaseAddress], Model = Model, MaxConcurrency = concurrency });
        await using var proxy = await PonderServer.StartAsync(
            new PonderServerOptions { Port = 0, MaxConcurrentRequests = concurrency }, [ServedModel.Proxy(transport)], cancellationToken: cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency });
        var direct = new Uri(stub.BaseAddress, "completions");
        var proxied = new Uri(proxy.BaseAddress, "completions");

        progress?.Report("warming up");
        await PhaseAsync(http, direct, Math.Min(requests, 200), concurrency, cancellationToken);
        await PhaseAsync(http, proxied, Math.Min(requests, 200), concurrency, cancellationToken);
        var directLatencies = new List<double>();
        var proxiedLatencies = new List<double>();
        TimeSpan directTime = TimeSpan.Zero, proxiedTime = TimeSpan.Zero;
        for (int round = 0; round < Rounds; round++)
        {
            progress?.Report($"round {round + 1} of {Rounds}");
            var (d, dt) = await PhaseAsync(http, direct, requests / Rounds, concurrency, cancellationToken);
            var (p, pt) = await PhaseAsync(http, proxied, requests / Rounds, concurrency, cancellationToken);
            directLatencies.AddRange(d);
            proxiedLatencies.AddRange(p);
            directTime += dt;
            proxiedTime += pt;
        }
        var directFigures = Figures(directLatencies, directTime);
        var proxiedFigures = Figures(proxiedLatencies, proxiedTime);
        return new ProxyBenchmarkResult(directLatencies.Count, concurrency, directFigures, proxiedFigures,
            proxiedFigures.P50Milliseconds - directFigures.P50Milliseconds, proxiedFigures.P99Milliseconds - directFigures.P99Milliseconds,
            Environment.ProcessorCount);
    }

    private static async Task<(List<double> Latencies, TimeSpan Elapsed)> PhaseAsync(HttpClient http, Uri url, int requests, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new double[requests];
        int next = -1;
        var clock = Stopwatch.StartNew();
        async Task Worker()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < requests;)
            {
                long start = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(Request);
                content.Headers.ContentType = new("application/json");
                using var response = await http.PostAsync(url, content, cancellationToken);
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Worker()));
        return (latencies.ToList(), clock.Elapsed);
    }

    private static LatencyFigures Figures(List<double> latencies, TimeSpan elapsed)
    {
        latencies.Sort();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        return new LatencyFigures(latencies.Count / elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99));
    }

    private sealed class Stub(WebApplication app, Uri baseAddress) : IAsyncDisposable
    {
        public Uri BaseAddress { get; } = baseAddress;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<Stub> StartStubAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/v1/completions", async http =>
        {
            await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(Answer, http.RequestAborted);
        });
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Stub(app, new Uri(address + "/v1/"));
    }
}
