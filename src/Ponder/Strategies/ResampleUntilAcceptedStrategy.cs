using System.Globalization;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="ResampleUntilAcceptedStrategy"/>: best-of-N's verifier and aggregation, and when to accept.</summary>
public sealed record ResampleUntilAcceptedOptions : BestOfNOptions
{
    /// <summary>A sample whose verifier score is at least this is accepted and answers. Default 0.5.</summary>
    public double? Threshold { get; init; }

    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (Threshold is { } t && !(t is >= 0 and <= 1)) throw new ArgumentException($"threshold must be in [0, 1], got {t}");
    }
}

/// <summary>
/// <c>resample-until-accepted</c> — resampling with a verifier (the strategy whose limits Inference Scaling fLaws
/// analyses; DESIGN.md §7): samples are drawn one at a time and each is scored as it arrives; the first whose score
/// reaches the threshold answers, and sampling stops. When the budget is spent with none accepted, the samples drawn
/// vote as in weighted best-of-N. Easy problems stop after one or two samples, so the budget goes where the verifier
/// rejects.
/// </summary>
/// <remarks>
/// Sample i has seed Derive(seed, i). With a budget of one generation the one sample answers unscored, as best-of-1
/// does. Under a FLOP budget a sample is drawn only when its worst-case scoring fits as well. Its accuracy is capped at
/// the verifier's resampling ceiling c·r / (c·r + (1−r)(1−s)) (completeness c, soundness s, per-sample accuracy r).
/// </remarks>
public sealed class ResampleUntilAcceptedStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "resample-until-accepted";

    /// <summary>The default acceptance threshold, the one the study's verifier figures use.</summary>
    public const double DefaultThreshold = 0.5;

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
        _verifier = _options.ResolveVerifier(context, StrategyName);
    }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public async Task<StrategyResult> SolveAsync(Problem problem, Budget budget, ulong seed, CancellationToken cancellationToken = default)
    {
        SolveSession.ValidateArguments(problem, budget, _options);
        var session = new SolveSession(Name, _context, problem, budget, seed, cancellationToken);
        double threshold = _options.Threshold ?? DefaultThreshold;
        var aggregation = _options.Aggregation ?? ScoreAggregation.Last;
        int maxTokens = _options.MaxTokensOrDefault;

        var candidates = new List<Candidate>();
        int? promptTokens = null;
        for (int i = 0; ; i++)
        {
            if (session.SamplesThatFit(1, candidates.Count, promptTokens, maxTokens, _verifier, drawnAreScored: true) == 0)
            {
                session.Trace($"budget spent after {candidates.Count} samples, none accepted: weighted vote");
                return session.Finish(candidates, CandidateSelection.Weighted(candidates, _context.AnswerKey), candidates.Count);
            }
            var sample = (await session.GenerateAsync("", 1, SplitMix64.Derive(seed, (ulong)i), _options, maxTokens, stopAtStep: false).ConfigureAwait(false))[0];
            promptTokens = sample.PromptTokens;
            if (budget.Generations == 1)
            {
                var lone = session.NewCandidate(0, sample.Text, sample.FinishReason);
                session.Trace("1 sample, the choice without scoring");
                return session.Finish([lone], lone, 1);
            }
            var verdict = await session.ScoreAsync(sample.Text, _verifier, aggregation).ConfigureAwait(false);
            var candidate = session.NewCandidate(i, sample.Text, sample.FinishReason, verdict);
            candidates.Add(candidate);
            if (verdict.Score >= threshold && candidate.Answer is not null)
            {
                session.Trace(string.Create(CultureInfo.InvariantCulture, $"sample {i + 1} accepted: score {verdict.Score:F3} ≥ {threshold}"));
                return session.Finish(candidates, candidate, candidates.Count);
            }
            session.Trace(string.Create(CultureInfo.InvariantCulture, $"sample {i + 1} rejected: score {verdict.Score:F3}{(candidate.Answer is null ? ", no answer" : "")}"));
        }
    }
}
