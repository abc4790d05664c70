using Ponder.Generation;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="BeamSearchStrategy"/>: the step-search options; the budget N must be a multiple of the beam width M.</summary>
public sealed record BeamSearchOptions : StepSearchOptions
{
    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (budget is not null) RequireDivisible(RequireGenerations(budget, BeamSearchStrategy.StrategyName), "budget");
    }
}

/// <summary>
/// <c>beam</c> — PRM beam search (Snell et al.; search-and-learn), budget N, beam width M:
/// <list type="number">
/// <item>Round 1 samples N first steps from the prompt (stopping at the step delimiter) and scores each partial solution with the PRM.</item>
/// <item>Candidates whose solution has ended (end of sequence, token limit, empty step, the task's finished-test) leave for the pool.</item>
/// <item>Of the rest, the top N/M by aggregated PRM score are kept; each kept prefix is continued by M next steps (N
/// candidates again — when fewer than N/M survive, the N are spread over the survivors, best first), scored, and so on.</item>
/// <item>The search stops when no candidate is active or after <see cref="StepSearchOptions.MaxRounds"/> (40) rounds;
/// the last round generates to the end, so every remaining candidate joins the pool.</item>
/// <item>The answer is chosen by weighted best-of-N over the whole pool.</item>
/// </list>
/// Every round samples exactly N steps, so the budget is N (see <see cref="StrategyResult.GenerationsUsed"/>).
/// </summary>
public sealed class BeamSearchStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "beam";

    private readonly StrategyContext _context;
    private readonly BeamSearchOptions _options;

    /// <summary>A beam search over <paramref name="context"/>'s policy and step scorer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context has no step scorer, or the context or options are invalid.</exception>
    public BeamSearchStrategy(StrategyContext context, BeamSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        if (context.StepScorer is null) throw new ArgumentException("beam search needs a step scorer (PRM) in the context");
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
        int n = budget.Generations!.Value, keep = n / _options.BeamWidthOrDefault, rounds = _options.MaxRoundsOrDefault;
        var aggregation = _options.AggregationOrDefault;

        var active = new List<string> { "" };
        var pool = new List<(string Text, FinishReason Finish, Verdict Verdict)>();
        for (int round = 0; round < rounds && active.Count > 0; round++)
        {
            bool last = round == rounds - 1;
            var seeds = Enumerable.Range(0, active.Count).Select(p => StepSearch.Seed(seed, round, p)).ToArray();
            var children = await StepSearch.ExpandAsync(session, active, StepSearch.Spread(n, active.Count), seeds, _options,
                last ? _options.MaxTokensOrDefault : _options.MaxStepTokensOrDefault, stopAtStep: !last).ConfigureAwait(false);
            if (children.Count != n) throw new InvalidOperationException($"beam round {round + 1} sampled {children.Count} steps, not {n}");
            var verdicts = await session.ScoreAllAsync(children.Select(c => c.Text), VerifierKind.Steps, aggregation).ConfigureAwait(false);

            var open = new List<int>();
            for (int i = 0; i < children.Count; i++)
            {
                if (StepSearch.Ends(session, children[i])) pool.Add((children[i].Text, children[i].Continuation.FinishReason, verdicts[i]));
                else open.Add(i);
            }
            var kept = StepSearch.Top(open.Select(i => verdicts[i].Score).ToArray(), keep);
            session.Trace($"round {round + 1}: {n} steps from {active.Count} prefixes, {children.Count - open.Count} ended (pool {pool.Count}), kept {kept.Count} of {open.Count}");
            active = kept.Select(k => children[open[k]].Text).ToList();
        }

        var candidates = pool.Select((p, i) => session.NewCandidate(i, p.Text, p.Finish, p.Verdict)).ToArray();
        return session.Finish(candidates, CandidateSelection.Weighted(candidates, _context.AnswerKey), n);
    }
}
