using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.Analysis;

/// <summary>How a subset of a pool of graded samples counts as solved.</summary>
public enum PoolRule
{
    /// <summary>Any sample is correct (coverage; needs an oracle, so it is a bound, not a strategy).</summary>
    Coverage,
    /// <summary>The majority answer is correct (<see cref="CandidateSelection.Majority"/>).</summary>
    Majority,
    /// <summary>The highest-scored sample with an answer is correct (<see cref="CandidateSelection.Highest"/>).</summary>
    BestOfN,
    /// <summary>The answer with the highest summed score is correct (<see cref="CandidateSelection.Weighted"/>).</summary>
    WeightedBestOfN,
}

/// <summary>
/// majority@k, best-of-k, weighted best-of-k and coverage@k of one problem by subsampling its pool: the mean, over the
/// size-k subsets of <see cref="PoolSubsets.Draw"/>, of whether the rule solves the subset (DESIGN.md §7). Coverage has
/// the exact unbiased form <see cref="PassAtK"/>; subsampling it gives the same value in expectation.
/// </summary>
/// <remarks>Pure; thread-safe when the answer key is.</remarks>
public static class PoolEstimators
{
    /// <summary>The rule of a pool-derived strategy (<c>sampling</c>, <c>majority</c>, <c>best-of-n</c>, <c>weighted-best-of-n</c>), or null for any other strategy.</summary>
    public static PoolRule? RuleOf(string strategy) => strategy switch
    {
        RepeatedSamplingStrategy.StrategyName => PoolRule.Coverage,
        MajorityVoteStrategy.StrategyName => PoolRule.Majority,
        BestOfNStrategy.StrategyName => PoolRule.BestOfN,
        WeightedBestOfNStrategy.StrategyName => PoolRule.WeightedBestOfN,
        _ => null,
    };

    /// <summary>Whether <paramref name="rule"/> solves <paramref name="subset"/> (candidates graded in <see cref="Candidate.IsCorrect"/>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static bool Solves(IReadOnlyList<Candidate> subset, PoolRule rule, IAnswerKey key)
    {
        ArgumentNullException.ThrowIfNull(subset);
        ArgumentNullException.ThrowIfNull(key);
        return rule switch
        {
            PoolRule.Coverage => subset.Any(c => c.IsCorrect == true),
            PoolRule.Majority => CandidateSelection.Majority(subset, key)?.IsCorrect == true,
            PoolRule.BestOfN => CandidateSelection.Highest(subset.Where(c => c.Answer is not null))?.IsCorrect == true,
            PoolRule.WeightedBestOfN => CandidateSelection.Weighted(subset, key)?.IsCorrect == true,
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown pool rule"),
        };
    }

    /// <summary>
    /// The probability that <paramref name="rule"/> solves a random size-<paramref name="k"/> subset of
    /// <paramref name="pool"/>, estimated over at most <paramref name="maxSubsets"/> subsets (all of them when there are
    /// that few). Candidates vote in the order the subset lists them, and ties go to the earlier one, as in the strategies.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 1 ≤ k ≤ pool size and max subsets ≥ 1.</exception>
    public static double Estimate(IReadOnlyList<Candidate> pool, int k, PoolRule rule, IAnswerKey key, int maxSubsets, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var subsets = PoolSubsets.Draw(pool.Count, k, maxSubsets, seed);
        int solved = subsets.Count(indices => Solves(indices.Select(i => pool[i]).ToArray(), rule, key));
        return (double)solved / subsets.Count;
    }
}
