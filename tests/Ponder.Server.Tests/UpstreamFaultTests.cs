using System.Net;
using System.Text;
using System.Text.Json;
using Ponder.OpenAI;

namespace Ponder.Server.Tests;

/// <summary>An upstream that fails, hangs or drops connections is retried, then answered with 502; nothing leaks.</summary>
public sealed class UpstreamFaultTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("fake-500", "HTTP 500")]
    [InlineData("fake-hang", "timeout")]
    [InlineData("fake-close", "")]
    public async Task AFailingUpstreamIsRetriedThenAnswered502AndTheServerKeepsServing(string model, string detail)
    {
        int before = fixture.Upstream.Requests;
        int abandonedBefore = fixture.Upstream.Abandoned;
        foreach (bool strategy in new[] { false, true })
        {
            string ponder = strategy ? """, "ponder": {"strategy": "majority", "budget": 2}""" : "";
            using var response = await fixture.Http.PostAsync("chat/completions", new StringContent(
                $$"""{"model": "{{model}}", "messages": [{"role": "user", "content": "What is 6*7?"}]{{ponder}}}""", Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var error = json.RootElement.GetProperty("error");
            Assert.Equal("upstream_error", error.GetProperty("type").GetString());
            string message = error.GetProperty("message").GetString()!;
            Assert.Contains($"failed after {ServerFixture.MaxRetries + 1} attempts", message);
            Assert.Contains(model, message);
            Assert.Contains(detail, message, StringComparison.OrdinalIgnoreCase);
        }
        // One plain request and one strategy request (two samples in one request with n = 2), each tried 1 + MaxRetries times.
        // A hung attempt abandoned while its body was on the way may still be read after the 502: count once all settled.
        await fixture.Upstream.WaitIdleAsync();
        int attempts = 2 * (ServerFixture.MaxRetries + 1), arrived = fixture.Upstream.Requests - before;
        if (model == "fake-hang")
        {
            // A hung attempt ends on the client's clock, so on a loaded machine it can time out before its request reaches
            // the upstream: the upstream may see fewer attempts than the client made (the client's own count is checked in
            // the message above). Every request that did arrive must have been abandoned, none left hanging.
            Assert.InRange(arrived, 1, attempts);
            await fixture.Upstream.WaitAbandonedAsync(arrived);
            Assert.Equal(abandonedBefore + arrived, fixture.Upstream.Abandoned);
        }
        else Assert.Equal(attempts, arrived);
        Assert.Equal(0, fixture.Server.RequestsInFlight);

        using var ok = await fixture.Http.PostAsync("chat/completions", new StringContent(
            """{"model": "fake-ok", "messages": [{"role": "user", "content": "What is 6*7?"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task RequestsBeyondTheConcurrencyLimitGet429()
    {
        await using var upstream = await FakeUpstream.StartAsync(new() { ["slow"] = UpstreamBehaviour.Block });
        using var transport = new OpenAIUpstream(new OpenAIModelOptions { BaseUrls = [upstream.BaseAddress], Model = "slow" });
        await using var server = await PonderServer.StartAsync(new PonderServerOptions { Port = 0, MaxConcurrentRequests = 1 }, [ServedModel.Proxy(transport)]);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        const string Body = """{"model": "slow", "prompt": "hello"}""";

        var first = http.PostAsync("completions", new StringContent(Body, Encoding.UTF8, "application/json"));
        await upstream.Blocked.Task;
        using (var second = await http.PostAsync("completions", new StringContent(Body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            using var json = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
            Assert.Equal("rate_limit_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        }
        upstream.Release();
        using (var firstResponse = await first) Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        using (var third = await http.PostAsync("completions", new StringContent(Body, Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }
}
