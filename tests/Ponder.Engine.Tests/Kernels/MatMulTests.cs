using Ponder.Engine.Kernels;

namespace Ponder.Engine.Tests.Kernels;

public class MatMulTests
{
    // (m, n, k): unit sizes, single rows/columns, sizes off the 6×16 micro-tile and the 96/256 blocks,
    // vocab-like n, k spanning several k-slices, products big enough to take the multi-threaded path, and m large
    // enough that a transposed A is packed.
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 40, 64 }, { 1, 768, 256 }, { 7, 1, 5 }, { 5, 17, 3 }, { 6, 16, 1 }, { 13, 40, 1 },
        { 11, 17, 300 }, { 97, 33, 257 }, { 64, 40, 128 }, { 100, 768, 256 }, { 256, 256, 256 },
        { 2, 700, 300 }, { 130, 50, 520 }, { 6, 2100, 40 }, { 600, 40, 70 }, { 1000, 33, 300 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GemmIsBitIdenticalToReference(int m, int n, int k)
    {
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                    AssertMatchesReference(transA, transB, m, n, k, accumulate, seed: m * 1_000_003 + n * 1009 + k);
    }

    [Fact]
    public void GemmIsBitIdenticalToReferenceAcrossThreadCounts()
    {
        int saved = MatMul.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                MatMul.MaxThreads = threads;
                AssertMatchesReference(false, true, 67, 130, 90, accumulate: true, seed: threads);
                AssertMatchesReference(true, false, 200, 40, 64, accumulate: false, seed: threads);
            }
        }
        finally
        {
            MatMul.MaxThreads = saved;
        }
    }

    [Fact]
    public void RowDoesNotDependOnBatch()
    {
        const int m = 37, n = 70, k = 150;
        var random = new Random(5);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n);
        var batch = new float[m * n];
        MatMul.Gemm(false, true, m, n, k, a, b, batch, accumulate: false);
        for (int i = 0; i < m; i++)
        {
            var row = new float[n];
            MatMul.Gemm(false, true, 1, n, k, a.AsSpan(i * k, k), b, row, accumulate: false);
            Assert.Equal(batch.AsSpan(i * n, n).ToArray(), row);
        }
    }

    [Fact]
    public void ZeroKClearsOrKeepsC()
    {
        var c = new[] { 1f, 2f, 3f, 4f, 5f, 6f };
        MatMul.Gemm(false, false, 2, 3, 0, [], [], c, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], c);
        MatMul.Gemm(false, false, 2, 3, 0, [], [], c, accumulate: false);
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void LongerSpansThanNeededAreAllowedAndTheTailIsUntouched()
    {
        var a = new float[] { 1, 2, 3, 4, 99 };
        var b = new float[] { 5, 6, 7, 8, 99 };
        var c = new float[] { 0, 0, 0, 0, -1 };
        MatMul.Gemm(false, false, 2, 2, 2, a, b, c, accumulate: false);
        Assert.Equal([19f, 22f, 43f, 50f, -1f], c);
    }

    [Fact]
    public void ShortSpansAndNegativeSizesAreRejected()
    {
        var four = new float[4];
        var three = new float[3];
        var ea = Assert.Throws<ArgumentException>(() => MatMul.Gemm(false, false, 2, 2, 2, three, four, four, false));
        Assert.Equal("a", ea.ParamName);
        Assert.Contains("4", ea.Message);
        Assert.Contains("3", ea.Message);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => MatMul.Gemm(true, true, 2, 2, 2, four, three, four, false)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => MatMul.Gemm(false, false, 2, 2, 2, four, four, three, true)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => MatMul.GemmReference(false, false, 2, 2, 2, four, four, three, true)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => MatMul.Gemm(false, false, -1, 2, 2, four, four, four, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => MatMul.Gemm(false, false, 2, 2, -1, four, four, four, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => MatMul.MaxThreads = 0);
    }

    private static void AssertMatchesReference(bool transA, bool transB, int m, int n, int k, bool accumulate, int seed)
    {
        var random = new Random(seed);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n), c0 = RandomArray(random, m * n);
        float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
        MatMul.GemmReference(transA, transB, m, n, k, a, b, expected, accumulate);
        MatMul.Gemm(transA, transB, m, n, k, a, b, actual, accumulate);
        AssertBitIdentical(expected, actual, $"transA={transA} transB={transB} m={m} n={n} k={k} accumulate={accumulate}", n);
        float[] packed = (float[])c0.Clone();
        MatMul.Gemm(transA, m, a, MatMul.Pack(transB, k, n, b), packed, accumulate);
        AssertBitIdentical(expected, packed, $"pre-packed transA={transA} transB={transB} m={m} n={n} k={k} accumulate={accumulate}", n);
        float[] limited = (float[])c0.Clone();
        using (MatMul.LimitThreads(1)) MatMul.Gemm(transA, transB, m, n, k, a, b, limited, accumulate);
        AssertBitIdentical(expected, limited, $"one thread transA={transA} transB={transB} m={m} n={n} k={k}", n);
    }

    private static void AssertBitIdentical(float[] expected, float[] actual, string what, int n)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: C[{i / n},{i % n}] is {actual[i]:R}, reference {expected[i]:R}");
        }
    }

    // Mixed signs and magnitudes so that a different summation order would almost surely change low bits.
    private static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-4, 5)));
        return values;
    }
}
