namespace Ponder.Generation;

/// <summary>How tokens are drawn. Null properties take the generator's defaults.</summary>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature; 0 means greedy. Default 1.</summary>
    public float? Temperature { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches this mass. Default 1 (off).</summary>
    public float? TopP { get; init; }

    /// <summary>Keep only the k most likely tokens. Default 0 (off).</summary>
    public int? TopK { get; init; }

    /// <summary>
    /// Seed of the first continuation; continuation i uses a seed derived from (Seed, i), so its text does not depend on
    /// how many other continuations are generated beside it. Null draws a random seed.
    /// </summary>
    public ulong? Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the offending value.</summary>
    public void Validate()
    {
        if (Temperature is { } t && (t < 0 || !float.IsFinite(t)))
            throw new ArgumentException($"temperature must be a finite number ≥ 0, got {t}");
        if (TopP is { } p && (p <= 0 || p > 1 || float.IsNaN(p)))
            throw new ArgumentException($"top-p must be in (0, 1], got {p}");
        if (TopK is { } k && k < 0)
            throw new ArgumentException($"top-k must be ≥ 0 (0 = off), got {k}");
    }
}

/// <summary>A request to continue a raw text prefix (not chat messages), so that search can continue partial solutions.</summary>
public sealed record GenerationRequest
{
    /// <summary>The text to continue.</summary>
    public required string Prefix { get; init; }

    /// <summary>How many continuations to generate. Default 1.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Sampling settings.</summary>
    public SamplingOptions Sampling { get; init; } = new();

    /// <summary>Generation stops after any of these strings; the stop string is kept at the end of the text.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Most tokens to generate per continuation.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Whether to return the log-probability of every generated token.</summary>
    public bool ReturnLogProbs { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the offending value.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Prefix);
        if (Count < 1) throw new ArgumentException($"count must be ≥ 1, got {Count}");
        if (MaxTokens < 1) throw new ArgumentException($"max tokens must be ≥ 1, got {MaxTokens}");
        if (Stop.Any(string.IsNullOrEmpty)) throw new ArgumentException("stop strings must not be empty");
        Sampling.Validate();
    }
}
