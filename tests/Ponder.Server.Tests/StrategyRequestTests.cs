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

    [Fact]
    public async Task TheServersTokenLimitBindsAStrategysGenerations()
    {
        await using var server = await PonderServer.StartAsync(new PonderServerOptions { Port = 0, MaxTokens = 20 }, [ServedModel.Arith(ServerFixture.Arith, fixture.Engine)]);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var raised = await http.PostAsync("chat/completions", Chat(""", "ponder": {"strategy": "majority", "budget": 2, "options": {"maxTokens": 100}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, raised.StatusCode);
        using (var error = JsonDocument.Parse(await raised.Content.ReadAsStringAsync()))
            Assert.Equal("ponder.options.maxTokens", error.RootElement.GetProperty("error").GetProperty("param").GetString());

        // Without max_tokens the strategy gets the limit, not its own default of 256: the solution takes 35 tokens, so
        // each of the two samples stops at 20.
        using var response = await http.PostAsync("chat/completions", Chat(""", "ponder": {"strategy": "majority", "budget": 2}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(40, json.RootElement.GetProperty("ponder").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task AReplyCutAtMaxTokensFinishesWithLength()
    {
        using var cut = await fixture.Http.PostAsync("chat/completions", Chat(""", "max_tokens": 10, "ponder": {"strategy": "majority", "budget": 2}"""));
        using var whole = await fixture.Http.PostAsync("chat/completions", Chat(""", "ponder": {"strategy": "majority", "budget": 2}"""));

        Assert.Equal("length", await FinishReasonAsync(cut));
        Assert.Equal("stop", await FinishReasonAsync(whole));
    }

    private static async Task<string?> FinishReasonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString();
    }
}
