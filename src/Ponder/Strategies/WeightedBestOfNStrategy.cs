using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>
/// <c>weighted-best-of-n</c> — weighted best-of-N: N independent samples scored as by <see cref="BestOfNStrategy"/>;
/// the scores of samples with equivalent answers are summed and the answer with the largest sum wins (ties to the answer
/// seen first), represented by its highest-scored sample. Samples without an answer do not vote.
/// </summary>
public sealed class WeightedBestOfNStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "weighted-best-of-n";

    private readonly StrategyContext _context;
    private readonly BestOfNOptions _options;
    private readonly VerifierKind _verifier;

    /// <summary>A weighted best-of-N strategy over <paramref name="context"/>'s policy, verifier and answer key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context lacks the verifier, or the context or options are invalid.</exception>
    public WeightedBestOfNStrategy(StrategyContext context, BestOfNOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        _context = context;
        _options = options ?? new();
        _options.Validate();
        _verifier = VerifierChoice.Resolve(_options.Verifier, context, StrategyName);
    }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public async Task<StrategyResult> SolveAsync(Problem problem, Budget budget, ulong seed, CancellationToken cancellationToken = default)
    {
        SolveSession.ValidateArguments(problem, budget, _options);
        var session = new SolveSession(Name, _context, problem, budget, seed, cancellationToken);
        var samples = await session.SampleSolutionsAsync(_options, _verifier).ConfigureAwait(false);
        var verdicts = await session.ScoreToChooseAsync(samples, _verifier, _options.Aggregation ?? ScoreAggregation.Last).ConfigureAwait(false);
        var candidates = samples.Select((c, i) => session.NewCandidate(i, c.Text, c.FinishReason, verdicts[i])).ToArray();
        var groups = CandidateSelection.GroupByAnswer(candidates, _context.AnswerKey);
        session.Trace($"{candidates.Length} samples; weights: "
            + (groups.Count == 0 ? "none" : string.Join(", ", groups.Select(g => $"{g[0].Answer}={g.Sum(c => c.Score ?? 0):F3}"))));
        return session.Finish(candidates, CandidateSelection.Weighted(candidates, _context.AnswerKey), candidates.Length);
    }
}
