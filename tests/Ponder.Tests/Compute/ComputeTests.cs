using Ponder.Compute;
using Ponder.Generation;
using Ponder.Strategies;
using Ponder.Tests.Strategies;

namespace Ponder.Tests.Compute;

public sealed class ComputeTests
{
    // Per-token FLOPs at position t: 2·1000 + 2·2·t·8 + 2·4·10 = 2080 + 32·t.
    private static readonly ModelCard Card = new("card", 2_000, 1_000, 2, 4, 8, 2, 1, 4096, 10);

    private static ComputeRecord Record(ModelCard? card, params SequenceUsage[] sequences) => new()
    {
        CallIndex = 0, Role = ComputeRole.Policy, Operation = ComputeOperation.Generate, Card = card, Sequences = sequences, WallTime = TimeSpan.Zero,
    };

    [Fact]
    public void FlopsMatchHandComputedValues()
    {
        Assert.Equal(2080, Card.ForwardFlopsPerToken(0));
        Assert.Equal(2080 + 32 * 7, Card.ForwardFlopsPerToken(7));

        // Prompt of 3 uncached tokens (positions 0, 1, 2) and 2 generated tokens (positions 3, 4).
        var single = Record(Card, new SequenceUsage(3, 0, 2));
        Assert.Equal(3 * 2080 + 32 * (0 + 1 + 2), single.PrefillFlops);
        Assert.Equal(2 * 2080 + 32 * (3 + 4), single.DecodeFlops);
        Assert.Equal(6336 + 4384, single.TotalFlops);

        // Partly cached prompt: only positions 2 … 4 of a 5-token prompt are computed.
        var cached = Record(Card, new SequenceUsage(5, 2, 0));
        Assert.Equal(3 * 2080 + 32 * (2 + 3 + 4), cached.PrefillFlops);
        Assert.Equal(0, cached.DecodeFlops);
    }

    [Fact]
    public async Task ASharedPrefixIsChargedOnce()
    {
        var world = new StepWorld();
        var shared = new ComputeLedger();
        var unshared = new ComputeLedger();
        var request = new GenerationRequest { Prefix = "Q\nsome longer prompt\n", Count = 4, Sampling = new() { Seed = 7 } };
        await new RecordingTextGenerator(new ScriptedGenerator(world.Write, Card), shared).GenerateAsync(request);
        await new RecordingTextGenerator(new ScriptedGenerator(world.Write, Card, sharePrefix: false), unshared).GenerateAsync(request);

        int prompt = request.Prefix.Length;
        var sharedRecord = Assert.Single(shared.Records);
        var unsharedRecord = Assert.Single(unshared.Records);
        Assert.Equal(Card.ForwardFlops(0, prompt), sharedRecord.PrefillFlops);
        Assert.Equal(4 * Card.ForwardFlops(0, prompt), unsharedRecord.PrefillFlops);
        Assert.Equal(sharedRecord.DecodeFlops, unsharedRecord.DecodeFlops);
        Assert.Equal(3L * prompt, sharedRecord.CachedPromptTokens);
        Assert.Equal(4L * prompt, sharedRecord.PromptTokens);
    }

    [Fact]
    public async Task LedgerTotalsEqualTheSumOfCallsAndVerifierFlopsAreSeparate()
    {
        var world = new StepWorld();
        var generator = world.Generator(Card);
        var context = world.Context(generator);
        var result = await new WeightedBestOfNStrategy(context).SolveAsync(StepWorld.Problem, Budget.OfGenerations(5), seed: 3);

        var policyCalls = result.Calls.Where(c => c.Role == ComputeRole.Policy).ToArray();
        var verifierCalls = result.Calls.Where(c => c.Role == ComputeRole.Verifier).ToArray();
        Assert.Single(policyCalls);
        Assert.Equal(5, verifierCalls.Length);
        Assert.All(verifierCalls, c => Assert.Equal("prm", c.Model));

        Assert.Equal(policyCalls.Sum(c => c.PrefillFlops!.Value), result.Compute.Policy.PrefillFlops);
        Assert.Equal(policyCalls.Sum(c => c.DecodeFlops!.Value), result.Compute.Policy.DecodeFlops);
        Assert.Equal(policyCalls.Sum(c => c.GeneratedTokens), result.Compute.Policy.GeneratedTokens);
        Assert.Equal(policyCalls.Sum(c => c.PromptTokens), result.Compute.Policy.PromptTokens);

        // Verifier FLOPs come from the PRM's card: a prefill over each call's prompt tokens, nothing generated.
        double expectedVerifier = verifierCalls.Sum(c => FakeStepScorer.DefaultCard.ForwardFlops(0, (int)c.PromptTokens));
        Assert.Equal(expectedVerifier, result.Compute.Verifier.Flops!.Value, 6);
        Assert.Equal(0, result.Compute.Verifier.GeneratedTokens);
        Assert.Equal(result.Compute.Policy.Flops + result.Compute.Verifier.Flops, result.Compute.Flops);
        Assert.Equal(result.Calls.Select(c => c.CallIndex), Enumerable.Range(0, result.Calls.Count).Select(i => (long)i));
    }

    [Fact]
    public void UnknownCardsReportTokensOnly()
    {
        var record = Record(null, new SequenceUsage(10, 0, 5));
        Assert.Null(record.PrefillFlops);
        Assert.Null(record.TotalFlops);
        Assert.Equal(10, record.PromptTokens);
        // A checker without a model that processes no tokens costs zero FLOPs, not unknown.
        Assert.Equal(0, Record(null, new SequenceUsage(0, 0, 0)).TotalFlops);
        var totals = ComputeTotals.From([record], HardwareProfile.H100);
        Assert.Null(totals.Flops);
        Assert.Null(totals.IdealizedSeconds);
        Assert.Equal(15, totals.TotalTokens);
    }

    [Fact]
    public void IdealizedRuntimeFollowsTheRoofline()
    {
        // Peak 1000 FLOP/s, 100 B/s, 1 byte per weight and per cache value.
        var hardware = new HardwareProfile("toy", 1_000, 100, 1, 1, "test");
        // Weights read per decode step: 1000 + 4·10 = 1040 bytes; cache per token: 2·2 layers·1 KV head·4 head size = 16 bytes.
        Assert.Equal(1040, IdealizedRuntime.WeightBytes(Card, hardware));
        Assert.Equal(16, IdealizedRuntime.CacheBytesPerToken(Card, hardware));

        // Two sequences of prompt 3; one generates 2 tokens, the other 1. Prefill of the first only (the second is cached).
        var record = Record(Card, new SequenceUsage(3, 0, 2), new SequenceUsage(3, 3, 1));
        double prefill = (3 * 2080 + 32 * 3) / 1000.0;
        // Step 0: both sequences at position 3: FLOPs 2·2176, bytes 1040 + 2·16·3 → memory-bound: 1136/100 = 11.36 s vs 4.352 s.
        double step0 = Math.Max(2 * 2176 / 1000.0, (1040 + 2 * 16 * 3) / 100.0);
        // Step 1: one sequence at position 4: FLOPs 2208, bytes 1040 + 64.
        double step1 = Math.Max(2208 / 1000.0, (1040 + 16 * 4) / 100.0);
        Assert.Equal(prefill + step0 + step1, IdealizedRuntime.Seconds(record, hardware)!.Value, 9);

        // Compute-bound when bandwidth is plentiful.
        var fast = hardware with { MemoryBytesPerSecond = 1e12 };
        Assert.Equal(record.TotalFlops!.Value / 1000.0, IdealizedRuntime.Seconds(record, fast)!.Value, 9);
    }

    [Fact]
    public void MoneyComesFromThePriceTable()
    {
        var card = Card with { Name = "gpt-4o-mini" };
        var record = Record(card, new SequenceUsage(4000, 3000, 500));
        var totals = ComputeTotals.From([record], prices: PriceTable.Default);
        Assert.Equal((1000 * 0.15 + 3000 * 0.075 + 500 * 0.60) / 1e6, totals.CostUsd!.Value, 12);
        Assert.Null(ComputeTotals.From([Record(Card, new SequenceUsage(10, 0, 1))], prices: PriceTable.Default).CostUsd);
        Assert.Throws<ArgumentException>(() => new PriceTable([new ModelPrice("x", 1, null, 1), new ModelPrice("X", 1, null, 1)]));
    }

    [Fact]
    public void ShippedHardwareProfilesAreValid()
    {
        Assert.Equal(["cpu-2core-avx2", "a100-sxm", "h100-sxm", "rtx-4090"], HardwareProfile.Builtin.Select(p => p.Name));
        foreach (var profile in HardwareProfile.Builtin) profile.Validate();
        Assert.Same(HardwareProfile.H100, HardwareProfile.Find("H100-SXM"));
        var error = Assert.Throws<ArgumentException>(() => (HardwareProfile.A100 with { MemoryBytesPerSecond = 0 }).Validate());
        Assert.Equal("memory bandwidth must be a finite number > 0: profile a100-sxm, got 0", error.Message);
    }

    [Fact]
    public void TheLedgerAcceptsConcurrentCallsAndListsThemInStartOrder()
    {
        var ledger = new ComputeLedger();
        Parallel.For(0, 500, i =>
        {
            long index = ledger.NextCallIndex();
            ledger.Add(Record(Card, new SequenceUsage(1, 0, 1)) with { CallIndex = index });
        });
        var records = ledger.Records;
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), records.Select(r => r.CallIndex));
        Assert.Equal(500 * (Card.ForwardFlops(0, 1) + Card.ForwardFlops(1, 2)), ledger.TotalFlops!.Value, 6);
        Assert.Equal(1000, ledger.Totals().Policy.TotalTokens);
    }

    [Fact]
    public void LedgerRejectsInconsistentTokenCounts()
    {
        var ledger = new ComputeLedger();
        var error = Assert.Throws<ArgumentException>(() => ledger.Add(Record(Card, new SequenceUsage(3, 4, 0))));
        Assert.Equal("token counts must satisfy 0 ≤ cached ≤ prompt and generated ≥ 0: prompt 3, cached 4, generated 0", error.Message);
    }

    [Fact]
    public async Task RecordingScorersCheckTheirScorers()
    {
        var ledger = new ComputeLedger();
        var wellBehaved = new RecordingStepScorer(new FakeStepScorer(_ => 0.5), ledger);
        var scorer = new FakeStepScorerWithCount(1);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new RecordingStepScorer(scorer, ledger).ScoreStepsAsync(StepWorld.Problem, ["a\n", "b\n"]));
        Assert.Equal("the step scorer returned 1 scores for 2 steps", error.Message);
        await wellBehaved.ScoreStepsAsync(StepWorld.Problem, ["a\n"]);
        Assert.Single(ledger.Records);
    }

    private sealed class FakeStepScorerWithCount(int count) : Ponder.Scoring.IStepScorer
    {
        public ModelCard? Card => null;
        public Task<Ponder.Scoring.StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default) =>
            Task.FromResult(new Ponder.Scoring.StepScores(Enumerable.Repeat(0.5, count).ToArray(), default));
    }
}
