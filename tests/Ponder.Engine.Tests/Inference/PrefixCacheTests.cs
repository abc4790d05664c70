using Ponder.Engine.Inference;

namespace Ponder.Engine.Tests.Inference;

public sealed class PrefixCacheTests
{
    private static readonly InferenceEngine Engine = new(InferenceEngineTests.RandomModel());

    // A prompt, then a partial solution extended one step at a time, as a step-level search scores it.
    private static readonly int[] Prompt = [1, 5, 9, 2, 7, 7, 3];
    private static readonly int[][] Steps = [[4, 4, 8, 0], [6, 1], [10, 11, 12], [2, 2, 2, 2, 5]];

    private static int[] Text(int steps, params int[] tail) => [.. Prompt, .. Steps.Take(steps).SelectMany(s => s), .. tail];

    private static void AssertBitEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i], $"logit {i}: full pass {expected[i]}, cached {actual[i]}");
    }

    private static float[] FullPass(int[] tokens) => new PrefixCache(Engine, capacityBytes: 0).AllLogits(tokens, out _);

    [Fact]
    public void AnExtendedTextReusesItsScoredPrefixAndGetsTheLogitsOfAFullPass()
    {
        var cache = new PrefixCache(Engine);
        for (int steps = 1; steps <= Steps.Length; steps++)
        {
            var text = Text(steps);
            var logits = cache.AllLogits(text, out int cached);
            Assert.Equal(steps == 1 ? 0 : Text(steps - 1).Length, cached);
            AssertBitEqual(FullPass(text), logits);
        }
        // a sibling that branches off inside the last step reuses everything before the branch point
        var sibling = Text(3, 2, 2, 9);
        AssertBitEqual(FullPass(sibling), cache.AllLogits(sibling, out int siblingCached));
        Assert.Equal(Text(3).Length + 2, siblingCached);
        // a text already scored, or a prefix of one, is read from the cache whole
        AssertBitEqual(FullPass(Text(2)), cache.AllLogits(Text(2), out int whole));
        Assert.Equal(Text(2).Length, whole);
    }

    [Fact]
    public void WithoutCapacityNothingIsKeptOrReused()
    {
        var cache = new PrefixCache(Engine, capacityBytes: 0);
        cache.AllLogits(Text(2), out _);
        cache.AllLogits(Text(2), out int cached);
        Assert.Equal(0, cached);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void ASmallCacheEvictsTheLeastRecentlyUsedAndStaysWithinItsCapacity()
    {
        var probe = new PrefixCache(Engine);
        probe.AllLogits(Text(4), out _);
        long oneText = probe.Bytes;
        var cache = new PrefixCache(Engine, capacityBytes: oneText + oneText / 2);
        cache.AllLogits(Text(4), out _);
        cache.AllLogits([20, 21, 22, 20, 21, 22, 20, 21, 22, 20, 21, 22, 20, 21, 22, 20, 21, 22, 20, 21, 22, 20], out _); // evicts the first
        Assert.True(cache.Bytes <= oneText + oneText / 2);
        cache.AllLogits(Text(4), out int cached);
        Assert.Equal(0, cached);
    }

    [Fact]
    public void ConcurrentCallsOnATinyCacheGetTheLogitsOfAFullPass()
    {
        var probe = new PrefixCache(Engine);
        probe.AllLogits(Text(2), out _);
        var cache = new PrefixCache(Engine, capacityBytes: 3 * probe.Bytes);
        var texts = Enumerable.Range(0, 64).Select(i => Text(1 + i % Steps.Length, i % 5, (i * 7) % 23)).ToArray();
        var expected = texts.Select(FullPass).ToArray();
        var actual = new float[texts.Length][];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = cache.AllLogits(texts[i], out _));
        for (int i = 0; i < texts.Length; i++) AssertBitEqual(expected[i], actual[i]);
    }
}
