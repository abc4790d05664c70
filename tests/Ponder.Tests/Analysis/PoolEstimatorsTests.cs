using Ponder.Analysis;
using Ponder.Generation;
using Ponder.Strategies;
using Ponder.Tests.Strategies;

namespace Ponder.Tests.Analysis;

public sealed class PoolEstimatorsTests
{
    private static readonly LineAnswerKey Key = new();

    // A pool whose sample i answers answers[i] (null: no answer) with score scores[i]; the reference answer is "7".
    private static Candidate[] Pool(string?[] answers, double[]? scores = null) => answers.Select((a, i) =>
        new Candidate(i, a is null ? "s1\n" : $"A:{a}\n", a, scores?[i], null, FinishReason.EndOfSequence, null, a == "7")).ToArray();

    private static IEnumerable<int[]> AllSubsets(int n, int k) =>
        Enumerable.Range(0, 1 << n).Where(mask => System.Numerics.BitOperations.PopCount((uint)mask) == k)
            .Select(mask => Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0).ToArray());

    [Fact]
    public void CoverageBySubsamplingEqualsUnbiasedPassAtK()
    {
        for (int n = 1; n <= 8; n++)
            for (int c = 0; c <= n; c++)
            {
                var pool = Pool(Enumerable.Range(0, n).Select(i => i < c ? "7" : "3").ToArray());
                for (int k = 1; k <= n; k++)
                    Assert.Equal(PassAtK.Estimate(n, c, k), PoolEstimators.Estimate(pool, k, PoolRule.Coverage, Key, maxSubsets: 1000, seed: 1), 12);
            }
    }

    [Theory]
    [InlineData(PoolRule.Majority)]
    [InlineData(PoolRule.BestOfN)]
    [InlineData(PoolRule.WeightedBestOfN)]
    public void WithEnoughSubsetsTheEstimateIsTheMeanOverEverySubset(PoolRule rule)
    {
        var pool = Pool(["7", "3", "3", "7", null, "7", "5", "3"], [0.9, 0.6, 0.7, 0.2, 0.95, 0.3, 0.8, 0.1]);
        for (int k = 1; k <= pool.Length; k++)
        {
            var subsets = AllSubsets(pool.Length, k).ToArray();
            double bruteForce = subsets.Average(s => PoolEstimators.Solves(s.Select(i => pool[i]).ToArray(), rule, Key) ? 1.0 : 0.0);
            Assert.Equal(bruteForce, PoolEstimators.Estimate(pool, k, rule, Key, maxSubsets: 1000, seed: 1), 12);
        }
    }

    [Fact]
    public void RulesFollowTheStrategiesSelection()
    {
        var pool = Pool(["3", "7", "7", "3", "3"], [0.1, 0.9, 0.8, 0.2, 0.3]);
        Assert.True(PoolEstimators.Solves(pool, PoolRule.Coverage, Key));
        Assert.False(PoolEstimators.Solves(pool, PoolRule.Majority, Key));       // 3 × "3" beat 2 × "7"
        Assert.True(PoolEstimators.Solves(pool, PoolRule.BestOfN, Key));         // 0.9 is a "7"
        Assert.True(PoolEstimators.Solves(pool, PoolRule.WeightedBestOfN, Key)); // 1.7 for "7" against 0.6 for "3"
        Assert.Equal(PoolRule.Majority, PoolEstimators.RuleOf("majority"));
        Assert.Null(PoolEstimators.RuleOf("beam"));
    }

    [Fact]
    public void RandomSubsetsAreDistinctIndicesAndDependOnTheSeedOnly()
    {
        var draw = PoolSubsets.Draw(16, 4, 64, seed: 5);
        Assert.Equal(64, draw.Count);
        Assert.All(draw, s => Assert.Equal(4, s.Distinct().Count(i => i is >= 0 and < 16)));
        Assert.Equal(draw, PoolSubsets.Draw(16, 4, 64, seed: 5));
        Assert.NotEqual(draw, PoolSubsets.Draw(16, 4, 64, seed: 6));
        Assert.Equal(6, PoolSubsets.Draw(4, 2, 64, seed: 5).Count); // C(4,2) = 6 ≤ 64: every subset once
        Assert.Throws<ArgumentOutOfRangeException>(() => PoolSubsets.Draw(4, 5, 64, seed: 5));
    }
}
