using Ponder.Generation;
using Ponder.Strategies;

namespace Ponder.Tests.Strategies;

/// <summary>Sampling, majority, best-of-N and weighted best-of-N over scripted answers.</summary>
public sealed class SamplingStrategyTests
{
    private static readonly Problem Problem = new("p", "Q\n") { ReferenceAnswer = "1" };

    // Continuation i of the (single) request answers answers[i].
    private static StrategyContext Context(string[] answers, Func<string, double>? score, out ScriptedGenerator generator)
    {
        generator = new ScriptedGenerator((_, i, _, _) => $"work\nA:{answers[i]}\n");
        return new StrategyContext
        {
            Policy = generator,
            AnswerKey = new LineAnswerKey(),
            OutcomeScorer = score is null ? null : new FakeOutcomeScorer(score),
        };
    }

    private static double ScoreOf(string solution, Dictionary<string, double> byAnswer) => byAnswer[new LineAnswerKey().ExtractAnswer(solution)!];

    [Fact]
    public async Task MajorityTiesGoToTheAnswerSeenFirst()
    {
        var context = Context(["2", "1", "1", "2", "3"], null, out var generator);
        var result = await new MajorityVoteStrategy(context).SolveAsync(Problem, Budget.OfGenerations(5), seed: 1);
        Assert.Equal("2", result.Answer);
        Assert.Equal(0, result.ChosenIndex);
        Assert.False(result.IsCorrect);
        Assert.Equal(5, result.Candidates.Count);
        Assert.Equal(5, result.GenerationsUsed);
        var request = Assert.Single(generator.Requests);
        Assert.Equal(5, request.Count);
    }

    [Fact]
    public async Task MajorityPicksTheMostFrequentAnswerAndIgnoresMissingAnswers()
    {
        var generator = new ScriptedGenerator((_, i, _, _) => i < 3 ? "no answer\n" : $"A:{(i == 3 ? 9 : 1)}\n");
        var context = new StrategyContext { Policy = generator, AnswerKey = new LineAnswerKey() };
        var result = await new MajorityVoteStrategy(context).SolveAsync(Problem, Budget.OfGenerations(6), seed: 1);
        Assert.Equal("1", result.Answer);
        Assert.Equal(4, result.ChosenIndex);
        Assert.True(result.IsCorrect);
    }

    [Fact]
    public async Task SamplingReportsCoverageWithTheOracle()
    {
        var context = Context(["5", "6", "1", "7"], null, out _);
        var result = await new RepeatedSamplingStrategy(context).SolveAsync(Problem, Budget.OfGenerations(4), seed: 1);
        Assert.True(result.IsCorrect);
        Assert.Equal(2, result.ChosenIndex);
        Assert.Equal([false, false, true, false], result.Candidates.Select(c => c.IsCorrect!.Value));

        var missed = await new RepeatedSamplingStrategy(context).SolveAsync(Problem, Budget.OfGenerations(2), seed: 1);
        Assert.False(missed.IsCorrect);
        Assert.Equal(0, missed.ChosenIndex);

        var noOracle = await new RepeatedSamplingStrategy(context).SolveAsync(Problem with { ReferenceAnswer = null }, Budget.OfGenerations(4), seed: 1);
        Assert.Null(noOracle.IsCorrect);
        Assert.All(noOracle.Candidates, c => Assert.Null(c.IsCorrect));
    }

    [Fact]
    public async Task WeightedBestOfNSumsScoresWhileNaiveTakesTheTopScore()
    {
        var scores = new Dictionary<string, double> { ["1"] = 0.9, ["2"] = 0.4 };
        var context = Context(["1", "2", "2", "2"], s => ScoreOf(s, scores), out _);
        var naive = await new BestOfNStrategy(context).SolveAsync(Problem, Budget.OfGenerations(4), seed: 1);
        var weighted = await new WeightedBestOfNStrategy(context).SolveAsync(Problem, Budget.OfGenerations(4), seed: 1);
        Assert.Equal("1", naive.Answer);
        Assert.Equal("2", weighted.Answer);
        Assert.Equal(1, weighted.ChosenIndex);
        Assert.Equal([0.9, 0.4, 0.4, 0.4], weighted.Candidates.Select(c => c.Score!.Value));
        Assert.Equal(4, weighted.Compute.Verifier.Calls);
    }

    [Fact]
    public async Task ALoneSampleIsChosenWithoutAVerifierCall()
    {
        var context = Context(["7"], s => 0.3, out _);
        foreach (IStrategy strategy in new IStrategy[] { new BestOfNStrategy(context), new WeightedBestOfNStrategy(context) })
        {
            var result = await strategy.SolveAsync(Problem, Budget.OfGenerations(1), seed: 1);
            Assert.Equal("7", result.Answer);
            Assert.Equal(0, result.ChosenIndex);
            Assert.Null(result.Candidates[0].Score);
            Assert.Equal(0, result.Compute.Verifier.Calls);
        }
    }

    [Fact]
    public async Task BestOfNTiesGoToTheEarliest()
    {
        var scores = new Dictionary<string, double> { ["3"] = 0.5, ["4"] = 0.5, ["5"] = 0.25 };
        var context = Context(["5", "3", "4", "4", "3"], s => ScoreOf(s, scores), out _);
        var naive = await new BestOfNStrategy(context).SolveAsync(Problem, Budget.OfGenerations(5), seed: 1);
        Assert.Equal(1, naive.ChosenIndex);
        // Weighted: 3 and 4 both sum to 1.0; 3 was seen first.
        var weighted = await new WeightedBestOfNStrategy(context).SolveAsync(Problem, Budget.OfGenerations(5), seed: 1);
        Assert.Equal("3", weighted.Answer);
        Assert.Equal(1, weighted.ChosenIndex);
    }

    [Theory]
    [InlineData("last", 0.9)]
    [InlineData("min", 0.2)]
    [InlineData("prod", 0.2 * 0.5 * 0.9)]
    [InlineData("mean", (0.2 + 0.5 + 0.9) / 3)]
    public async Task BestOfNAggregatesPrmStepScores(string aggregation, double expected)
    {
        var generator = new ScriptedGenerator((_, _, _, _) => "a\nb\nA:1\n");
        var steps = new Dictionary<string, double> { ["a\n"] = 0.2, ["b\n"] = 0.5, ["A:1\n"] = 0.9 };
        var context = new StrategyContext { Policy = generator, AnswerKey = new LineAnswerKey(), StepScorer = new FakeStepScorer(s => steps[s]) };
        var strategy = StrategyRegistry.CreateDefault().Create("best-of-n", context, System.Text.Json.JsonDocument.Parse($"{{\"aggregation\":\"{aggregation}\"}}").RootElement);
        var result = await strategy.SolveAsync(Problem, Budget.OfGenerations(2), seed: 1);
        Assert.All(result.Candidates, c => Assert.Equal(expected, c.Score!.Value, 12));
        Assert.All(result.Candidates, c => Assert.Equal([0.2, 0.5, 0.9], c.StepScores!));
    }

    [Fact]
    public async Task SamplingStrategiesShareSamplesForASeed()
    {
        var world = new StepWorld();
        var context = world.Context(world.Generator());
        var sampling = await new RepeatedSamplingStrategy(context).SolveAsync(StepWorld.Problem, Budget.OfGenerations(6), seed: 42);
        var majority = await new MajorityVoteStrategy(context).SolveAsync(StepWorld.Problem, Budget.OfGenerations(6), seed: 42);
        var best = await new BestOfNStrategy(context).SolveAsync(StepWorld.Problem, Budget.OfGenerations(6), seed: 42);
        Assert.Equal(sampling.Candidates.Select(c => c.Solution), majority.Candidates.Select(c => c.Solution));
        Assert.Equal(sampling.Candidates.Select(c => c.Solution), best.Candidates.Select(c => c.Solution));
        Assert.True(sampling.Candidates.Select(c => c.Solution).Distinct().Count() > 1);
        Assert.All(sampling.Candidates, c => Assert.Equal(FinishReason.EndOfSequence, c.Finish));
    }

    [Fact]
    public async Task AFlopBudgetIsNeverExceeded()
    {
        var world = new StepWorld();
        var card = ScriptedGenerator.DefaultCard with { ContextLength = 64 };
        var prmCard = FakeStepScorer.DefaultCard with { ContextLength = 64 };
        var context = world.Context(world.Generator(card), scorer: new FakeStepScorer(StepWorld.ScoreStep, prmCard));
        // The first batch reserves a whole context per sample (the prompt's length is unknown); later ones prompt + max tokens.
        double budget = card.ForwardFlops(0, card.ContextLength) + 5.5 * card.ForwardFlops(0, StepWorld.Prompt.Length + 32);
        var result = await new MajorityVoteStrategy(context, new MajorityVoteOptions { MaxTokens = 32 }).SolveAsync(StepWorld.Problem, Budget.OfFlops(budget), seed: 1);
        Assert.True(result.Compute.Flops <= budget);
        Assert.InRange(result.GenerationsUsed, 6, 64);
        Assert.Equal(result.Candidates.Count, result.GenerationsUsed);

        // With a verifier, each sample also reserves a worst-case scoring: fewer samples, still within budget.
        var scored = await new BestOfNStrategy(context, new BestOfNOptions { MaxTokens = 32 }).SolveAsync(StepWorld.Problem, Budget.OfFlops(budget), seed: 1);
        Assert.True(scored.Compute.Flops <= budget);
        Assert.InRange(scored.GenerationsUsed, 2, result.GenerationsUsed - 1);
        Assert.Equal(scored.GenerationsUsed, scored.Compute.Verifier.Calls);
    }

    [Fact]
    public async Task StepLevelSearchNeedsAGenerationBudget()
    {
        var world = new StepWorld();
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new BeamSearchStrategy(world.Context(world.Generator())).SolveAsync(StepWorld.Problem, Budget.OfFlops(1e12), seed: 1));
        Assert.Equal("beam needs a budget in generations, got 1E+12 FLOPs", error.Message);
    }
}
