using System.Net;
using System.Text;
using System.Text.Json;
using Ponder.AI;
using Ponder.Analysis;
using Ponder.Engine.Inference;
using Ponder.Scoring;

namespace Ponder.Server.Tests;

/// <summary>A request's <c>ponder.policy</c> lets a loaded policy choose the strategy and budget, or a learned one solve with compute-optimal.</summary>
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

    // Two bins on the pilot's mean confidence: majority where it is high, weighted best-of-N (reusing the pilot) where low.
    private static ComputeOptimalPolicy Learned(DifficultyMeasure measure = DifficultyMeasure.Predicted) => new()
    {
        Difficulty = measure,
        Bins = new DifficultyBins([0.5]),
        PilotSamples = 2,
        PilotTemperature = 0.8f,
        Entries =
        [
            new PolicyEntry(1, 4, 4, "majority", """{"temperature":0.8}""", 0.9, 1e9, 10, false),
            new PolicyEntry(2, 4, 4, "weighted-best-of-n", """{"temperature":0.8}""", 0.4, 2e9, 10, false),
        ],
    };

    [Fact]
    public async Task ALearnedPolicyIsAppliedByComputeOptimalWithTheNamedPrm()
    {
        var prms = new Dictionary<string, IStepScorer> { ["confidence"] = new EngineConfidenceScorer(fixture.Engine.Model) };
        await using var server = await PonderServer.StartAsync(new PonderServerOptions { Port = 0 }, [ServedModel.Arith(ServerFixture.Arith, fixture.Engine)],
            prms, learnedPolicies: new Dictionary<string, ComputeOptimalPolicy> { ["learned"] = Learned() });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.PostAsync("chat/completions", Body("""{"policy": "learned", "prm": "confidence", "budget": 4}"""));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var ponder = JsonDocument.Parse(text).RootElement.GetProperty("ponder");
        Assert.Equal("compute-optimal", ponder.GetProperty("strategy").GetString());
        Assert.InRange(ponder.GetProperty("generations_used").GetInt32(), 2, 4);
        Assert.True(ponder.GetProperty("verifier_calls").GetInt32() > 0);   // the pilot is scored

        foreach (var (extension, param) in new[]
        {
            ("""{"policy": "learned", "budget": 4}""", "ponder.prm"),
            ("""{"policy": "learned", "prm": "confidence", "options": {"policy": {}}}""", "ponder.options.policy"),
            ("""{"policy": "nope", "prm": "confidence"}""", "ponder.policy"),
        })
        {
            using var bad = await http.PostAsync("chat/completions", Body(extension));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            using var error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
            Assert.Equal(param, error.RootElement.GetProperty("error").GetProperty("param").GetString());
            if (param == "ponder.policy") Assert.Contains("loaded: learned", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task AnOracleOrTwiceNamedLearnedPolicyIsRefusedAtStart()
    {
        var served = new[] { ServedModel.Arith(ServerFixture.Arith, fixture.Engine) };
        var oracle = await Assert.ThrowsAsync<ArgumentException>(() => PonderServer.StartAsync(new PonderServerOptions { Port = 0 }, served,
            learnedPolicies: new Dictionary<string, ComputeOptimalPolicy> { ["oracle"] = Learned(DifficultyMeasure.Oracle) }));
        Assert.Contains("predicted difficulty", oracle.Message);
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => PonderServer.StartAsync(new PonderServerOptions { Port = 0 }, served,
            policies: new Dictionary<string, IComputePolicy> { ["p"] = new ByLength() },
            learnedPolicies: new Dictionary<string, ComputeOptimalPolicy> { ["p"] = Learned() }));
        Assert.Contains("two policies are named p", twice.Message);
    }
}
