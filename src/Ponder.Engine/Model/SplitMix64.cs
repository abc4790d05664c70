namespace Ponder.Engine.Model;

/// <summary>
/// SplitMix64: a tiny, fast, fully specified PRNG. Used instead of System.Random because the engine's determinism
/// (same seed → same weights, batches and samples) must hold across .NET versions.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Current state, for checkpointing.</summary>
    public readonly ulong State => _state;

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 24 bits of precision.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform integer in [0, bound).</summary>
    public int NextInt(int bound) => (int)((NextUInt64() >> 33) % (ulong)bound);

    /// <summary>Standard normal by Box–Muller.</summary>
    public float NextGaussian()
    {
        double u1 = ((NextUInt64() >> 11) + 1.0) / 9007199254740993.0;
        double u2 = (NextUInt64() >> 11) / 9007199254740992.0;
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>A well-mixed seed derived from a base seed and a stream index (e.g. continuation i of a request).</summary>
    public static ulong Derive(ulong seed, ulong stream)
    {
        var rng = new SplitMix64(seed ^ (stream * 0xD1B54A32D192ED03UL));
        return rng.NextUInt64();
    }
}
