namespace Ponder.Analysis;

/// <summary>
/// The size-k subsets of a pool of n samples over which pool-derived figures (majority@k, best-of-k, a sweep's sampling
/// strategies) are averaged: every subset when there are few, else a seeded random draw of them.
/// </summary>
/// <remarks>Pure; thread-safe.</remarks>
public static class PoolSubsets
{
    /// <summary>
    /// All C(<paramref name="poolSize"/>, <paramref name="size"/>) subsets in lexicographic order when there are at most
    /// <paramref name="maxSubsets"/>, else <paramref name="maxSubsets"/> subsets drawn uniformly (partial Fisher–Yates) from
    /// the stream Derive(<paramref name="seed"/>, size). The draw depends on the size and seed only, so every rule judged
    /// on one pool at one size sees the same subsets (common random numbers).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 1 ≤ size ≤ pool size and max subsets ≥ 1.</exception>
    public static IReadOnlyList<int[]> Draw(int poolSize, int size, int maxSubsets, ulong seed)
    {
        if (size < 1 || size > poolSize)
            throw new ArgumentOutOfRangeException(nameof(size), $"subset size must be in [1, {poolSize}], got {size}");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSubsets, 1);
        double combinations = 1;
        for (int i = 0; i < size; i++) combinations = combinations * (poolSize - i) / (i + 1);
        if (combinations <= maxSubsets) return Combinations(poolSize, size).ToArray();
        var rng = new SplitMix64(SplitMix64.Derive(seed, (ulong)size));
        var indices = Enumerable.Range(0, poolSize).ToArray();
        var subsets = new List<int[]>(maxSubsets);
        for (int s = 0; s < maxSubsets; s++)
        {
            for (int j = 0; j < size; j++)
            {
                int r = rng.NextInt(j, poolSize - 1);
                (indices[j], indices[r]) = (indices[r], indices[j]);
            }
            subsets.Add(indices[..size]);
        }
        return subsets;
    }

    private static IEnumerable<int[]> Combinations(int n, int k)
    {
        var current = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            yield return (int[])current.Clone();
            int i = k - 1;
            while (i >= 0 && current[i] == n - k + i) i--;
            if (i < 0) yield break;
            current[i]++;
            for (int j = i + 1; j < k; j++) current[j] = current[j - 1] + 1;
        }
    }
}
