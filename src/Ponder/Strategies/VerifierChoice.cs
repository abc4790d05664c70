using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>How the strategies that score complete samples pick and check their verifier.</summary>
internal static class VerifierChoice
{
    /// <summary>Throws <see cref="ArgumentException"/> for an unknown verifier or aggregation.</summary>
    public static void Validate(VerifierKind? verifier, ScoreAggregation? aggregation)
    {
        if (verifier is { } v && !Enum.IsDefined(v)) throw new ArgumentException($"unknown verifier {v}");
        if (aggregation is { } a && !Enum.IsDefined(a)) throw new ArgumentException($"unknown score aggregation {a}");
    }

    /// <summary>
    /// <paramref name="requested"/>, or by default the step scorer (PRM) when <paramref name="context"/> has one, else the
    /// outcome scorer; an exception naming what is missing.
    /// </summary>
    public static VerifierKind Resolve(VerifierKind? requested, StrategyContext context, string strategy)
    {
        var verifier = requested ?? (context.StepScorer is not null ? VerifierKind.Steps : VerifierKind.Outcome);
        if (verifier == VerifierKind.Steps && context.StepScorer is null)
            throw new ArgumentException($"{strategy} with the step verifier needs a step scorer (PRM) in the context");
        if (verifier == VerifierKind.Outcome && context.OutcomeScorer is null)
            throw new ArgumentException($"{strategy} needs a verifier: give the context a step scorer (PRM) or an outcome scorer");
        return verifier;
    }
}
