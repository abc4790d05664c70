using Ponder.Generation;

namespace Ponder.Compute;

/// <summary>Whose compute a call is: the policy that writes solutions or the verifier that scores them.</summary>
public enum ComputeRole
{
    /// <summary>The generator that writes solutions.</summary>
    Policy,
    /// <summary>A scorer (PRM, ORM or checker).</summary>
    Verifier,
}

/// <summary>What a recorded call did.</summary>
public enum ComputeOperation
{
    /// <summary>A generator call (one or more continuations of one prefix).</summary>
    Generate,
    /// <summary>An outcome scorer call.</summary>
    ScoreOutcome,
    /// <summary>A step scorer call.</summary>
    ScoreSteps,
}

/// <summary>The tokens of one sequence of a call.</summary>
/// <param name="PromptTokens">Tokens in the prefix (positions 0 … PromptTokens−1).</param>
/// <param name="CachedPromptTokens">Leading prefix tokens served from a cache rather than computed (a shared prefix).</param>
/// <param name="GeneratedTokens">Tokens generated after the prefix (0 for a scorer).</param>
public readonly record struct SequenceUsage(int PromptTokens, int CachedPromptTokens, int GeneratedTokens)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless 0 ≤ cached ≤ prompt and generated ≥ 0.</summary>
    public void Validate()
    {
        if (PromptTokens < 0 || GeneratedTokens < 0 || CachedPromptTokens < 0 || CachedPromptTokens > PromptTokens)
            throw new ArgumentException(
                $"token counts must satisfy 0 ≤ cached ≤ prompt and generated ≥ 0: prompt {PromptTokens}, cached {CachedPromptTokens}, generated {GeneratedTokens}");
    }
}

/// <summary>
/// One generator or scorer call in a <see cref="ComputeLedger"/>: who made it, with which model, the tokens of each of
/// its sequences and how long it took. FLOPs follow DESIGN §6 from the model card: prefill = Σ forward FLOPs over the
/// uncached prompt positions [cached, prompt), decode = Σ over the generated positions [prompt, prompt + generated), so a
/// prefix shared by the continuations of one call (reported as cached by all but the first) is charged once.
/// </summary>
/// <remarks>Decode charges every generated token as a processed token at its position (the Kaplan 2·N per token
/// convention), which counts one forward pass more per sequence than an engine runs (the last token is never fed back).</remarks>
public sealed record ComputeRecord
{
    /// <summary>Order in which the call started within its ledger (0-based); records are listed in this order.</summary>
    public required long CallIndex { get; init; }

    /// <summary>Policy or verifier.</summary>
    public required ComputeRole Role { get; init; }

    /// <summary>What the call did.</summary>
    public required ComputeOperation Operation { get; init; }

    /// <summary>The model's card, or null when unknown (then only tokens are reported).</summary>
    public ModelCard? Card { get; init; }

    /// <summary>The model's name: the card's name, or "unknown".</summary>
    public string Model => Card?.Name ?? "unknown";

    /// <summary>The tokens of each sequence of the call (one per continuation; one for a scorer call).</summary>
    public required IReadOnlyList<SequenceUsage> Sequences { get; init; }

    /// <summary>Measured wall time of the call.</summary>
    public required TimeSpan WallTime { get; init; }

    /// <summary>Prompt tokens over all sequences, cached ones included.</summary>
    public long PromptTokens => Sequences.Sum(s => (long)s.PromptTokens);

    /// <summary>Prompt tokens served from a cache.</summary>
    public long CachedPromptTokens => Sequences.Sum(s => (long)s.CachedPromptTokens);

    /// <summary>Generated tokens over all sequences.</summary>
    public long GeneratedTokens => Sequences.Sum(s => (long)s.GeneratedTokens);

    /// <summary>FLOPs of the uncached prompt tokens; null when the card is unknown and tokens were processed.</summary>
    public double? PrefillFlops => Flops(s => (s.CachedPromptTokens, s.PromptTokens));

    /// <summary>FLOPs of the generated tokens; null when the card is unknown and tokens were generated.</summary>
    public double? DecodeFlops => Flops(s => (s.PromptTokens, s.PromptTokens + s.GeneratedTokens));

    /// <summary>Prefill plus decode FLOPs; null when either is unknown.</summary>
    public double? TotalFlops => PrefillFlops + DecodeFlops;

    private double? Flops(Func<SequenceUsage, (int Start, int End)> positions)
    {
        double flops = 0;
        foreach (var s in Sequences)
        {
            var (start, end) = positions(s);
            if (end <= start) continue;
            if (Card is null) return null;
            flops += Card.ForwardFlops(start, end);
        }
        return flops;
    }
}
