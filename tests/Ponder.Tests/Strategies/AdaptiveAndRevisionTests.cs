using Ponder.Strategies;

namespace Ponder.Tests.Strategies;

public sealed class AdaptiveAndRevisionTests
{
    private static readonly Problem Problem = new("p", "Q\n");

    // ∫_{0.5}^{1} x^a (1−x)^b dx / ∫_0^1 x^a (1−x)^b dx by composite Simpson's rule.
    private static double NumericPosterior(int a, int b)
    {
        static double Simpson(Func<double, double> f, double lo, double hi, int n = 20_000)
        {
            double h = (hi - lo) / n, sum = f(lo) + f(hi);
            for (int i = 1; i < n; i++) sum += f(lo + i * h) * (i % 2 == 1 ? 4 : 2);
            return sum * h / 3;
        }
        double F(double x) => Math.Pow(x, a) * Math.Pow(1 - x, b);
        return Simpson(F, 0.5, 1) / Simpson(F, 0, 1);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(4, 0)]
    [InlineData(5, 2)]
    [InlineData(7, 3)]
    [InlineData(10, 10)]
    [InlineData(12, 1)]
    [InlineData(30, 17)]
    public void BetaStoppingProbabilityMatchesNumericalIntegration(int v1, int v2)
    {
        Assert.Equal(NumericPosterior(v1, v2), AdaptiveConsistencyStrategy.BetaStoppingProbability(v1, v2), 9);
    }

    [Fact]
    public void BetaStoppingProbabilityHasTheKnownClosedForms()
    {
        Assert.Equal(0.5, AdaptiveConsistencyStrategy.BetaStoppingProbability(0, 0));
        Assert.Equal(0.75, AdaptiveConsistencyStrategy.BetaStoppingProbability(1, 0));
        Assert.Equal(15 / 16.0, AdaptiveConsistencyStrategy.BetaStoppingProbability(3, 0));
        Assert.Equal(31 / 32.0, AdaptiveConsistencyStrategy.BetaStoppingProbability(4, 0));
        Assert.Equal(0.5, AdaptiveConsistencyStrategy.BetaStoppingProbability(10, 10), 12);
        // Large counts neither overflow nor underflow.
        Assert.Equal(0.5, AdaptiveConsistencyStrategy.BetaStoppingProbability(5000, 5000), 12);
        Assert.True(AdaptiveConsistencyStrategy.BetaStoppingProbability(5000, 4000) > 0.999999);
    }

    [Theory]
    [InlineData("1,1,1,1,1,1")]
    [InlineData("1,2,1,1,3,1,1,1,1,2,1")]
    [InlineData("2,1,1,2,1,2,2,2,2,2,2,2,2")]
    [InlineData("1,2,3,4,5,6")]
    public async Task AdaptiveConsistencyStopsWhenThePosteriorReachesTheThreshold(string sequence)
    {
        string[] answers = sequence.Split(',');
        int calls = 0;
        var generator = new ScriptedGenerator((_, _, _, _) => $"A:{answers[Interlocked.Increment(ref calls) - 1]}\n");
        var context = new StrategyContext { Policy = generator, AnswerKey = new LineAnswerKey() };
        var result = await new AdaptiveConsistencyStrategy(context).SolveAsync(Problem, Budget.OfGenerations(answers.Length), seed: 1);

        // Expected stop: the first prefix of the answers whose top two counts give a numerically integrated posterior ≥ 0.95.
        int expected = answers.Length;
        for (int n = 1; n <= answers.Length; n++)
        {
            var counts = answers.Take(n).GroupBy(a => a).Select(g => g.Count()).OrderDescending().ToArray();
            if (NumericPosterior(counts[0], counts.ElementAtOrDefault(1)) >= 0.95) { expected = n; break; }
        }
        Assert.Equal(expected, result.Candidates.Count);
        Assert.Equal(expected, result.GenerationsUsed);
        Assert.All(generator.Requests, r => Assert.Equal(1, r.Count));
        var leader = answers.Take(expected).GroupBy(a => a).OrderByDescending(g => g.Count()).ThenBy(g => Array.IndexOf(answers, g.Key)).First().Key;
        Assert.Equal(leader, result.Answer);
    }

    [Fact]
    public async Task AdaptiveConsistencyStopsAfterFourAgreeingSamplesAndHonoursTheBudget()
    {
        var generator = new ScriptedGenerator((_, _, _, _) => "A:7\n");
        var context = new StrategyContext { Policy = generator, AnswerKey = new LineAnswerKey() };
        var result = await new AdaptiveConsistencyStrategy(context).SolveAsync(Problem, Budget.OfGenerations(16), seed: 1);
        Assert.Equal(4, result.GenerationsUsed);    // P(3, 0) = 15/16 < 0.95 ≤ P(4, 0) = 31/32

        var capped = await new AdaptiveConsistencyStrategy(context, new AdaptiveConsistencyOptions { Threshold = 0.999 }).SolveAsync(Problem, Budget.OfGenerations(6), seed: 1);
        Assert.Equal(6, capped.GenerationsUsed);
        Assert.Equal("budget spent after 6 samples", capped.Trace[^1]);

        var batched = await new AdaptiveConsistencyStrategy(context, new AdaptiveConsistencyOptions { BatchSize = 3 }).SolveAsync(Problem, Budget.OfGenerations(16), seed: 1);
        Assert.Equal(6, batched.GenerationsUsed);   // checks after 3 and 6 samples
    }

    [Theory]
    [InlineData(16, 1.0, 4)]
    [InlineData(16, 16.0, 16)]
    [InlineData(16, 1 / 16.0, 1)]
    [InlineData(8, 1.0, 2)]     // 2:4 and 4:2 are equally far from 1:1; ties go to more chains
    [InlineData(4, 1.0, 2)]
    [InlineData(1, 5.0, 1)]
    [InlineData(12, 3.0, 6)]
    public void RevisionChainLengthFollowsTheRatio(int budget, double ratio, int length) =>
        Assert.Equal(length, RevisionStrategy.ChainLength(budget, ratio));

    // The attempt's answer: the first attempt of chain c answers 5 (c = 0) or 7 (c = 1); a revision of 5 stays 5, of 7 becomes 8.
    private static string Revise(string prefix, int index)
    {
        if (!prefix.Contains("W:")) return index == 0 ? "A:5\n" : "A:7\n";
        return prefix.Contains("A:7") ? "A:8\n" : "A:5\n";
    }

    private static StrategyContext RevisionContext(ScriptedGenerator generator, bool withVerifier) => new()
    {
        Policy = generator,
        AnswerKey = new LineAnswerKey(),
        OutcomeScorer = withVerifier ? new FakeOutcomeScorer(s => s switch { "A:5\n" => 0.6, "A:7\n" => 0.9, _ => 0.1 }) : null,
        RevisionPrompt = (problem, attempts) => problem.Prompt + string.Concat(attempts.Select(a => "W:\n" + a)) + "R:\n",
    };

    [Fact]
    public async Task RevisionSelectsByMajorityOrHierarchically()
    {
        var generator = new ScriptedGenerator((prefix, i, _, _) => Revise(prefix, i));
        var hierarchical = await new RevisionStrategy(RevisionContext(generator, withVerifier: true)).SolveAsync(Problem, Budget.OfGenerations(4), seed: 1);
        // 2 chains × 2 attempts, listed attempt by attempt: chain 0 says 5, 5; chain 1 says 7, 8.
        Assert.Equal(["5", "7", "5", "8"], hierarchical.Candidates.Select(c => c.Answer));
        Assert.Equal([0, 1, 0, 1], hierarchical.Candidates.Select(c => c.Group!.Value));
        // Chain 0 picks 5 (0.6), chain 1 picks 7 (0.9 against 0.1); across chains 7 wins — although flat weighting would pick 5 (1.2).
        Assert.Equal("7", hierarchical.Answer);
        Assert.Equal(4, hierarchical.GenerationsUsed);
        // The first attempts share one request; each revision conditions on its own chain.
        Assert.Equal([2, 1, 1], generator.Requests.Select(r => r.Count));
        Assert.Equal(["Q\nW:\nA:5\nR:\n", "Q\nW:\nA:7\nR:\n"], generator.Requests.Skip(1).Select(r => r.Prefix));

        var majority = await new RevisionStrategy(RevisionContext(generator, withVerifier: true), new RevisionOptions { Selection = RevisionSelection.Majority })
            .SolveAsync(Problem, Budget.OfGenerations(4), seed: 1);
        Assert.Equal("5", majority.Answer);
        Assert.All(majority.Candidates, c => Assert.Null(c.Score));
        Assert.Equal(0, majority.Compute.Verifier.Calls);
    }

    [Fact]
    public async Task RevisionConditionsOnTheFourMostRecentAttempts()
    {
        int calls = 0;
        var generator = new ScriptedGenerator((_, _, _, _) => $"A:{Interlocked.Increment(ref calls)}\n");
        var result = await new RevisionStrategy(RevisionContext(generator, withVerifier: false), new RevisionOptions { SequentialRatio = 100 })
            .SolveAsync(Problem, Budget.OfGenerations(6), seed: 1);
        Assert.Equal(6, result.Candidates.Count);
        Assert.Equal("Q\nW:\nA:2\nW:\nA:3\nW:\nA:4\nW:\nA:5\nR:\n", generator.Requests[^1].Prefix);
        Assert.Equal("Q\nW:\nA:1\nR:\n", generator.Requests[1].Prefix);
        Assert.Equal(Problem.Prompt, generator.Requests[0].Prefix);
    }

    [Fact]
    public void RevisionNeedsARevisionPromptAndAVerifierForHierarchicalSelection()
    {
        var generator = new ScriptedGenerator((_, _, _, _) => "A:1\n");
        var noPrompt = RevisionContext(generator, withVerifier: true) with { RevisionPrompt = null };
        Assert.Equal("revision needs the task's revision prompt in the context",
            Assert.Throws<ArgumentException>(() => new RevisionStrategy(noPrompt)).Message);
        Assert.Equal("hierarchical revision selection needs the outcome scorer in the context",
            Assert.Throws<ArgumentException>(() => new RevisionStrategy(RevisionContext(generator, withVerifier: false), new RevisionOptions { Selection = RevisionSelection.Hierarchical })).Message);
    }
}
