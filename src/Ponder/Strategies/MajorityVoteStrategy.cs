namespace Ponder.Strategies;

/// <summary>Options of <see cref="MajorityVoteStrategy"/>: sampling only.</summary>
public sealed record MajorityVoteOptions : StrategyOptions;

/// <summary>
/// <c>majority</c> — self-consistency: N independent samples; the most frequent final answer (answers grouped by the
/// answer key's equivalence) wins, ties going to the answer seen first. Samples without an answer do not vote.
/// </summary>
/// <remarks>Samples exactly as <see cref="RepeatedSamplingStrategy"/> does, so for a seed both see the same samples.</remarks>
public sealed class MajorityVoteStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "majority";

    private readonly StrategyContext _context;
    private readonly MajorityVoteOptions _options;

    /// <summary>A majority-vote strategy over <paramref name="context"/>'s policy and answer key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context or options are invalid.</exception>
    public MajorityVoteStrategy(StrategyContext context, MajorityVoteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        _context = context;
        _options = options ?? new();
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public async Task<StrategyResult> SolveAsync(Problem problem, Budget budget, ulong seed, CancellationToken cancellationToken = default)
    {
        SolveSession.ValidateArguments(problem, budget, _options);
        var session = new SolveSession(Name, _context, problem, budget, seed, cancellationToken);
        var samples = await session.SampleSolutionsAsync(_options, verifier: null).ConfigureAwait(false);
        var candidates = samples.Select((c, i) => session.NewCandidate(i, c.Text, c.FinishReason)).ToArray();
        var groups = CandidateSelection.GroupByAnswer(candidates, _context.AnswerKey);
        session.Trace($"{candidates.Length} samples; votes: " + (groups.Count == 0 ? "none" : string.Join(", ", groups.Select(g => $"{g[0].Answer}×{g.Count}"))));
        return session.Finish(candidates, CandidateSelection.Majority(candidates, _context.AnswerKey), candidates.Length);
    }
}
