namespace Ponder;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a small deterministic pseudo-random generator whose output for a seed is fixed
/// by this code, unlike <see cref="Random"/>, whose algorithm may change between .NET versions. Every random choice in
/// Ponder flows from it, so the same seed yields the same problems, weights, batches and samples on every machine and runtime.
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
        _state += Golden;
        return Mix(_state);
    }

    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>SplitMix64's output function (the MurmurHash3-style finaliser): a bijection in which every input bit affects every output bit.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A well-mixed seed for stream <paramref name="stream"/> of <paramref name="seed"/> (continuation i of a request,
    /// the batch of training step s, the problems of a level): independent streams from one recorded seed.
    /// </summary>
    public static ulong Derive(ulong seed, ulong stream) => Mix(seed ^ Mix(stream + Golden));

    /// <summary>A uniformly distributed float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A standard normal deviate (Box–Muller).</summary>
    public float NextGaussian()
    {
        double u1 = ((NextUInt64() >> 11) + 1.0) / 9007199254740993.0;
        double u2 = (NextUInt64() >> 11) / 9007199254740992.0;
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
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
