using System.Globalization;
using Ponder.Generation;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>
/// Options every strategy shares: how the policy samples. Null properties take the defaults documented on them. Records:
/// change a copy with <c>with</c>, never the original.
/// </summary>
public abstract record StrategyOptions
{
    /// <summary>Sampling temperature of the policy. Default 0.8 (as in search-and-learn).</summary>
    public float? Temperature { get; init; }

    /// <summary>Nucleus sampling mass. Default 1 (off).</summary>
    public float? TopP { get; init; }

    /// <summary>Top-k sampling. Default 0 (off).</summary>
    public int? TopK { get; init; }

    /// <summary>Most tokens of a whole solution (of a step search's final, to-the-end generation). Default 256.</summary>
    public int? MaxTokens { get; init; }

    internal int MaxTokensOrDefault => MaxTokens ?? 256;

    /// <summary>The sampling temperature when none is set.</summary>
    internal const float DefaultTemperature = 0.8f;

    internal float TemperatureOrDefault => Temperature ?? DefaultTemperature;

    internal SamplingOptions Sampling(ulong seed, float? temperature = null) =>
        new() { Temperature = temperature ?? TemperatureOrDefault, TopP = TopP, TopK = TopK, Seed = seed };

    /// <summary>
    /// Throws <see cref="ArgumentException"/> with a message naming the offending values when the options are invalid,
    /// or do not suit <paramref name="budget"/> (when given).
    /// </summary>
    public virtual void Validate(Budget? budget = null)
    {
        new SamplingOptions { Temperature = Temperature, TopP = TopP, TopK = TopK }.Validate();
        if (MaxTokens is < 1) throw new ArgumentException($"max tokens must be ≥ 1, got {MaxTokens}");
    }

    /// <summary>The budget in generations, or an exception saying that <paramref name="strategy"/> needs one.</summary>
    private protected static int RequireGenerations(Budget budget, string strategy) =>
        budget.Generations ?? throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{strategy} needs a budget in generations, got {budget}"));
}

/// <summary>Which verifier scores complete solutions.</summary>
public enum VerifierKind
{
    /// <summary>The step scorer (PRM), its step scores aggregated.</summary>
    Steps,
    /// <summary>The outcome scorer (ORM or checker).</summary>
    Outcome,
}

/// <summary>Options shared by the PRM-guided step-level searches (beam, DVTS, lookahead, early rejection).</summary>
public abstract record StepSearchOptions : StrategyOptions
{
    /// <summary>Beam width M: candidates sampled from each kept prefix. Must divide the number of beams. Default 4.</summary>
    public int? BeamWidth { get; init; }

    /// <summary>How step scores rank partial and complete solutions. Default <see cref="ScoreAggregation.Last"/>.</summary>
    public ScoreAggregation? Aggregation { get; init; }

    /// <summary>Most rounds; the last one generates to the end. Default 40.</summary>
    public int? MaxRounds { get; init; }

    /// <summary>Most tokens of one step. Default 128.</summary>
    public int? MaxStepTokens { get; init; }

    internal int BeamWidthOrDefault => BeamWidth ?? 4;
    internal ScoreAggregation AggregationOrDefault => Aggregation ?? ScoreAggregation.Last;
    internal int MaxRoundsOrDefault => MaxRounds ?? 40;
    internal int MaxStepTokensOrDefault => MaxStepTokens ?? 128;

    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (BeamWidth is < 1) throw new ArgumentException($"beam width must be ≥ 1, got {BeamWidth}");
        if (MaxRounds is < 1) throw new ArgumentException($"max rounds must be ≥ 1, got {MaxRounds}");
        if (MaxStepTokens is < 1) throw new ArgumentException($"max step tokens must be ≥ 1, got {MaxStepTokens}");
        if (Aggregation is { } a && !Enum.IsDefined(a)) throw new ArgumentException($"unknown score aggregation {a}");
    }

    /// <summary>Checks that the beam width divides <paramref name="beams"/>, naming them as <paramref name="what"/>.</summary>
    private protected void RequireDivisible(int beams, string what)
    {
        if (beams % BeamWidthOrDefault != 0)
            throw new ArgumentException($"beam width must divide the {what}: {what} {beams}, beam width {BeamWidthOrDefault}");
    }
}
