using Ponder.Analysis;

namespace Ponder.Tests;

public sealed class PassAtKTests
{
    [Theory]
    [InlineData(5, 0, 1, 0.0)]
    [InlineData(5, 5, 1, 1.0)]
    [InlineData(10, 3, 1, 0.3)]
    [InlineData(4, 1, 4, 1.0)]
    [InlineData(4, 2, 3, 1.0)]
    public void KnownValues(int n, int c, int k, double expected) => Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void EqualsBruteForceEnumerationOfSubsets()
    {
        for (int n = 1; n <= 10; n++)
            for (int c = 0; c <= n; c++)
                for (int k = 1; k <= n; k++)
                {
                    // enumerate all k-subsets of n samples whose first c are correct
                    int subsets = 0, hits = 0;
                    for (int mask = 0; mask < 1 << n; mask++)
                    {
                        if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
                        subsets++;
                        if ((mask & ((1 << c) - 1)) != 0) hits++;
                    }
                    Assert.Equal((double)hits / subsets, PassAtK.Estimate(n, c, k), 12);
                }
    }

    [Fact]
    public void RejectsImpossibleCounts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(3, 4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(3, 1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(3, 1, 0));
    }
}
