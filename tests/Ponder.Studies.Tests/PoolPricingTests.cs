using Ponder.Compute;
using Ponder.Studies.Reports;
using Ponder.Studies.Store;

namespace Ponder.Studies.Tests;

public sealed class PoolPricingTests
{
    // A character-level verifier reading BOS + a 10-character prompt + the solution: prompt tokens 11, verifier tokens 11 + length.
    private static PoolSample Sample(int index, string text) =>
        new("p", "t=0.8;n=4", index, text, null, false, 11, index == 0 ? 0 : 11, text.Length, 0.5, 11 + text.Length, 0);

    [Fact]
    public void EachScoringIsChargedPastThePrefixItSharesWithASampleScoredBefore()
    {
        var samples = new[] { Sample(0, "11-7=4\n4-1=3\nA:3\n"), Sample(1, "11-7=4\n4-1=3\nA:3\n"), Sample(2, "11-7=5\n5-1=4\nA:4\n"), Sample(3, "12-7=5\n") };
        var cached = PoolPricing.ScoringRecords(samples, verifier: null).Select(r => r.Sequences.Single().CachedPromptTokens).ToArray();
        // nothing before the first; the second repeats it whole; the third shares "11-7=" with them; the fourth the "1"
        Assert.Equal([0, 11 + samples[1].Text.Length, 11 + 5, 11 + 1], cached);

        // after a pilot, even the first sample reuses what the pilot's scoring left in the cache
        var afterPilot = PoolPricing.ScoringRecords([samples[3]], verifier: null, scoredBefore: samples[..1]).Single();
        Assert.Equal(11 + 1, afterPilot.Sequences.Single().CachedPromptTokens);
        Assert.Equal(11 + 7, afterPilot.Sequences.Single().PromptTokens);
    }
}
