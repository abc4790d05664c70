using Ponder;
namespace Ponder.Tasks.Arith;

/// <summary>
/// The distribution the <c>arith</c> policies are trained on: chains of one to nine operations over four operand tiers,
/// a superset of every level of <see cref="ArithDifficulty"/>. Training on this fixed mix rather than on the levels
/// decouples the models from the difficulty table, so the table can be calibrated to a trained model's measured
/// accuracy (issue 3: "calibrate the generator to the profile") without retraining, and a model stays reproducible
/// from its config whatever the levels become.
/// </summary>
/// <remarks>
/// A problem is drawn by picking a tier uniformly, then a step count uniformly from the tier's range. Training problems
/// carry their tier as <see cref="ArithProblem.Level"/>; only the train split is ever used for training (see
/// <see cref="ArithSplits"/>), whatever profile drew the expression.
/// <code>
/// tier  steps  first  ±operand  ×operand  ×share  results
///   1    1–4   2–19     1–9       2–5      0.35   ≤ 99
///   2    1–6   2–49     1–49      2–9      0.35   ≤ 999
///   3    1–7   2–99     1–199     2–9      0.35   ≤ 1,999
///   4    1–9   2–99     1–999     2–19     0.35   ≤ 9,999
/// </code>
/// The step ranges are the longest that <see cref="ArithLevelProfile.Validate"/> accepts for each tier's result bound.
/// </remarks>
public static class ArithTrainingMix
{
    private const double MulShare = 0.35;

    /// <summary>Every profile of the mix, tier by tier and by step count; the mix draws a tier uniformly, then one of its
    /// profiles uniformly.</summary>
    public static IReadOnlyList<IReadOnlyList<ArithLevelProfile>> Tiers { get; } =
    [
        Tier(1, maxSteps: 4, firstMax: 19, addSubMax: 9, mulMax: 5, resultMax: 99),
        Tier(2, maxSteps: 6, firstMax: 49, addSubMax: 49, mulMax: 9, resultMax: 999),
        Tier(3, maxSteps: 7, firstMax: 99, addSubMax: 199, mulMax: 9, resultMax: 1_999),
        Tier(4, maxSteps: 9, firstMax: 99, addSubMax: 999, mulMax: 19, resultMax: 9_999),
    ];

    /// <summary>One problem of the mix, from any split (filter with <see cref="ArithSplits.SplitOf"/>).</summary>
    public static ArithProblem Sample(SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var tier = Tiers[rng.NextInt(0, Tiers.Count - 1)];
        return ArithGenerator.Sample(tier[rng.NextInt(0, tier.Count - 1)], rng);
    }

    /// <summary>One problem of the mix from the train split.</summary>
    public static ArithProblem SampleTrain(SplitMix64 rng)
    {
        while (true)
        {
            var problem = Sample(rng);
            if (ArithSplits.SplitOf(problem.Expression) == ArithSplit.Train) return problem;
        }
    }

    private static ArithLevelProfile[] Tier(int tier, int maxSteps, int firstMax, int addSubMax, int mulMax, int resultMax) =>
        Enumerable.Range(1, maxSteps)
            .Select(steps => new ArithLevelProfile(tier, steps, firstMax, addSubMax, mulMax, MulShare, resultMax))
            .ToArray();
}
