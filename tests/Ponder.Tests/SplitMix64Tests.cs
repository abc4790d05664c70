using Ponder;

namespace Ponder.Tests;

public sealed class SplitMix64Tests
{
    [Fact]
    public void MatchesTheReferenceSequence()
    {
        // First outputs of the reference SplitMix64 (Vigna's splitmix64.c) for seed 0: pins the algorithm, so problems and
        // splits cannot silently change.
        var rng = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, rng.NextUInt64());
    }

    [Fact]
    public void NextIntCoversItsRangeEvenly()
    {
        var rng = new SplitMix64(42);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[rng.NextInt(3, 9) - 3]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Equal(5, rng.NextInt(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(2, 1));
    }

    [Fact]
    public void NextIntHandlesTheFullIntRange()
    {
        var rng = new SplitMix64(1);
        for (int i = 0; i < 1000; i++) rng.NextInt(int.MinValue, int.MaxValue);
        Assert.InRange(rng.NextDouble(), 0.0, 1.0);
    }
}
