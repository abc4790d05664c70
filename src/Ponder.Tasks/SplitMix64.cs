namespace Ponder.Tasks;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a small deterministic pseudo-random generator whose output for a seed is fixed
/// by this code, unlike <see cref="Random"/>, whose algorithm may change between .NET versions. Tasks use it so that the
/// same seed yields the same problems, splits and training data on every machine and runtime.
/// </summary>
/// <remarks>Not thread-safe: each thread needs its own instance.</remarks>
public sealed class SplitMix64
{
    private ulong _state;

    /// <summary>Starts the sequence for <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return StableHash.Finalize(_state);
    }

    /// <summary>A uniformly distributed integer in [<paramref name="minInclusive"/>, <paramref name="maxInclusive"/>].</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxInclusive"/> is below <paramref name="minInclusive"/>.</exception>
    public int NextInt(int minInclusive, int maxInclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInclusive, minInclusive);
        // Lemire's multiply-and-reject: unbiased for every range, and the usual case costs one multiplication.
        ulong range = (ulong)((long)maxInclusive - minInclusive) + 1;
        ulong threshold = (0UL - range) % range;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
            if (low >= threshold) return (int)(minInclusive + (long)high);
        }
    }

    /// <summary>A uniformly distributed double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="probability"/> (clamped to [0, 1]).</summary>
    public bool NextBool(double probability) => NextDouble() < probability;

    /// <summary>A uniformly chosen element of <paramref name="items"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="items"/> is empty.</exception>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("cannot pick from an empty list", nameof(items));
        return items[NextInt(0, items.Count - 1)];
    }
}
