using Ponder;
using Ponder.Tasks.Arith;

namespace Ponder.Tasks.Tests;

public sealed class ArithTrainingMixTests
{
    [Fact]
    public void EveryProfileIsValid()
    {
        foreach (var profile in ArithTrainingMix.Tiers.SelectMany(t => t)) profile.Validate();
    }

    [Fact]
    public void SameSeedGivesSameProblems()
    {
        var a = new SplitMix64(5);
        var b = new SplitMix64(5);
        for (int i = 0; i < 500; i++) Assert.Equal(ArithTrainingMix.SampleTrain(a), ArithTrainingMix.SampleTrain(b));
    }

    [Fact]
    public void TrainProblemsComeFromTheTrainSplitAndCoverEveryTierAndLength()
    {
        var rng = new SplitMix64(11);
        var seen = new HashSet<(int Tier, int Steps)>();
        for (int i = 0; i < 20_000; i++)
        {
            var problem = ArithTrainingMix.SampleTrain(rng);
            Assert.Equal(ArithSplit.Train, ArithSplits.SplitOf(problem.Expression));
            seen.Add((problem.Level, problem.Steps.Count));
        }
        int expected = ArithTrainingMix.Tiers.Sum(t => t.Count);
        Assert.Equal(expected, seen.Count);
    }

    /// <summary>The levels are evaluation slices of the training distribution: each level's chains (length, operand
    /// ranges, results) must lie inside one tier of the mix, or the policies would be tested on chains they never saw.</summary>
    [Fact]
    public void EveryLevelLiesInsideOneTier()
    {
        foreach (var level in ArithDifficulty.Levels)
        {
            bool inside = ArithTrainingMix.Tiers.SelectMany(t => t).Any(tier =>
                level.Steps == tier.Steps && level.FirstMax <= tier.FirstMax && level.AddSubMax <= tier.AddSubMax
                && (level.MulShare == 0 || level.MulMax <= tier.MulMax) && level.ResultMax <= tier.ResultMax);
            Assert.True(inside, $"level {level.Level} ({level}) is outside the training mix");
        }
    }
}
