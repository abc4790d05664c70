using Ponder.Generation;
using Ponder.Strategies;

namespace Ponder.Tests.Strategies;

/// <summary>Beam search, DVTS, lookahead and early rejection on the toy step world.</summary>
public sealed class SearchStrategyTests
{
    private static int Digit(string line) => line[1] - '0';

    [Fact]
    public async Task BeamSearchKeepsTopNOverMAndExpandsEachByM()
    {
        var world = new StepWorld();
        var generator = world.Generator();
        var result = await new BeamSearchStrategy(world.Context(generator), new BeamSearchOptions { BeamWidth = 4 })
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(8), seed: 5);

        // Round 1: 8 first steps from the prompt; rounds 2–4: the 2 kept prefixes, 4 steps each. Round 4 writes the
        // answer line, which ends every solution, so all 8 candidates of round 4 join the pool.
        var requests = generator.Requests;
        Assert.Equal([8, 4, 4, 4, 4, 4, 4], requests.Select(r => r.Count));
        Assert.All(requests, r => Assert.Equal(["\n"], r.Stop));
        Assert.Equal(4, result.Trace.Count);
        Assert.Equal(8, result.Candidates.Count);
        Assert.All(result.Candidates, c => Assert.NotNull(c.Answer));
        Assert.Equal(8, result.GenerationsUsed);

        // The kept prefixes of round 1 are its two best-scored first steps.
        var first = requests[0];
        var firstSteps = Enumerable.Range(0, 8)
            .Select(i => world.Write(first.Prefix, i, SplitMix64.Derive(first.Sampling.Seed!.Value, (ulong)i), 0.8f).Split('\n')[0] + "\n").ToArray();
        var expectedKept = firstSteps.Select((s, i) => (s, i)).OrderByDescending(x => StepWorld.ScoreStep(x.s)).ThenBy(x => x.i).Take(2).Select(x => x.s);
        Assert.Equal(expectedKept.Select(s => StepWorld.Prompt + s), requests.Skip(1).Take(2).Select(r => r.Prefix));

        // The answer is the weighted best-of-N over the pool.
        var sums = result.Candidates.GroupBy(c => c.Answer).ToDictionary(g => g.Key!, g => g.Sum(c => c.Score!.Value));
        Assert.Equal(sums.MaxBy(kv => kv.Value).Key, result.Answer);
    }

    [Fact]
    public async Task BeamSearchStopsAfterFortyRoundsAndTheLastRoundGeneratesToTheEnd()
    {
        var world = new StepWorld { Endless = true };
        var generator = world.Generator();
        var result = await new BeamSearchStrategy(world.Context(generator), new BeamSearchOptions { BeamWidth = 2, MaxTokens = 64 })
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(4), seed: 5);

        Assert.Equal(40, result.Trace.Count);
        var requests = generator.Requests;
        Assert.Equal(1 + 39 * 2, requests.Count);
        var last = requests.Skip(1 + 38 * 2).ToArray();
        Assert.All(last, r => Assert.Empty(r.Stop));
        Assert.All(last, r => Assert.Equal(64, r.MaxTokens));
        Assert.All(requests.Take(requests.Count - 2), r => Assert.Equal(["\n"], r.Stop));
        Assert.Equal(4, last.Sum(r => r.Count));
        // Every round samples exactly the budget: 1 request of 4, then 2 prefixes × 2.
        Assert.Equal(4 + 39 * 4, requests.Sum(r => r.Count));
        Assert.Equal(4, result.Candidates.Count);
        Assert.All(result.Candidates, c => Assert.Equal(FinishReason.Length, c.Finish));
    }

    [Fact]
    public async Task BeamSearchSpreadsTheWidthOverFewerSurvivors()
    {
        // First steps s0 s1 s2 s3 s0 s1 s2 s3; s0–s2 end at once, so only the two s3 survive (fewer than N/M = 4) and
        // round 2 spreads the full width of 8 over them: 4 each instead of M = 2.
        var generator = new ScriptedGenerator((prefix, i, _, _) => prefix == StepWorld.Prompt ? $"s{i % 4}\nA:0\n" : "A:1\n");
        var context = new StrategyContext
        {
            Policy = generator,
            AnswerKey = new LineAnswerKey(),
            StepScorer = new FakeStepScorer(StepWorld.ScoreStep),
            IsFinished = s => s.Contains("A:") || s[1] < '3',
        };
        var result = await new BeamSearchStrategy(context, new BeamSearchOptions { BeamWidth = 2 }).SolveAsync(StepWorld.Problem, Budget.OfGenerations(8), seed: 11);

        Assert.Equal([8, 4, 4], generator.Requests.Select(r => r.Count));
        Assert.Equal(["Q\ns3\n", "Q\ns3\n"], generator.Requests.Skip(1).Select(r => r.Prefix));
        Assert.Equal(6 + 8, result.Candidates.Count);
        Assert.Equal(2, result.Trace.Count);
    }

    // Counts how many requests of a run are in flight at once; its runs keep state (as a prefix cache does) or not.
    private sealed class InFlightCounter(ITextGenerator inner, bool runsKeepState) : ITextGenerator
    {
        private int _inFlight;

        public int MostInFlight;

        public ModelCard? Card => inner.Card;

        public ITextGenerator BeginRun() => runsKeepState ? new Run(this) : this;

        public async Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
        {
            int now = Interlocked.Increment(ref _inFlight);
            lock (this) MostInFlight = Math.Max(MostInFlight, now);
            await Task.Delay(5, cancellationToken);
            try { return await inner.GenerateAsync(request, cancellationToken); }
            finally { Interlocked.Decrement(ref _inFlight); }
        }

        private sealed class Run(InFlightCounter counter) : ITextGenerator
        {
            public ModelCard? Card => counter.Card;

            public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
                counter.GenerateAsync(request, cancellationToken);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARunWhoseGeneratorKeepsStateMakesItsCallsOneAtATimeAndGetsTheSameResult(bool runsKeepState)
    {
        // What a stateful run reuses must not depend on which concurrent call finishes first; a stateless one may overlap.
        var world = new StepWorld { Steps = 4 };
        var generator = new InFlightCounter(world.Generator(), runsKeepState);
        var reference = await new DvtsStrategy(world.Context(world.Generator()), new DvtsOptions { BeamWidth = 2 })
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(8), seed: 3);
        var result = await new DvtsStrategy(world.Context(generator), new DvtsOptions { BeamWidth = 2 })
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(8), seed: 3);
        Assert.Equal(runsKeepState ? 1 : 4, generator.MostInFlight);
        Assert.Equal(reference.Candidates.Select(c => (c.Solution, c.Score)), result.Candidates.Select(c => (c.Solution, c.Score)));
    }

    [Fact]
    public async Task DvtsSubtreesAreIndependent()
    {
        var world = new StepWorld { Steps = 5 };
        var one = world.Generator();
        var two = world.Generator();
        var options = new DvtsOptions { BeamWidth = 4 };
        var single = await new DvtsStrategy(world.Context(one), options).SolveAsync(StepWorld.Problem, Budget.OfGenerations(4), seed: 9);
        var pair = await new DvtsStrategy(world.Context(two), options).SolveAsync(StepWorld.Problem, Budget.OfGenerations(8), seed: 9);

        // Subtree 0 grows the same way whether or not subtree 1 exists.
        Assert.Equal(single.Candidates.Select(c => (c.Solution, c.Score)), pair.Candidates.Where(c => c.Group == 0).Select(c => (c.Solution, c.Score)));
        Assert.Contains(pair.Candidates, c => c.Group == 1);
        // Each subtree samples M steps per round from its own single path: every request asks for M.
        Assert.All(two.Requests, r => Assert.Equal(4, r.Count));
        // 6 rounds (5 steps, the answer line), 2 subtrees each.
        Assert.Equal(12, two.Requests.Count);
        Assert.Equal(8, pair.GenerationsUsed);
    }

    [Fact]
    public async Task DvtsIsGreedyWithinASubtree()
    {
        var world = new StepWorld { Steps = 2 };
        var generator = world.Generator();
        var result = await new DvtsStrategy(world.Context(generator), new DvtsOptions { BeamWidth = 4 })
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(4), seed: 3);
        // Round 2 continues round 1's best step, round 3 round 2's best step.
        var requests = generator.Requests;
        for (int round = 0; round < 2; round++)
        {
            var r = requests[round];
            var steps = Enumerable.Range(0, 4).Select(i => world.Write(r.Prefix, i, SplitMix64.Derive(r.Sampling.Seed!.Value, (ulong)i), 0.8f).Split('\n')[0]).ToArray();
            int best = Enumerable.Range(0, 4).OrderByDescending(i => Digit(steps[i])).ThenBy(i => i).First();
            Assert.Equal(r.Prefix + steps[best] + "\n", requests[round + 1].Prefix);
        }
        Assert.NotEmpty(result.Candidates);
        Assert.All(result.Candidates, c => Assert.StartsWith(requests[2].Prefix[StepWorld.Prompt.Length..], c.Solution));
    }

    [Fact]
    public async Task LookaheadCostsNTimesKPlusOnePerRound()
    {
        var world = new StepWorld { Endless = true };
        var generator = world.Generator();
        var options = new LookaheadOptions { Depth = 2, BeamWidth = 2, MaxRounds = 3, MaxTokens = 16 };
        var result = await new LookaheadStrategy(world.Context(generator), options).SolveAsync(StepWorld.Problem, Budget.OfGenerations(12), seed: 2);

        // N = 12 / (2 + 1) = 4 beams. Rounds 1 and 2: 4 sampled steps and 4 rollouts of 2 greedy steps; round 3 (last) has no rollouts.
        var requests = generator.Requests;
        var greedy = requests.Where(r => r.Sampling.Temperature == 0).ToArray();
        var sampled = requests.Where(r => r.Sampling.Temperature != 0).ToArray();
        Assert.Equal(2 * 4 * 2, greedy.Length);
        Assert.All(greedy, r => Assert.Equal(1, r.Count));
        Assert.Equal(3 * 4, sampled.Sum(r => r.Count));
        Assert.Equal(12, result.GenerationsUsed);
        Assert.Equal(2 * 12 + 4, requests.Sum(r => r.Count));
    }

    [Fact]
    public async Task LookaheadRanksAStepByTheEndOfItsRollout()
    {
        // A greedy step writes 3 − the previous digit, so with k = 1 and the last-step score, low first digits rank highest.
        var world = new StepWorld { Steps = 3 };
        var generator = world.Generator();
        var options = new LookaheadOptions { Depth = 1, BeamWidth = 4 };
        await new LookaheadStrategy(world.Context(generator), options).SolveAsync(StepWorld.Problem, Budget.OfGenerations(16), seed: 4);

        var requests = generator.Requests;
        var first = requests[0];
        Assert.Equal(8, first.Count);
        var firstDigits = Enumerable.Range(0, 8).Select(i => Digit(world.Write(first.Prefix, i, SplitMix64.Derive(first.Sampling.Seed!.Value, (ulong)i), 0.8f))).ToArray();
        var kept = requests.Where(r => r.Sampling.Temperature != 0).Skip(1).Take(2).Select(r => Digit(r.Prefix[StepWorld.Prompt.Length..])).ToArray();
        Assert.Equal(firstDigits.OrderBy(d => d).Take(2), kept.OrderBy(d => d));
    }

    [Fact]
    public async Task EarlyRejectionFinishesOnlyTheSurvivors()
    {
        // Steps are 9 characters ("s2xxxxxx\n"); τ = 3 cuts every step, so each round scores 8 partial steps, keeps 2 and finishes those 2.
        var world = new StepWorld { Steps = 3, Pad = "xxxxxx" };
        var generator = world.Generator();
        var options = new EarlyRejectionOptions { BeamWidth = 4, PartialTokens = 3 };
        var result = await new EarlyRejectionStrategy(world.Context(generator), options).SolveAsync(StepWorld.Problem, Budget.OfGenerations(8), seed: 8);

        var requests = generator.Requests;
        var partial = requests.Where(r => r.MaxTokens == 3).ToArray();
        var finishing = requests.Where(r => r.MaxTokens != 3).ToArray();
        int rounds = result.Trace.Count;
        Assert.Equal(4, rounds);                            // 3 steps and the answer line
        Assert.Equal(8 * rounds, partial.Sum(r => r.Count));
        Assert.Equal(2 * rounds, finishing.Length);         // N/M survivors a round
        Assert.All(finishing, r => Assert.Equal(1, r.Count));
        Assert.All(finishing, r => Assert.Equal(128 - 3, r.MaxTokens));
        Assert.Equal(2, result.Candidates.Count);           // the two survivors of the answer round
        Assert.All(result.Candidates, c => Assert.Matches(@"^(s\dxxxxxx\n){3}A:\d+\n$", c.Solution));
        Assert.Equal(8, result.GenerationsUsed);

        // Rejected candidates cost τ tokens each: fewer generated tokens than beam search on the same world.
        var beam = await new BeamSearchStrategy(world.Context(world.Generator()), new BeamSearchOptions { BeamWidth = 4 })
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(8), seed: 8);
        Assert.True(result.Compute.Policy.GeneratedTokens < beam.Compute.Policy.GeneratedTokens);
    }

    [Fact]
    public async Task EarlyRejectionKeepsTheBestPartialSteps()
    {
        var world = new StepWorld { Steps = 2, Pad = "xxxxxx" };
        var generator = world.Generator();
        await new EarlyRejectionStrategy(world.Context(generator), new EarlyRejectionOptions { BeamWidth = 4, PartialTokens = 3 })
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(8), seed: 8);
        var requests = generator.Requests;
        var first = requests[0];
        var digits = Enumerable.Range(0, 8).Select(i => Digit(world.Write(first.Prefix, i, SplitMix64.Derive(first.Sampling.Seed!.Value, (ulong)i), 0.8f))).ToArray();
        var survivors = requests.Skip(1).Take(2).Select(r => Digit(r.Prefix[StepWorld.Prompt.Length..])).ToArray();
        Assert.Equal(digits.OrderDescending().Take(2), survivors.OrderDescending());
    }

    // Writes "A:1\n[DONE]" and, when continued past the solution stop, junk lines without end.
    private static string DoneThenJunk(string prefix, int index, ulong seed, float temperature)
    {
        const string Solution = "A:1\n[DONE]";
        string written = prefix[StepWorld.Prompt.Length..];
        string junk = string.Concat(Enumerable.Repeat("junk\n", 40));
        return written.Length < Solution.Length ? Solution[written.Length..] + junk : junk;
    }

    [Theory]
    [InlineData("beam")]
    [InlineData("dvts")]
    [InlineData("lookahead")]
    [InlineData("early-rejection")]
    public async Task AStepThatStopsAtASolutionStopEndsItsSolution(string strategy)
    {
        // A solution stop ends the whole solution (MBPP's [DONE]) whether or not the task also gives a finished-test.
        var generator = new ScriptedGenerator(DoneThenJunk);
        var context = new StrategyContext
        {
            Policy = generator,
            AnswerKey = new LineAnswerKey(),
            StepScorer = new FakeStepScorer(StepWorld.ScoreStep),
            SolutionStops = ["[DONE]"],
        };
        var options = System.Text.Json.JsonDocument.Parse("""{"beamWidth":2,"maxRounds":3,"maxTokens":64}""").RootElement;
        var result = await StrategyRegistry.CreateDefault().Create(strategy, context, options)
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(strategy == "lookahead" ? 8 : 4), seed: 1);

        Assert.NotEmpty(result.Candidates);
        Assert.All(result.Candidates, c => Assert.Equal("A:1\n[DONE]", c.Solution));
        Assert.All(result.Candidates, c => Assert.Equal(FinishReason.Stop, c.Finish));
        Assert.DoesNotContain(generator.Requests, r => r.Prefix.Contains("[DONE]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EarlyRejectionFindsADelimiterItsCutSplits()
    {
        // Blank-line steps; τ = 4 cuts "aaa\n\n" between its two newlines. A generator matches stops only in what it
        // generates, so the continuation alone never sees that "\n" completes the delimiter.
        const string Solution = "aaa\n\nbbb\n\nA:1\n\n";
        var generator = new ScriptedGenerator((prefix, _, _, _) => Solution[(prefix.Length - StepWorld.Prompt.Length)..]);
        var context = new StrategyContext
        {
            Policy = generator,
            AnswerKey = new LineAnswerKey(),
            StepScorer = new FakeStepScorer(StepWorld.ScoreStep),
            StepDelimiter = "\n\n",
        };
        var result = await new EarlyRejectionStrategy(context, new EarlyRejectionOptions { BeamWidth = 2, PartialTokens = 4, MaxStepTokens = 16 })
            .SolveAsync(StepWorld.Problem, Budget.OfGenerations(2), seed: 1);

        // Round 2 continues the first step alone, not the first two run together.
        Assert.Contains(generator.Requests, r => r.Prefix == StepWorld.Prompt + "aaa\n\n");
        Assert.All(result.Candidates, c => Assert.Equal(Solution, c.Solution));
    }
}
