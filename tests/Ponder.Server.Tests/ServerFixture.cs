using System.Net.Http.Headers;
using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.OpenAI;

namespace Ponder.Server.Tests;

/// <summary>
/// One <c>ponder serve</c> per test class on 127.0.0.1 (ephemeral port) hosting the built-in <c>arith-small</c> and
/// proxying a <see cref="FakeUpstream"/> whose models succeed, fail with 500, hang or drop the connection.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string ApiKey = "test-key";
    public const string Arith = "arith-small";
    public const int MaxRetries = 2;

    private readonly List<OpenAIUpstream> _upstreams = [];

    public EngineGenerator Engine { get; private set; } = null!;
    public FakeUpstream Upstream { get; private set; } = null!;
    public PonderServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ponder.sln"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException("repository root (Ponder.sln) not found above " + AppContext.BaseDirectory);
    }

    public async Task InitializeAsync()
    {
        Engine = new EngineGenerator(EngineModel.Load(RepositoryFile("models/arith-small.gguf")));
        Upstream = await FakeUpstream.StartAsync(new()
        {
            ["fake-ok"] = UpstreamBehaviour.Answer,
            ["fake-500"] = UpstreamBehaviour.Fail,
            ["fake-hang"] = UpstreamBehaviour.Hang,
            ["fake-close"] = UpstreamBehaviour.CloseConnection,
        });
        var served = new List<ServedModel> { ServedModel.Arith(Arith, Engine) };
        foreach (string model in new[] { "fake-ok", "fake-500", "fake-hang", "fake-close" })
        {
            // A short attempt timeout only bounds the hanging upstream; no outcome depends on how long anything takes.
            var upstream = new OpenAIUpstream(new OpenAIModelOptions
            {
                BaseUrls = [Upstream.BaseAddress], Model = model, MaxRetries = MaxRetries, RetryDelay = TimeSpan.FromMilliseconds(1),
                AttemptTimeout = TimeSpan.FromMilliseconds(300),
            });
            _upstreams.Add(upstream);
            served.Add(ServedModel.Proxy(upstream));
        }
        Server = await PonderServer.StartAsync(new PonderServerOptions { Port = 0, ApiKey = ApiKey, MaxBudget = 16, MaxBodyBytes = 64 * 1024 }, served);
        Http = new HttpClient { BaseAddress = Server.BaseAddress };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        foreach (var upstream in _upstreams) upstream.Dispose();
        await Upstream.DisposeAsync();
    }
}
