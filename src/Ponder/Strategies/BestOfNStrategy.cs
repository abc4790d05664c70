using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="BestOfNStrategy"/> and <see cref="WeightedBestOfNStrategy"/>.</summary>
public sealed record BestOfNOptions : StrategyOptions
{
    /// <summary>Which verifier scores the samples. Default: the step scorer (PRM) when the context has one, else the outcome scorer.</summary>
    public VerifierKind? Verifier { get; init; }

    /// <summary>How a PRM's step scores become a solution's score. Default <see cref="ScoreAggregation.Last"/>.</summary>
    public ScoreAggregation? Aggregation { get; init; }

    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        VerifierChoice.Validate(Verifier, Aggregation);
    }
}

/// <summary>
/// <c>best-of-n</c> — naive best-of-N: N independent samples, each scored by the verifier (a PRM's step scores
/// aggregated by last, min, prod or mean; or an outcome scorer); the highest-scored sample with an answer wins, ties to
/// the earliest (when no sample has an answer, the highest-scored of all). A lone sample is not scored: it is the choice.
/// </summary>
/// <remarks>Samples exactly as <see cref="RepeatedSamplingStrategy"/> does. Under a FLOP budget each sample reserves a
/// worst-case scoring as well, even one that ends up alone and unscored (how many fit is decided before sampling).</remarks>
public sealed class BestOfNStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "best-of-n";

    private readonly StrategyContext _context;
    private readonly BestOfNOptions _options;
    private readonly VerifierKind _verifier;

    /// <summary>A best-of-N strategy over <paramref name="context"/>'s policy and verifier.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context lacks the verifier, or the context or options are invalid.</exception>
    public BestOfNStrategy(StrategyContext context, BestOfNOptions? options = null)
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
        var chosen = CandidateSelection.Highest(candidates);
        session.Trace(candidates.Length == 1 ? "1 sample, the choice without scoring"
            : $"{candidates.Length} samples scored by the {(_verifier == VerifierKind.Steps ? "PRM" : "outcome scorer")}; best #{chosen?.Index} scored {chosen?.Score:F3}");
        return session.Finish(candidates, chosen, candidates.Length);
    }
}
