using Ponder.Compute;
using Ponder.Generation;
using Ponder.Strategies;

namespace Ponder.Tests.Strategies;

public sealed class ResampleUntilAcceptedTests
{
    private static readonly Problem Problem = new("p", "Q\n") { ReferenceAnswer = "1" };

    // Request k (the strategy asks for one sample a request) answers answers[k], the last one from then on; the verifier
    // scores by answer.
    private static StrategyContext Context(string[] answers, Dictionary<string, double> scores, out ScriptedGenerator generator, out FakeStepScorer scorer,
        ModelCard? policyCard = null, ModelCard? verifierCard = null, double stepScore = 0.99)
    {
        int requests = 0;
        generator = new ScriptedGenerator((_, _, _, _) => $"work\nA:{answers[Math.Min(Interlocked.Increment(ref requests), answers.Length) - 1]}\n", policyCard);
        scorer = new FakeStepScorer(step => step.StartsWith("A:", StringComparison.Ordinal) ? scores[step[2..^1]] : stepScore, verifierCard ?? FakeStepScorer.DefaultCard);
        return new StrategyContext { Policy = generator, AnswerKey = new LineAnswerKey(), StepScorer = scorer };
    }

    [Fact]
    public async Task TheFirstAcceptedSampleAnswersAndSamplingStops()
    {
        var context = Context(["2", "3", "1", "1"], new() { ["1"] = 0.9, ["2"] = 0.2, ["3"] = 0.4 }, out var generator, out var scorer);
        var result = await new ResampleUntilAcceptedStrategy(context).SolveAsync(Problem, Budget.OfGenerations(8), seed: 5);

        Assert.Equal("1", result.Answer);
        Assert.True(result.IsCorrect);
        Assert.Equal((3, 3, 2), (result.GenerationsUsed, result.Candidates.Count, result.ChosenIndex));
        Assert.All(generator.Requests, r => Assert.Equal(1, r.Count));
        Assert.Equal(Enumerable.Range(0, 3).Select(i => (ulong?)SplitMix64.Derive(5, (ulong)i)), generator.Requests.Select(r => r.Sampling.Seed));
        Assert.Equal(3, scorer.Calls);
        Assert.Equal(["#0 rejected: score 0.200", "#1 rejected: score 0.400", "#2 accepted: score 0.900 ≥ 0.5"], result.Trace);
    }

    [Fact]
    public async Task WithNoneAcceptedTheSamplesVoteByWeight()
    {
        // The best single score is 3's (0.45), the largest sum 2's (0.3 + 0.3 = 0.6): the vote is by sum.
        var context = Context(["3", "2", "2", "3"], new() { ["2"] = 0.3, ["3"] = 0.45 }, out _, out _);
        var result = await new ResampleUntilAcceptedStrategy(context).SolveAsync(Problem, Budget.OfGenerations(3), seed: 1);
        Assert.Equal(("2", 3), (result.Answer, result.GenerationsUsed));
        Assert.Equal("budget spent after 3 samples, none accepted: weighted vote", result.Trace[^1]);
    }

    [Fact]
    public async Task AcceptanceNeedsAnAnswerAndAScoreAtTheThreshold()
    {
        // A sample without an answer line scores 0.99 (every step of it does) yet is not accepted; a score equal to the
        // threshold is.
        int requests = 0;
        var generator = new ScriptedGenerator((_, _, _, _) => Interlocked.Increment(ref requests) == 1 ? "work\n" : "work\nA:2\n");
        var context = new StrategyContext
        {
            Policy = generator, AnswerKey = new LineAnswerKey(),
            StepScorer = new FakeStepScorer(step => step.StartsWith("A:", StringComparison.Ordinal) ? 0.75 : 0.99, FakeStepScorer.DefaultCard),
        };
        var result = await new ResampleUntilAcceptedStrategy(context, new ResampleUntilAcceptedOptions { Threshold = 0.75 })
            .SolveAsync(Problem, Budget.OfGenerations(8), seed: 1);
        Assert.Equal(("2", 2, 1), (result.Answer, result.GenerationsUsed, result.ChosenIndex));
        Assert.Equal(["#0 rejected: no answer, score 0.990", "#1 accepted: score 0.750 ≥ 0.75"], result.Trace);
    }

    [Fact]
    public async Task OptionsComeThroughTheRegistry()
    {
        // With threshold 0.8 the last step's 0.9 is accepted at once; aggregated by min, the first step's 0.5 is read instead
        // and nothing is accepted.
        var context = Context(["2", "2"], new() { ["2"] = 0.9 }, out _, out _);
        var registry = StrategyRegistry.CreateDefault();
        using var last = System.Text.Json.JsonDocument.Parse("""{"threshold": 0.8}""");
        var accepted = await registry.Create(ResampleUntilAcceptedStrategy.StrategyName, context, last.RootElement).SolveAsync(Problem, Budget.OfGenerations(4), seed: 1);
        Assert.Equal(1, accepted.GenerationsUsed);
        var minContext = Context(["2", "2", "2"], new() { ["2"] = 0.9 }, out _, out _, stepScore: 0.5);
        using var min = System.Text.Json.JsonDocument.Parse("""{"threshold": 0.8, "aggregation": "min"}""");
        var rejected = await registry.Create(ResampleUntilAcceptedStrategy.StrategyName, minContext, min.RootElement).SolveAsync(Problem, Budget.OfGenerations(3), seed: 1);
        Assert.Equal(3, rejected.GenerationsUsed);
    }

    [Fact]
    public async Task ABudgetOfOneAnswersItsSampleUnscored()
    {
        var context = Context(["2"], new() { ["2"] = 0.1 }, out _, out var scorer);
        var result = await new ResampleUntilAcceptedStrategy(context).SolveAsync(Problem, Budget.OfGenerations(1), seed: 1);
        Assert.Equal(("2", 1, 0), (result.Answer, result.GenerationsUsed, scorer.Calls));
        Assert.DoesNotContain(result.Calls, c => c.Role == ComputeRole.Verifier);
    }

    [Fact]
    public async Task UnderAFlopBudgetItSamplesWhileAScoredSampleFits()
    {
        // Every sample is rejected. The first sample's bound is a whole context (the prompt's length is unknown until then);
        // later ones are bounded by prompt + max tokens, with their scoring. The budget holds three first-sample bounds.
        var policy = ScriptedGenerator.DefaultCard with { ContextLength = 64 };
        var verifier = FakeStepScorer.DefaultCard with { ContextLength = 64 };
        var context = Context(["2"], new() { ["2"] = 0.1 }, out _, out _, policy, verifier);
        double scoring = verifier.ForwardFlops(0, verifier.ContextLength);
        double budget = 3 * (policy.ForwardFlops(0, policy.ContextLength) + scoring);
        var result = await new ResampleUntilAcceptedStrategy(context, new ResampleUntilAcceptedOptions { MaxTokens = 16 })
            .SolveAsync(Problem, Budget.OfFlops(budget), seed: 1);

        double spent = result.Compute.Flops!.Value;
        Assert.True(spent <= budget, $"{spent} > {budget}");
        Assert.True(spent + policy.ForwardFlops(0, Problem.Prompt.Length + 16) + scoring > budget, "another scored sample would have fit");
        Assert.True(result.GenerationsUsed > 3);
    }
}
