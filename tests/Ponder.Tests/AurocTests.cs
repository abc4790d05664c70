using Ponder.Analysis;

namespace Ponder.Tests;

public sealed class AurocTests
{
    [Fact]
    public void PerfectInverseAndTiedRankings()
    {
        Assert.Equal(1.0, Auroc.Compute([0.9, 0.8, 0.2, 0.1], [true, true, false, false]));
        Assert.Equal(0.0, Auroc.Compute([0.1, 0.2, 0.8, 0.9], [true, true, false, false]));
        Assert.Equal(0.5, Auroc.Compute([0.5, 0.5, 0.5, 0.5], [true, false, true, false]));
        Assert.True(double.IsNaN(Auroc.Compute([0.1, 0.2], [true, true])));
    }

    [Fact]
    public void EqualsTheFractionOfCorrectlyOrderedPairs()
    {
        var rng = new SplitMix64(3);
        var scores = Enumerable.Range(0, 60).Select(_ => (double)rng.NextInt(0, 9)).ToArray();
        var labels = Enumerable.Range(0, 60).Select(_ => rng.NextBool(0.4)).ToArray();
        double pairs = 0, wins = 0;
        for (int i = 0; i < scores.Length; i++)
            for (int j = 0; j < scores.Length; j++)
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
        Assert.Equal(wins / pairs, Auroc.Compute(scores, labels), 12);
    }
}
