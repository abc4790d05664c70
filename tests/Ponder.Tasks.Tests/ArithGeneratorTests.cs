using Ponder;
using Ponder.Tasks;
using Ponder.Tasks.Arith;

namespace Ponder.Tasks.Tests;

public sealed class ArithGeneratorTests
{
    private static readonly int[] AllLevels = Enumerable.Range(ArithDifficulty.MinLevel, ArithDifficulty.MaxLevel).ToArray();

    [Fact]
    public void SameSeedGivesSameProblems()
    {
        foreach (int level in AllLevels)
            Assert.Equal(ArithGenerator.Generate(level, 7).Take(200), ArithGenerator.Generate(level, 7).Take(200));
    }

    [Fact]
    public void DifferentSeedsAndLevelsGiveDifferentProblems()
    {
        foreach (int level in AllLevels)
        {
            var a = ArithGenerator.Generate(level, 1).Take(50).Select(p => p.Expression).ToList();
            var b = ArithGenerator.Generate(level, 2).Take(50).Select(p => p.Expression).ToList();
            Assert.True(a.Zip(b).Count(pair => pair.First == pair.Second) < 10, $"level {level}: seeds 1 and 2 agree too often");
        }
        Assert.NotEqual(ArithGenerator.Generate(2, 1).First().Expression, ArithGenerator.Generate(3, 1).First().Expression);
    }

    [Fact]
    public void TheTableIsValidAndIndexedByLevel()
    {
        Assert.Equal(ArithDifficulty.MaxLevel, ArithDifficulty.Levels.Count);
        foreach (int level in AllLevels)
        {
            var profile = ArithDifficulty.ForLevel(level);
            Assert.Equal(level, profile.Level);
            profile.Validate();
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ArithDifficulty.ForLevel(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ArithDifficulty.ForLevel(ArithDifficulty.MaxLevel + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ArithGenerator.Generate(6, 0));
    }

    /// <summary>Each level is at least as hard as the one before in every dimension of its profile, and harder in one.</summary>
    [Fact]
    public void DifficultyGrowsWithTheLevel()
    {
        for (int level = 2; level <= ArithDifficulty.MaxLevel; level++)
        {
            var (easier, harder) = (ArithDifficulty.ForLevel(level - 1), ArithDifficulty.ForLevel(level));
            Assert.True(harder.Steps >= easier.Steps && harder.FirstMax >= easier.FirstMax && harder.AddSubMax >= easier.AddSubMax
                && harder.MulMax >= easier.MulMax && harder.MulShare >= easier.MulShare && harder.ResultMax >= easier.ResultMax,
                $"level {level} is easier than level {level - 1} in some dimension");
            Assert.NotEqual(easier with { Level = level }, harder);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ProblemsFollowTheirLevelsProfile(int level)
    {
        var profile = ArithDifficulty.ForLevel(level);
        var problems = ArithGenerator.Generate(level, 3).Take(4000).ToList();
        foreach (var p in problems)
        {
            Assert.Equal(level, p.Level);
            Assert.Equal(profile.Steps, p.Steps.Count);
            Assert.InRange(p.Steps[0].Left, 2, profile.FirstMax);
            for (int i = 0; i < p.Steps.Count; i++)
            {
                var s = p.Steps[i];
                if (i > 0) Assert.Equal(p.Steps[i - 1].Result, s.Left);
                Assert.Equal(s.Op.Apply(s.Left, s.Right), s.Result);
                Assert.InRange(s.Result, 1, profile.ResultMax);
                if (s.Op == ArithOp.Multiply) Assert.InRange(s.Right, 2, profile.MulMax);
                else Assert.InRange(s.Right, 1, profile.AddSubMax);
            }
            Assert.Equal(p.Steps[^1].Result, p.Answer);
            Assert.Equal(p, ArithProblem.Parse(p.Expression, level));
        }

        // The share of multiplications is the profile's (binomial standard error here ≤ 0.004); + and - split the rest.
        var ops = problems.SelectMany(p => p.Steps).Select(s => s.Op).ToList();
        double mul = ops.Count(o => o == ArithOp.Multiply) / (double)ops.Count;
        double add = ops.Count(o => o == ArithOp.Add) / (double)ops.Count;
        Assert.InRange(mul, profile.MulShare - 0.02, profile.MulShare + 0.02);
        Assert.InRange(add, (1 - profile.MulShare) / 2 - 0.03, (1 - profile.MulShare) / 2 + 0.03);

        // Operands span their ranges rather than bunching at the small end.
        Assert.Equal(profile.FirstMax, problems.Max(p => p.Steps[0].Left));
        Assert.Equal(profile.AddSubMax, problems.SelectMany(p => p.Steps).Where(s => s.Op != ArithOp.Multiply).Max(s => s.Right));
        if (profile.MulShare > 0)
            Assert.Equal(profile.MulMax, problems.SelectMany(p => p.Steps).Where(s => s.Op == ArithOp.Multiply).Max(s => s.Right));
    }

    [Fact]
    public void ProblemsAreShortEnoughForASmallContext()
    {
        foreach (int level in AllLevels)
        {
            int longest = ArithGenerator.Generate(level, 5).Take(5000).Max(p => ArithTask.Format(p).Length);
            // Half the policies' context of 512, so a revision prompt with one earlier attempt and its answer still fit.
            Assert.True(longest <= 256, $"level {level}: a prompt and solution take {longest} characters");
        }
    }

    [Fact]
    public void SampleAcceptsACandidateProfileAndRejectsAnInvalidOne()
    {
        var candidate = new ArithLevelProfile(Level: 6, Steps: 7, FirstMax: 9, AddSubMax: 9, MulMax: 3, MulShare: 1, ResultMax: 9999);
        var p = ArithGenerator.Sample(candidate, new SplitMix64(1));
        Assert.Equal(7, p.Steps.Count);
        Assert.All(p.Steps, s => Assert.Equal(ArithOp.Multiply, s.Op));

        Assert.Throws<ArgumentException>(() => ArithGenerator.Sample(candidate with { ResultMax = 99 }, new SplitMix64(1)));
        Assert.Throws<ArgumentException>(() => ArithGenerator.Sample(candidate with { FirstMax = 5 }, new SplitMix64(1)));
        Assert.Throws<ArgumentException>(() => ArithGenerator.Sample(candidate with { MulShare = 1.5 }, new SplitMix64(1)));
        Assert.Throws<ArgumentException>(() => ArithGenerator.Sample(candidate with { MulMax = 1 }, new SplitMix64(1)));
    }
}
