using System.Text.Json;
using Ponder.Analysis;
using Ponder.Compute;
using Ponder.Strategies;

namespace Ponder.Tests.Strategies;

public sealed class ComputeOptimalStrategyTests
{
    // StepWorld's PRM scores a final answer line 0.5, so every pilot has mean final score 0.5. A threshold below it puts
    // problems in bin 1, above it in bin 2.
    private static ComputeOptimalPolicy Policy(double threshold, DifficultyMeasure measure = DifficultyMeasure.Predicted) => new()
    {
        Difficulty = measure,
        Bins = new DifficultyBins([threshold]),
        PilotSamples = 2,
        PilotTemperature = 0.7f,
        Entries =
        [
            new PolicyEntry(1, 2, 2, "majority", """{"temperature":0.7}""", 0.9, 1e6, 10, false),
            new PolicyEntry(1, 8, 6, "majority", """{"temperature":0.7}""", 0.95, 4e6, 10, false),
            new PolicyEntry(2, 2, 2, "weighted-best-of-n", """{"temperature":0.7}""", 0.4, 2e6, 10, false),
            new PolicyEntry(2, 8, 8, "beam", """{"beamWidth":2}""", 0.6, 8e6, 10, false),
        ],
    };

    [Theory]
    [InlineData(0.4, 10, "majority", 8, 6)]              // easy: bin 1; policy budget 8 runs majority at 6, the pilot's 2 samples among them
    [InlineData(0.6, 10, "beam", 8, 8)]                  // hard: bin 2; beam runs after the pilot: 2 + 8 fit in 10
    [InlineData(0.6, 9, "weighted-best-of-n", 2, 2)]     // 2 + 8 do not fit in 9; weighted at 2 is the pilot itself
    public async Task ThePilotPicksTheBinAndTheLargestBudgetThatFitsAndIsChargedOnce(double threshold, int budget, string expected, int policyBudget, int runBudget)
    {
        var world = new StepWorld();
        var generator = world.Generator();
        var context = world.Context(generator);
        var strategy = StrategyRegistry.CreateDefault().Create("compute-optimal", context, new ComputeOptimalOptions { Policy = Policy(threshold) });
        var result = await strategy.SolveAsync(StepWorld.Problem, Budget.OfGenerations(budget), seed: 3);

        Assert.Equal("compute-optimal", result.Strategy);
        Assert.StartsWith($"pilot of 2: mean final PRM score 0.500 → bin {(threshold < 0.5 ? 1 : 2)}; policy budget {policyBudget}: {expected}", result.Trace[0]);
        Assert.EndsWith($"at budget {runBudget}", result.Trace[0]);
        Assert.Contains(result.Trace, line => line.StartsWith(expected + ": ", StringComparison.Ordinal));
        // The pilot: one request for 2 samples at the policy's temperature, each scored by the PRM, and charged.
        var pilot = generator.Requests[0];
        Assert.Equal((2, 0.7f), (pilot.Count, pilot.Sampling.Temperature));
        Assert.Equal(2, result.Calls[0].Sequences.Count);
        Assert.Equal(ComputeRole.Verifier, result.Calls[1].Role);
        Assert.Equal(result.Calls.Count, result.Calls.Select(c => c.CallIndex).Distinct().Count());
        Assert.Equal(result.Calls.Sum(c => c.TotalFlops), result.Compute.Flops);
        Assert.NotNull(result.Answer);
        if (expected == "beam")
        {
            Assert.InRange(result.GenerationsUsed, 3, budget);
            return;
        }
        // A sampling configuration keeps the pilot's samples as its first candidates and draws only the rest: the pilot is
        // paid once, and only the fresh samples are scored (majority scores none).
        Assert.Equal(runBudget, result.GenerationsUsed);
        Assert.Equal(runBudget, result.Candidates.Count);
        Assert.Equal(runBudget, result.Calls.Where(c => c.Role == ComputeRole.Policy).Sum(c => c.Sequences.Count));
        Assert.Equal(expected == "majority" ? 2 : runBudget, result.Calls.Count(c => c.Role == ComputeRole.Verifier));
        Assert.Equal(runBudget > 2 ? 2 : 1, generator.Requests.Count);
        Assert.All(result.Candidates.Take(2), c => Assert.NotNull(c.Score));
    }

    [Fact]
    public async Task InvalidUsesAreClearErrors()
    {
        var world = new StepWorld();
        var context = world.Context(world.Generator());
        var registry = StrategyRegistry.CreateDefault();
        string Message(Action create) => Assert.Throws<ArgumentException>(create).Message;

        Assert.Equal("compute-optimal needs a policy (a policy file written by ponder report)", Message(() => registry.Create("compute-optimal", context)));
        Assert.StartsWith("compute-optimal needs a policy that bins by predicted difficulty",
            Message(() => registry.Create("compute-optimal", context, new ComputeOptimalOptions { Policy = Policy(0.5, DifficultyMeasure.Oracle) })));
        Assert.Equal("compute-optimal needs a step scorer (PRM) in the context to predict difficulty",
            Message(() => registry.Create("compute-optimal", context with { StepScorer = null }, new ComputeOptimalOptions { Policy = Policy(0.5) })));
        var strategy = registry.Create("compute-optimal", context, new ComputeOptimalOptions { Policy = Policy(0.5) });
        Assert.Equal("compute-optimal needs a budget of at least 2 generations: a pilot of 2 and the policy's smallest configuration in every bin; got 1",
            (await Assert.ThrowsAsync<ArgumentException>(() => strategy.SolveAsync(StepWorld.Problem, Budget.OfGenerations(1), 1))).Message);
        var hotter = Policy(0.5) with { Entries = Policy(0.5).Entries.Select(e => e with { Options = e.Strategy == "beam" ? e.Options : """{"temperature":1.0}""" }).ToArray() };
        Assert.Equal("the policy's entry for bin 1 at budget 2 samples at temperature 1, but reuses the pilot's samples drawn at 0.7",
            Message(() => registry.Create("compute-optimal", context, new ComputeOptimalOptions { Policy = hotter })));
        Assert.Equal("the policy's bins were learned on the scores of confidence:other; the pilot would be scored by prm",
            Message(() => registry.Create("compute-optimal", context, new ComputeOptimalOptions { Policy = Policy(0.5) with { Verifier = "confidence:other" } })));
        Assert.Equal("compute-optimal", registry.Create("compute-optimal", context, new ComputeOptimalOptions { Policy = Policy(0.5) with { Verifier = "prm" } }).Name);
        Assert.Equal("compute-optimal needs a budget in generations, got 1E+09 FLOPs",
            (await Assert.ThrowsAsync<ArgumentException>(() => strategy.SolveAsync(StepWorld.Problem, Budget.OfFlops(1e9), 1))).Message);
    }

    [Fact]
    public void ThePolicyCanComeAsJsonOptions()
    {
        var world = new StepWorld();
        using var options = JsonDocument.Parse($$"""{"policy": {{Policy(0.5).ToJson()}}}""");
        var strategy = StrategyRegistry.CreateDefault().Create("compute-optimal", world.Context(world.Generator()), options.RootElement);
        Assert.Equal("compute-optimal", strategy.Name);
    }
}
