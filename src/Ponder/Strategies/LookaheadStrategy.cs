using Ponder.Generation;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="LookaheadStrategy"/>.</summary>
public sealed record LookaheadOptions : StepSearchOptions
{
    /// <summary>Lookahead depth k: steps of the temperature-0 rollout after each candidate step. Default 1.</summary>
    public int? Depth { get; init; }

    internal int DepthOrDefault => Depth ?? 1;

    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (Depth is < 0) throw new ArgumentException($"lookahead depth must be ≥ 0, got {Depth}");
        if (budget is null) return;
        int total = RequireGenerations(budget, LookaheadStrategy.StrategyName);
        if (total % (DepthOrDefault + 1) != 0)
            throw new ArgumentException($"depth + 1 must divide the budget: budget {total}, depth {DepthOrDefault}");
        RequireDivisible(total / (DepthOrDefault + 1), "beam count");
    }
}

/// <summary>
/// <c>lookahead</c> — lookahead search (Snell et al.), budget B, depth k, beam width M: PRM beam search with
/// N = B / (k + 1) beams (exactly as <see cref="BeamSearchStrategy"/>), except that a candidate step that does not end
/// its solution is ranked by the PRM score at the end of a temperature-0 rollout of up to k more steps (stopping early
/// when the rollout ends the solution); the beam advances by the candidate step only. Candidates that end their
/// solution are scored as they are and join the pool. The cost counts the rollouts: each round samples N steps and at
/// most N·k rollout steps, so the budget is N·(k + 1). k = 0 is beam search.
/// </summary>
public sealed class LookaheadStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "lookahead";

    private readonly StrategyContext _context;
    private readonly LookaheadOptions _options;

    /// <summary>A lookahead search over <paramref name="context"/>'s policy and step scorer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context has no step scorer, or the context or options are invalid.</exception>
    public LookaheadStrategy(StrategyContext context, LookaheadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        if (context.StepScorer is null) throw new ArgumentException("lookahead search needs a step scorer (PRM) in the context");
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
        int depth = _options.DepthOrDefault, n = budget.Generations!.Value / (depth + 1);
        int keep = n / _options.BeamWidthOrDefault, rounds = _options.MaxRoundsOrDefault;
        var aggregation = _options.AggregationOrDefault;

        var active = new List<string> { "" };
        var pool = new List<(string Text, FinishReason Finish, Verdict Verdict)>();
        for (int round = 0; round < rounds && active.Count > 0; round++)
        {
            bool last = round == rounds - 1;
            var seeds = Enumerable.Range(0, active.Count).Select(p => StepSearch.Seed(seed, round, p)).ToArray();
            var children = await StepSearch.ExpandAsync(session, active, StepSearch.Spread(n, active.Count), seeds, _options,
                last ? _options.MaxTokensOrDefault : _options.MaxStepTokensOrDefault, stopAtStep: !last).ConfigureAwait(false);
            if (children.Count != n) throw new InvalidOperationException($"lookahead round {round + 1} sampled {children.Count} steps, not {n}");

            var ends = children.Select(c => StepSearch.Ends(session, c)).ToArray();
            var rollouts = await session.AllAsync(children, (c, i) => ends[i]
                ? Task.FromResult((c.Text, Steps: 0))
                : RolloutAsync(session, c.Text, depth, SplitMix64.Derive(seeds[c.Parent], (ulong)(n + i)))).ConfigureAwait(false);
            int rolloutSteps = rollouts.Sum(r => r.Steps);
            if (rolloutSteps > n * depth) throw new InvalidOperationException($"lookahead round {round + 1} took {rolloutSteps} rollout steps, more than {n * depth}");
            var verdicts = await session.ScoreAllAsync(rollouts.Select(r => r.Text), VerifierKind.Steps, aggregation).ConfigureAwait(false);

            var open = new List<int>();
            for (int i = 0; i < children.Count; i++)
            {
                if (ends[i]) pool.Add((children[i].Text, children[i].Continuation.FinishReason, verdicts[i]));
                else open.Add(i);
            }
            var kept = StepSearch.Top(open.Select(i => verdicts[i].Score).ToArray(), keep);
            session.Trace($"round {round + 1}: {n} steps from {active.Count} prefixes, {rolloutSteps} rollout steps, {children.Count - open.Count} ended (pool {pool.Count}), kept {kept.Count} of {open.Count}");
            active = kept.Select(k => children[open[k]].Text).ToList();
        }

        var candidates = pool.Select((p, i) => session.NewCandidate(i, p.Text, p.Finish, p.Verdict)).ToArray();
        return session.Finish(candidates, CandidateSelection.Weighted(candidates, _context.AnswerKey), budget.Generations.Value);
    }

    // Up to `depth` greedy steps after `text`, one at a time, stopping when a step ends the solution.
    private async Task<(string Text, int Steps)> RolloutAsync(SolveSession session, string text, int depth, ulong seed)
    {
        for (int step = 0; step < depth; step++)
        {
            var c = (await session.GenerateAsync(text, 1, seed, _options, _options.MaxStepTokensOrDefault, stopAtStep: true, temperature: 0).ConfigureAwait(false))[0];
            var rolled = new SearchStep(0, text + c.Text, c.Text, c);
            text = rolled.Text;
            if (StepSearch.Ends(session, rolled)) return (text, step + 1);
        }
        return (text, depth);
    }
}
