using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Strategies;
using Ponder.Studies.Arith;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Tests;

/// <summary>
/// The strategies on the built-in testbed with the built-in models, on a fixed seeded set of level-3 test problems: test-time
/// compute must buy accuracy (issue 4). Deterministic: the problems, seeds and engine are fixed, so these are measurements
/// that hold exactly, not statistical tests that may flake.
/// </summary>
public sealed class StrategyIntegrationTests
{
    private const int Level = 3;
    private const int Problems = 40;
    private const int Budget = 16;

    private static readonly Lazy<Task<Measurements>> Measured = new(MeasureAsync);

    private sealed record Measurements(double PassAt1, double Majority);

    private static async Task<Measurements> MeasureAsync()
    {
        var policy = new EngineGenerator(EngineModel.Load(TrainingTests.RepositoryFile("models/arith-small.gguf")));
        var context = ArithStrategies.Context(policy);
        var registry = StrategyRegistry.CreateDefault();
        var problems = ArithSplits.Load(ArithSplit.Test, perLevel: Problems).Where(p => p.Level == Level).ToArray();
        double passAt1 = 0, majority = 0;
        for (int i = 0; i < problems.Length; i++)
        {
            var problem = ArithStrategies.ToProblem(problems[i]);
            ulong seed = (ulong)i;
            var vote = await registry.Create("majority", context).SolveAsync(problem, Ponder.Strategies.Budget.OfGenerations(Budget), seed);
            passAt1 += vote.Candidates.Average(c => c.IsCorrect == true ? 1.0 : 0.0);
            majority += vote.IsCorrect == true ? 1 : 0;
        }
        int n = problems.Length;
        return new Measurements(passAt1 / n, majority / n);
    }

    [Fact]
    public async Task MajorityOf16BeatsOneSampleAtLevel3()
    {
        var m = await Measured.Value;
        Assert.True(m.Majority > m.PassAt1, $"majority@16 {m.Majority:F3} vs pass@1 {m.PassAt1:F3}");
    }
}
