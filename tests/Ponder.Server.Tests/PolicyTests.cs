using System.Net;
using System.Text;
using System.Text.Json;
using Ponder.AI;

namespace Ponder.Server.Tests;

/// <summary>A request's <c>ponder.policy</c> lets a loaded compute-optimal policy choose the strategy and budget.</summary>
public sealed class PolicyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private sealed class ByLength : IComputePolicy
    {
        // Longer expressions are harder: spend more on them.
        public ComputeAllocation Allocate(string question) => question.Length > 10 ? new("majority", 6) : new("sampling", 1);
    }

    private static StringContent Body(string ponder) => new(
        $$"""{"model": "arith-small", "messages": [{"role": "user", "content": "((17*4)+39)-8"}], "seed": 2, "ponder": {{ponder}} }""",
        Encoding.UTF8, "application/json");

    [Fact]
    public async Task ThePolicyChoosesTheStrategyAndBudget()
    {
        await using var server = await PonderServer.StartAsync(new PonderServerOptions { Port = 0 }, [ServedModel.Arith(ServerFixture.Arith, fixture.Engine)],
            policies: new Dictionary<string, IComputePolicy> { ["by-length"] = new ByLength() });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.PostAsync("chat/completions", Body("""{"policy": "by-length"}"""));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ponder = json.RootElement.GetProperty("ponder");
        Assert.Equal("majority", ponder.GetProperty("strategy").GetString());
        Assert.Equal(6, ponder.GetProperty("samples").GetInt32());

        foreach (var (extension, param) in new[] { ("""{"policy": "nope"}""", "ponder.policy"), ("""{"policy": "by-length", "strategy": "majority"}""", "ponder") })
        {
            using var bad = await http.PostAsync("chat/completions", Body(extension));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            using var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
            Assert.Equal(param, error.RootElement.GetProperty("error").GetProperty("param").GetString());
        }
    }
}
