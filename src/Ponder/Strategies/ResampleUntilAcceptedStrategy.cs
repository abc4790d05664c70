using System.Globalization;
using Ponder.Analysis;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="ResampleUntilAcceptedStrategy"/>.</summary>
public sealed record ResampleUntilAcceptedOptions : StrategyOptions
{
    /// <summary>Which verifier scores the samples. Default: the step scorer (PRM) when the context has one, else the outcome scorer.</summary>
    public VerifierKind? Verifier { get; init; }

    /// <summary>How a PRM's step scores become a solution's score. Default <see cref="ScoreAggregation.Last"/>.</summary>
    public ScoreAggregation? Aggregation { get; init; }

    /// <summary>A sample whose score is at least this, and which has an answer, is accepted. Default <see cref="VerifierQuality.DefaultThreshold"/>.</summary>
    public double? Threshold { get; init; }

    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        VerifierChoice.Validate(Verifier, Aggregation);
        if (Threshold is { } t && !(t is >= 0 and <= 1)) throw new ArgumentException($"threshold must be in [0, 1], got {t}");
    }
}

/// <summary>
/// <c>resample-until-accepted</c> — resampling with a verifier (the strategy whose limits Inference Scaling fLaws
/// analyses; DESIGN.md §7): samples are drawn one at a time and each is scored as it arrives; the first with an answer
/// whose score reaches the threshold answers, and sampling stops. When the budget is spent with none accepted, the
/// samples drawn vote as in weighted best-of-N. Easy problems stop after a sample or two, so the budget goes to the
/// problems whose samples the verifier rejects.
/// </summary>
/// <remarks>
/// Sample i has seed Derive(seed, i). A budget of one generation answers its one sample unscored, as best-of-1 does.
/// Under a FLOP budget a sample is drawn only when its worst-case scoring fits too. As the budget grows its accuracy
/// approaches the verifier's resampling ceiling c·r / (c·r + (1−r)(1−s)) (completeness c, soundness s, per-sample
/// accuracy r), less what the vote recovers on problems where nothing is accepted.
/// </remarks>
public sealed class ResampleUntilAcceptedStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "resample-until-accepted";

    private readonly StrategyContext _context;
    private readonly ResampleUntilAcceptedOptions _options;
    private readonly VerifierKind _verifier;

    /// <summary>A resampling strategy over <paramref name="context"/>'s policy, verifier and answer key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context lacks the verifier, or the context or options are invalid.</exception>
    public ResampleUntilAcceptedStrategy(StrategyContext context, ResampleUntilAcceptedOptions? options = null)
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
        double threshold = _options.Threshold ?? VerifierQuality.DefaultThreshold;
        var aggregation = _options.Aggregation ?? ScoreAggregation.Last;
        int maxTokens = _options.MaxTokensOrDefault;
        Task<IReadOnlyList<Generation.Continuation>> SampleAsync(int i) =>
            session.GenerateAsync("", 1, SplitMix64.Derive(seed, (ulong)i), _options, maxTokens, stopAtStep: false);

        if (budget.Generations is { } generations && !CandidateSelection.NeedsScores(generations))
        {
            var sample = (await SampleAsync(0).ConfigureAwait(false))[0];
            var lone = session.NewCandidate(0, sample.Text, sample.FinishReason);
            session.Trace("1 sample, the choice without scoring");
            return session.Finish([lone], lone, 1);
        }

        var candidates = new List<Candidate>();
        int? promptTokens = null;
        while (session.SamplesThatFit(1, candidates.Count, promptTokens, maxTokens, _verifier, drawnAreScored: true) == 1)
        {
            var sample = (await SampleAsync(candidates.Count).ConfigureAwait(false))[0];
            promptTokens = sample.PromptTokens;
            var verdict = await session.ScoreAsync(sample.Text, _verifier, aggregation).ConfigureAwait(false);
            var candidate = session.NewCandidate(candidates.Count, sample.Text, sample.FinishReason, verdict);
            candidates.Add(candidate);
            if (candidate.Answer is not null && verdict.Score >= threshold)
            {
                session.Trace(string.Create(CultureInfo.InvariantCulture, $"#{candidate.Index} accepted: score {verdict.Score:F3} ≥ {threshold}"));
                return session.Finish(candidates, candidate, candidates.Count);
            }
            session.Trace(string.Create(CultureInfo.InvariantCulture, $"#{candidate.Index} rejected: {(candidate.Answer is null ? "no answer, " : "")}score {verdict.Score:F3}"));
        }
        session.Trace(candidates.Count == 0 ? "the budget holds no scored sample" : $"budget spent after {candidates.Count} samples, none accepted: weighted vote");
        return session.Finish(candidates, CandidateSelection.Weighted(candidates, _context.AnswerKey), candidates.Count);
    }
}
