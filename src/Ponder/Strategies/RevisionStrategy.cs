using Ponder.Generation;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>How <see cref="RevisionStrategy"/> picks its answer.</summary>
public enum RevisionSelection
{
    /// <summary>Majority vote over every attempt of every chain.</summary>
    Majority,
    /// <summary>Weighted best-of-N within each chain, then weighted best-of-N across the chains' picks.</summary>
    Hierarchical,
}

/// <summary>Options of <see cref="RevisionStrategy"/>.</summary>
public sealed record RevisionOptions : StrategyOptions
{
    /// <summary>
    /// Desired sequential:parallel ratio, chain length ÷ number of chains. The budget B is split into chains × length = B
    /// with the length the divisor of B whose ratio is nearest in log scale (ties to more chains): B = 16 and ratio 1 give
    /// 4 chains of 4; ratio 16 gives one chain of 16. Default 1.
    /// </summary>
    public double? SequentialRatio { get; init; }

    /// <summary>How the answer is picked. Default: hierarchical when the context has a verifier, else majority.</summary>
    public RevisionSelection? Selection { get; init; }

    /// <summary>The verifier of hierarchical selection. Default: the step scorer (PRM) when the context has one, else the outcome scorer.</summary>
    public VerifierKind? Verifier { get; init; }

    /// <summary>How a PRM's step scores become an attempt's score. Default <see cref="ScoreAggregation.Last"/>.</summary>
    public ScoreAggregation? Aggregation { get; init; }

    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (SequentialRatio is { } r && (!(r > 0) || !double.IsFinite(r)))
            throw new ArgumentException($"sequential ratio must be a finite number > 0, got {r}");
        if (Selection is { } s && !Enum.IsDefined(s)) throw new ArgumentException($"unknown revision selection {s}");
        if (Verifier is { } v && !Enum.IsDefined(v)) throw new ArgumentException($"unknown verifier {v}");
        if (Aggregation is { } a && !Enum.IsDefined(a)) throw new ArgumentException($"unknown score aggregation {a}");
        if (budget is not null) RequireGenerations(budget, RevisionStrategy.StrategyName);
    }
}

/// <summary>
/// <c>revision</c> — sequential revision (Snell et al.), budget B = chains × length. Each chain starts with a sample of the
/// problem's prompt (all chains' first attempts in one request); attempt j of a chain continues the task's revision
/// prompt showing the chain's previous attempts (at most the 4 most recent, oldest first). Chains run in parallel,
/// attempts within a chain in sequence. The answer is a majority vote over all attempts, or hierarchical: the verifier
/// scores every attempt, weighted best-of-N picks each chain's answer (represented by its best-scored attempt), and
/// weighted best-of-N over those picks, with their scores, picks the answer.
/// </summary>
/// <remarks>Candidates are listed attempt by attempt, each round's chains in order; <see cref="Candidate.Group"/> is the chain.
/// Attempt 0 of chain c is continuation c of a request with seed Derive(seed, 0); attempt j ≥ 1 uses seed Derive(Derive(seed, j), c).</remarks>
public sealed class RevisionStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "revision";

    /// <summary>Most previous attempts a revision prompt conditions on.</summary>
    public const int MaxPreviousAttempts = 4;

    private readonly StrategyContext _context;
    private readonly RevisionOptions _options;
    private readonly RevisionSelection _selection;
    private readonly VerifierKind _verifier;

    /// <summary>A sequential-revision strategy over <paramref name="context"/>'s policy, revision prompt and (for hierarchical selection) verifier.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context has no revision prompt or lacks the verifier asked for, or the context or options are invalid.</exception>
    public RevisionStrategy(StrategyContext context, RevisionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        if (context.RevisionPrompt is null) throw new ArgumentException("revision needs the task's revision prompt in the context");
        _context = context;
        _options = options ?? new();
        _options.Validate();
        bool hasVerifier = context.StepScorer is not null || context.OutcomeScorer is not null;
        _selection = _options.Selection ?? (hasVerifier ? RevisionSelection.Hierarchical : RevisionSelection.Majority);
        _verifier = _options.Verifier ?? (context.StepScorer is not null ? VerifierKind.Steps : VerifierKind.Outcome);
        if (_selection == RevisionSelection.Hierarchical
            && (_verifier == VerifierKind.Steps ? context.StepScorer is null : context.OutcomeScorer is null))
            throw new ArgumentException($"hierarchical revision selection needs the {(_verifier == VerifierKind.Steps ? "step scorer (PRM)" : "outcome scorer")} in the context");
    }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <summary>The chain length for budget <paramref name="budget"/> and sequential:parallel ratio <paramref name="ratio"/> (see <see cref="RevisionOptions.SequentialRatio"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The budget is below 1 or the ratio is not a finite number > 0.</exception>
    public static int ChainLength(int budget, double ratio)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        if (!(ratio > 0) || !double.IsFinite(ratio)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "the ratio must be a finite number > 0");
        int best = 1;
        double bestDistance = double.PositiveInfinity;
        for (int length = 1; length <= budget; length++)
        {
            if (budget % length != 0) continue;
            double distance = Math.Abs(Math.Log((double)length * length / budget) - Math.Log(ratio));
            if (distance < bestDistance - 1e-9) (best, bestDistance) = (length, distance);
        }
        return best;
    }

    /// <inheritdoc />
    public async Task<StrategyResult> SolveAsync(Problem problem, Budget budget, ulong seed, CancellationToken cancellationToken = default)
    {
        SolveSession.ValidateArguments(problem, budget, _options);
        var session = new SolveSession(Name, _context, problem, budget, seed, cancellationToken);
        int total = budget.Generations!.Value, length = ChainLength(total, _options.SequentialRatio ?? 1), chains = total / length;
        int maxTokens = _options.MaxTokensOrDefault;

        var attempts = new List<Continuation>[chains];
        var first = await session.GenerateAsync("", chains, SplitMix64.Derive(seed, 0), _options, maxTokens, stopAtStep: false).ConfigureAwait(false);
        for (int c = 0; c < chains; c++) attempts[c] = [first[c]];
        await session.AllAsync(attempts, (chain, c) => ReviseAsync(session, chain, length, c, seed)).ConfigureAwait(false);

        var order = Enumerable.Range(0, length).SelectMany(j => Enumerable.Range(0, chains).Select(c => (Chain: c, Attempt: j))).ToArray();
        Verdict?[] verdicts = _selection == RevisionSelection.Hierarchical
            ? await session.ScoreAllAsync(order.Select(o => attempts[o.Chain][o.Attempt].Text), _verifier, _options.Aggregation ?? ScoreAggregation.Last).ConfigureAwait(false)
            : new Verdict?[order.Length];
        var candidates = order.Select((o, i) => session.NewCandidate(i, attempts[o.Chain][o.Attempt].Text, attempts[o.Chain][o.Attempt].FinishReason, verdicts[i], o.Chain)).ToArray();

        Candidate? chosen;
        if (_selection == RevisionSelection.Majority)
            chosen = CandidateSelection.Majority(candidates, _context.AnswerKey);
        else
        {
            var picks = Enumerable.Range(0, chains)
                .Select(c => CandidateSelection.Weighted(candidates.Where(x => x.Group == c), _context.AnswerKey))
                .OfType<Candidate>().ToArray();
            chosen = CandidateSelection.Weighted(picks, _context.AnswerKey);
            session.Trace("chain picks: " + string.Join(", ", picks.Select(p => $"chain {p.Group}: {p.Answer} ({p.Score:F3})")));
        }
        session.Trace($"{chains} chains × {length} attempts, {_selection.ToString().ToLowerInvariant()} selection; answers by chain: "
            + string.Join(" | ", Enumerable.Range(0, chains).Select(c => string.Join(",", candidates.Where(x => x.Group == c).Select(x => x.Answer ?? "∅")))));
        return session.Finish(candidates, chosen, chains * length);
    }

    // Attempts 1 … length−1 of one chain, each conditioned on the chain's most recent attempts, added to the chain.
    private async Task<List<Continuation>> ReviseAsync(SolveSession session, List<Continuation> chain, int length, int chainIndex, ulong seed)
    {
        for (int j = 1; j < length; j++)
        {
            var previous = chain.Skip(Math.Max(0, chain.Count - MaxPreviousAttempts)).Select(a => a.Text).ToArray();
            string prompt = _context.RevisionPrompt!(session.Problem, previous);
            var attempt = await session.GenerateAsync("", 1, SplitMix64.Derive(SplitMix64.Derive(seed, (ulong)j), (ulong)chainIndex), _options,
                _options.MaxTokensOrDefault, stopAtStep: false, prompt: prompt).ConfigureAwait(false);
            chain.Add(attempt[0]);
        }
        return chain;
    }
}
