using System.Net;
using System.Text;
using System.Text.Json;

namespace Ponder.Server.Tests;

/// <summary>Requests with a <c>ponder</c> strategy: every strategy that suits the model runs, within the server's limits.</summary>
public sealed class StrategyRequestTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static StringContent Chat(string extra) => new(
        $$"""{"model": "arith-small", "messages": [{"role": "user", "content": "((17*4)+39)-8"}], "seed": 3{{extra}} }""",
        Encoding.UTF8, "application/json");

    [Fact]
    public async Task RevisionRunsOnAProblemThatArrivesAsText()
    {
        // Budget 4 is two chains of two: each chain's second attempt continues arith's revision prompt.
        using var response = await fixture.Http.PostAsync("chat/completions", Chat(""", "ponder": {"strategy": "revision", "budget": 4}"""));
        string body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var ponder = json.RootElement.GetProperty("ponder");
        Assert.Equal("revision", ponder.GetProperty("strategy").GetString());
        Assert.Equal(4, ponder.GetProperty("generations_used").GetInt32());
    }
}
