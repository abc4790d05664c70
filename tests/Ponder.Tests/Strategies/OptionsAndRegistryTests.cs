using System.Text.Json;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.Tests.Strategies;

public sealed class OptionsAndRegistryTests
{
    private static readonly string[] AllNames =
        ["sampling", "majority", "best-of-n", "weighted-best-of-n", "beam", "dvts", "lookahead", "revision", "early-rejection", "adaptive-consistency", "resample-until-accepted"];

    private static string Message(Action validate) => Assert.Throws<ArgumentException>(validate).Message;

    [Fact]
    public void ValidationMessagesNameTheOffendingValues()
    {
        var budget = Budget.OfGenerations(16);
        Assert.Equal("beam width must divide the budget: budget 16, beam width 5", Message(() => new BeamSearchOptions { BeamWidth = 5 }.Validate(budget)));
        Assert.Equal("beam width must divide the budget: budget 16, beam width 3", Message(() => new DvtsOptions { BeamWidth = 3 }.Validate(budget)));
        Assert.Equal("beam width must divide the budget: budget 16, beam width 6", Message(() => new EarlyRejectionOptions { BeamWidth = 6 }.Validate(budget)));
        Assert.Equal("depth + 1 must divide the budget: budget 16, depth 2", Message(() => new LookaheadOptions { Depth = 2 }.Validate(budget)));
        Assert.Equal("beam width must divide the beam count: beam count 8, beam width 3", Message(() => new LookaheadOptions { Depth = 1, BeamWidth = 3 }.Validate(budget)));
        Assert.Equal("beam width must be ≥ 1, got 0", Message(() => new BeamSearchOptions { BeamWidth = 0 }.Validate()));
        Assert.Equal("max rounds must be ≥ 1, got 0", Message(() => new BeamSearchOptions { MaxRounds = 0 }.Validate()));
        Assert.Equal("temperature must be a finite number ≥ 0, got -1", Message(() => new MajorityVoteOptions { Temperature = -1 }.Validate()));
        Assert.Equal("max tokens must be ≥ 1, got 0", Message(() => new RepeatedSamplingOptions { MaxTokens = 0 }.Validate()));
        Assert.Equal("partial tokens must be below max step tokens: partial tokens 16, max step tokens 16",
            Message(() => new EarlyRejectionOptions { PartialTokens = 16, MaxStepTokens = 16 }.Validate()));
        Assert.Equal("threshold must be in (0.5, 1], got 0.4", Message(() => new AdaptiveConsistencyOptions { Threshold = 0.4 }.Validate()));
        Assert.Equal("batch size must be ≥ 1, got 0", Message(() => new AdaptiveConsistencyOptions { BatchSize = 0 }.Validate()));
        Assert.Equal("threshold must be in [0, 1], got 1.5", Message(() => new ResampleUntilAcceptedOptions { Threshold = 1.5 }.Validate()));
        Assert.Equal("sequential ratio must be a finite number > 0, got 0", Message(() => new RevisionOptions { SequentialRatio = 0 }.Validate()));
        Assert.Equal("lookahead depth must be ≥ 0, got -1", Message(() => new LookaheadOptions { Depth = -1 }.Validate()));
        Assert.Equal("revision needs a budget in generations, got 1E+15 FLOPs", Message(() => new RevisionOptions().Validate(Budget.OfFlops(1e15))));
        // Valid ones pass.
        new BeamSearchOptions { BeamWidth = 4 }.Validate(budget);
        new LookaheadOptions { Depth = 3, BeamWidth = 2 }.Validate(budget);
        new MajorityVoteOptions().Validate(Budget.OfFlops(1e9));
    }

    [Fact]
    public void BudgetsValidateAndPrint()
    {
        Assert.Equal("16 generations", Budget.OfGenerations(16).ToString());
        Assert.Equal("1 generation", Budget.OfGenerations(1).ToString());
        Assert.Equal("2.5E+12 FLOPs", Budget.OfFlops(2.5e12).ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => Budget.OfGenerations(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Budget.OfFlops(double.NaN));
        Assert.Equal(Budget.OfGenerations(4), Budget.OfGenerations(4));
    }

    [Fact]
    public void SearchStrategiesNeedAStepScorer()
    {
        var context = new StrategyContext { Policy = new StepWorld().Generator(), AnswerKey = new LineAnswerKey() };
        Assert.Equal("beam search needs a step scorer (PRM) in the context", Message(() => new BeamSearchStrategy(context)));
        Assert.Equal("best-of-n needs a verifier: give the context a step scorer (PRM) or an outcome scorer", Message(() => new BestOfNStrategy(context)));
        Assert.Equal("weighted-best-of-n with the step verifier needs a step scorer (PRM) in the context",
            Message(() => new WeightedBestOfNStrategy(context with { OutcomeScorer = new FakeOutcomeScorer(_ => 1) }, new BestOfNOptions { Verifier = VerifierKind.Steps })));
    }

    [Fact]
    public void TheDefaultRegistryHasEveryStrategyAndReadsJsonOptions()
    {
        var registry = StrategyRegistry.CreateDefault();
        // compute-optimal needs a policy to be built; ComputeOptimalStrategyTests covers it.
        Assert.Equal([.. AllNames, "compute-optimal"], registry.Names);
        var world = new StepWorld();
        var context = world.Context(world.Generator()) with { RevisionPrompt = (p, _) => p.Prompt };
        foreach (var name in AllNames) Assert.Equal(name, registry.Create(name, context).Name);

        Assert.IsType<BeamSearchStrategy>(registry.Create("beam", context, JsonDocument.Parse("""{"beamWidth": 2, "aggregation": "prod", "maxRounds": 10}""").RootElement));
        Assert.IsType<RevisionStrategy>(registry.Create("revision", context, JsonDocument.Parse("""{"selection": "hierarchical", "sequentialRatio": 4}""").RootElement));
        Assert.StartsWith("invalid options for strategy beam:", Message(() => registry.Create("beam", context, JsonDocument.Parse("""{"beamWdith": 2}""").RootElement)));
        Assert.Equal("beam width must be ≥ 1, got 0", Message(() => registry.Create("beam", context, JsonDocument.Parse("""{"beamWidth": 0}""").RootElement)));
        Assert.StartsWith("unknown strategy nope; known: sampling, majority", Message(() => registry.Create("nope", context)));
        Assert.Equal("strategy beam takes BeamSearchOptions, not DvtsOptions", Message(() => registry.Create("beam", context, new DvtsOptions())));
        Assert.Equal(typeof(BestOfNOptions), registry.OptionsType("weighted-best-of-n"));
    }

    public static TheoryData<string, int> EveryStrategyAndBudget()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in AllNames)
            foreach (int budget in new[] { 2, 4, 8, 16 })
                data.Add(name, budget);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStrategyAndBudget))]
    public async Task NoStrategyExceedsItsBudget(string name, int budget)
    {
        var world = new StepWorld { Steps = 4 };
        var generator = world.Generator();
        var context = world.Context(generator) with
        {
            OutcomeScorer = new FakeOutcomeScorer(s => s.Length % 7 / 7.0),
            RevisionPrompt = (p, attempts) => p.Prompt,
        };
        var options = JsonDocument.Parse(name switch
        {
            "beam" or "dvts" => """{"beamWidth": 2}""",
            "early-rejection" => """{"beamWidth": 2, "partialTokens": 2}""",
            "lookahead" => budget % 4 == 0 ? """{"beamWidth": 2, "depth": 1}""" : """{"beamWidth": 1, "depth": 1}""",
            _ => "{}",
        }).RootElement;
        var result = await StrategyRegistry.CreateDefault().Create(name, context, options).SolveAsync(StepWorld.Problem, Budget.OfGenerations(budget), seed: 17);

        Assert.InRange(result.GenerationsUsed, 1, budget);
        Assert.Equal(Enumerable.Range(0, result.Candidates.Count), result.Candidates.Select(c => c.Index));
        Assert.NotEmpty(result.Candidates);
        Assert.NotNull(result.Answer);
        Assert.NotEmpty(result.Trace);
        // Complete-solution strategies sample exactly their budget (adaptive consistency at most); step searches sample at most N steps a round.
        int sequences = generator.Requests.Sum(r => r.Count);
        switch (name)
        {
            case "sampling" or "majority" or "best-of-n" or "weighted-best-of-n" or "revision":
                Assert.Equal(budget, sequences);
                break;
            case "adaptive-consistency" or "resample-until-accepted":
                Assert.InRange(sequences, 1, budget);
                break;
            default:
                Assert.True(sequences <= budget * result.Trace.Count * 2, $"{sequences} sequences in {result.Trace.Count} rounds");
                break;
        }
        Assert.Equal(result.Calls.Count(c => c.Role == Ponder.Compute.ComputeRole.Policy), generator.Requests.Count);
        Assert.Equal(generator.Requests.Sum(r => r.Count), result.Compute.Policy.Sequences);
    }

    [Fact]
    public void StepsSplitAtTheDelimiterAndKeepIt()
    {
        Assert.Equal(["a\n", "b\n", "c"], SolutionSteps.Split("a\nb\nc", "\n"));
        Assert.Equal(["a\n\n", "b\n\n"], SolutionSteps.Split("a\n\nb\n\n", "\n\n"));
        Assert.Empty(SolutionSteps.Split("", "\n"));
        Assert.Throws<ArgumentException>(() => SolutionSteps.Split("a", ""));
    }

    [Fact]
    public void AggregationsOfStepScores()
    {
        double[] scores = [0.5, 0.8, 0.4];
        Assert.Equal(0.4, ScoreAggregation.Last.Aggregate(scores));
        Assert.Equal(0.4, ScoreAggregation.Min.Aggregate(scores));
        Assert.Equal(0.16, ScoreAggregation.Product.Aggregate(scores), 12);
        Assert.Equal(1.7 / 3, ScoreAggregation.Mean.Aggregate(scores), 12);
        Assert.Equal(0, ScoreAggregation.Mean.Aggregate([]));
    }
}
