using Ponder.Generation;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="EarlyRejectionStrategy"/>.</summary>
public sealed record EarlyRejectionOptions : StepSearchOptions
{
    /// <summary>Partial length τ: tokens of each candidate step sampled before the PRM judges it. Default 8.</summary>
    public int? PartialTokens { get; init; }

    internal int PartialTokensOrDefault => PartialTokens ?? 8;

    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (PartialTokens is < 1) throw new ArgumentException($"partial tokens must be ≥ 1, got {PartialTokens}");
        if (PartialTokensOrDefault >= MaxStepTokensOrDefault)
            throw new ArgumentException($"partial tokens must be below max step tokens: partial tokens {PartialTokensOrDefault}, max step tokens {MaxStepTokensOrDefault}");
        if (PartialTokensOrDefault >= MaxTokensOrDefault)
            throw new ArgumentException($"partial tokens must be below max tokens: partial tokens {PartialTokensOrDefault}, max tokens {MaxTokensOrDefault}");
        if (budget is not null) RequireDivisible(RequireGenerations(budget, EarlyRejectionStrategy.StrategyName), "budget");
    }
}

/// <summary>
/// <c>early-rejection</c> — beam search with early rejection (partial reward modelling), budget N, beam width M, partial
/// length τ. Each round samples N candidate steps as <see cref="BeamSearchStrategy"/> does, but each only up to τ tokens
/// (or its delimiter), and the PRM scores these partial steps. Candidates whose solution already ended join the pool; of
/// the rest, the top N/M survive and only they are finished (continued to their delimiter, or to the end in the last
/// round); the other candidates cost τ tokens each. Finished survivors that end their solution are scored in full and
/// join the pool; the others are the next round's prefixes. The answer is chosen by weighted best-of-N over the pool.
/// The budget is N.
/// </summary>
public sealed class EarlyRejectionStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "early-rejection";

    private readonly StrategyContext _context;
    private readonly EarlyRejectionOptions _options;

    /// <summary>An early-rejection beam search over <paramref name="context"/>'s policy and step scorer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context has no step scorer, or the context or options are invalid.</exception>
    public EarlyRejectionStrategy(StrategyContext context, EarlyRejectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        if (context.StepScorer is null) throw new ArgumentException("early rejection needs a step scorer (PRM) in the context");
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
        int tau = _options.PartialTokensOrDefault;
        var aggregation = _options.AggregationOrDefault;

        var active = new List<string> { "" };
        var pool = new List<(string Text, FinishReason Finish, Verdict Verdict)>();
        for (int round = 0; round < rounds && active.Count > 0; round++)
        {
            bool last = round == rounds - 1;
            var seeds = Enumerable.Range(0, active.Count).Select(p => StepSearch.Seed(seed, round, p)).ToArray();
            var partials = await StepSearch.ExpandAsync(session, active, StepSearch.Spread(n, active.Count), seeds, _options, tau, stopAtStep: !last).ConfigureAwait(false);
            if (partials.Count != n) throw new InvalidOperationException($"early-rejection round {round + 1} sampled {partials.Count} partial steps, not {n}");
            var verdicts = await session.ScoreAllAsync(partials.Select(c => c.Text), VerifierKind.Steps, aggregation).ConfigureAwait(false);

            // A partial step cut at τ tokens has not ended: the token limit here only pauses it.
            var open = new List<int>();
            for (int i = 0; i < partials.Count; i++)
            {
                if (!IsCut(partials[i], session) && StepSearch.Ends(session, partials[i])) pool.Add((partials[i].Text, partials[i].Continuation.FinishReason, verdicts[i]));
                else open.Add(i);
            }
            var survivors = StepSearch.Top(open.Select(i => verdicts[i].Score).ToArray(), keep).Select(k => partials[open[k]]).ToArray();
            var finished = await session.AllAsync(survivors, (s, j) => FinishStepAsync(session, s, last, SplitMix64.Derive(seeds[s.Parent], (ulong)(n + j)))).ConfigureAwait(false);

            var next = new List<string>();
            var ended = new List<SearchStep>();
            foreach (var step in finished)
            {
                if (StepSearch.Ends(session, step)) ended.Add(step);
                else next.Add(step.Text);
            }
            var endedVerdicts = await session.ScoreAllAsync(ended.Select(s => s.Text), VerifierKind.Steps, aggregation).ConfigureAwait(false);
            for (int i = 0; i < ended.Count; i++) pool.Add((ended[i].Text, ended[i].Continuation.FinishReason, endedVerdicts[i]));
            session.Trace($"round {round + 1}: {n} partial steps of ≤ {tau} tokens, {n - open.Count} ended, {survivors.Length} survivors of {open.Count} "
                + $"({survivors.Count(s => IsCut(s, session))} continued), {ended.Count} survivors ended (pool {pool.Count})");
            active = next;
        }

        var candidates = pool.Select((p, i) => session.NewCandidate(i, p.Text, p.Finish, p.Verdict)).ToArray();
        return session.Finish(candidates, CandidateSelection.Weighted(candidates, _context.AnswerKey), n);
    }

    // Cut at τ tokens, with room left in the context to continue.
    private bool IsCut(SearchStep partial, SolveSession session) => partial.Continuation is var c
        && c.FinishReason == FinishReason.Length && c.GeneratedTokens >= _options.PartialTokensOrDefault
        && (session.Policy.Card is not { } card || c.PromptTokens + c.GeneratedTokens < card.ContextLength);

    // Continues a survivor that was cut at τ tokens to its delimiter (to the end in the last round). The whole step ends
    // as its second generation did and counts the tokens of both.
    private async Task<SearchStep> FinishStepAsync(SolveSession session, SearchStep partial, bool last, ulong seed)
    {
        if (!IsCut(partial, session)) return partial;
        int remaining = (last ? _options.MaxTokensOrDefault : _options.MaxStepTokensOrDefault) - _options.PartialTokensOrDefault;
        var rest = (await session.GenerateAsync(partial.Text, 1, seed, _options, remaining, stopAtStep: !last).ConfigureAwait(false))[0];
        var whole = rest with { Text = partial.Step + rest.Text, PromptTokens = partial.Continuation.PromptTokens, GeneratedTokens = partial.Continuation.GeneratedTokens + rest.GeneratedTokens };
        whole = CutAtStraddlingStop(whole, partial.Step.Length, session.Stops(stopAtStep: !last));
        string parentText = partial.Text[..^partial.Step.Length];
        return new SearchStep(partial.Parent, parentText + whole.Text, whole.Text, whole);
    }

    // A generator matches stops only in what it generates, so a stop that the cut splits (the "\n" ending the partial
    // and the "\n" starting the rest of a blank-line delimiter) goes unseen and the step runs on into the next: the step
    // ends at the first stop that reaches past the cut. Its tokens beyond were spent and stay counted.
    private static Continuation CutAtStraddlingStop(Continuation whole, int cut, IReadOnlyList<string> stops)
    {
        int end = stops.Select(stop => whole.Text.IndexOf(stop, Math.Max(0, cut - stop.Length + 1), StringComparison.Ordinal) is var at and >= 0
            ? at + stop.Length : int.MaxValue).DefaultIfEmpty(int.MaxValue).Min();
        return end < whole.Text.Length ? whole with { Text = whole.Text[..end], FinishReason = FinishReason.Stop } : whole;
    }
}
