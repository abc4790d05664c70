using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="DvtsStrategy"/>: the step-search options; the budget N must be a multiple of the beam width M.</summary>
public sealed record DvtsOptions : StepSearchOptions
{
    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (budget is not null) RequireDivisible(RequireGenerations(budget, DvtsStrategy.StrategyName), "budget");
    }
}

/// <summary>
/// <c>dvts</c> — diverse verifier tree search (search-and-learn), budget N, beam width M: N/M independent subtrees, each
/// grown greedily from the prompt. Every round, every unfinished subtree samples M next steps of its path, the PRM
/// scores them, and the subtree keeps only its best (ties to the earliest); there is no competition across subtrees, so
/// diversity comes from the subtrees. A subtree ends when its best step ends its solution; its candidates are that
/// round's steps that end a solution (the best among them), so each subtree contributes its winner and any finished
/// siblings. The last of <see cref="StepSearchOptions.MaxRounds"/> (40) rounds generates to the end. The answer is chosen
/// by weighted best-of-N over all subtrees' candidates.
/// </summary>
/// <remarks>
/// Subtree s in round r samples with seed Derive(Derive(seed, s), r), so its path does not depend on how many other
/// subtrees there are. Every round samples at most N steps; the budget is N.
/// </remarks>
public sealed class DvtsStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "dvts";

    private readonly StrategyContext _context;
    private readonly DvtsOptions _options;

    /// <summary>A DVTS over <paramref name="context"/>'s policy and step scorer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context has no step scorer, or the context or options are invalid.</exception>
    public DvtsStrategy(StrategyContext context, DvtsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        if (context.StepScorer is null) throw new ArgumentException("DVTS needs a step scorer (PRM) in the context");
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
        int n = budget.Generations!.Value, m = _options.BeamWidthOrDefault, subtrees = n / m, rounds = _options.MaxRoundsOrDefault;
        var aggregation = _options.AggregationOrDefault;

        var paths = Enumerable.Repeat("", subtrees).ToArray();
        var finished = new bool[subtrees];
        var found = new List<(int Subtree, SearchStep Step, Verdict Verdict)>();
        for (int round = 0; round < rounds && finished.Contains(false); round++)
        {
            bool last = round == rounds - 1;
            var live = Enumerable.Range(0, subtrees).Where(s => !finished[s]).ToArray();
            var seeds = live.Select(s => SplitMix64.Derive(SplitMix64.Derive(seed, (ulong)s), (ulong)round)).ToArray();
            var children = await StepSearch.ExpandAsync(session, live.Select(s => paths[s]).ToArray(), live.Select(_ => m).ToArray(), seeds,
                _options, last ? _options.MaxTokensOrDefault : _options.MaxStepTokensOrDefault, stopAtStep: !last).ConfigureAwait(false);
            if (children.Count > n) throw new InvalidOperationException($"DVTS round {round + 1} sampled {children.Count} steps, more than {n}");
            var verdicts = await session.ScoreAllAsync(children.Select(c => c.Text), VerifierKind.Steps, aggregation).ConfigureAwait(false);

            int ended = 0;
            for (int j = 0; j < live.Length; j++)
            {
                var siblings = Enumerable.Range(j * m, m).ToArray();
                int best = siblings[StepSearch.Top(siblings.Select(i => verdicts[i].Score).ToArray(), 1)[0]];
                paths[live[j]] = children[best].Text;
                if (!StepSearch.Ends(session, children[best])) continue;
                finished[live[j]] = true;
                ended++;
                foreach (int i in siblings)
                    if (StepSearch.Ends(session, children[i])) found.Add((live[j], children[i], verdicts[i]));
            }
            session.Trace($"round {round + 1}: {live.Length} subtrees × {m} steps, {ended} subtrees ended ({subtrees - finished.Count(f => !f)} of {subtrees} done)");
        }

        var candidates = found.OrderBy(f => f.Subtree)
            .Select((f, i) => session.NewCandidate(i, f.Step.Text, f.Step.Continuation.FinishReason, f.Verdict, f.Subtree)).ToArray();
        return session.Finish(candidates, CandidateSelection.Weighted(candidates, _context.AnswerKey), n);
    }
}
