namespace Ponder.Strategies;

/// <summary>Options of <see cref="RepeatedSamplingStrategy"/>: sampling only.</summary>
public sealed record RepeatedSamplingOptions : StrategyOptions;

/// <summary>
/// <c>sampling</c> — repeated sampling (Large Language Monkeys): N independent samples of the problem. The figure of
/// merit is coverage, whether any sample is right, which needs an oracle: the problem's reference answer.
/// </summary>
/// <remarks>
/// With a generation budget N: one request for N continuations (the prompt is prefilled once). With a FLOP budget:
/// batches while a further sample's worst-case cost still fits. The chosen candidate is the first correct one when the
/// reference answer is known (that is coverage), else the first sample; <see cref="StrategyResult.IsCorrect"/> is coverage.
/// </remarks>
public sealed class RepeatedSamplingStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "sampling";

    private readonly StrategyContext _context;
    private readonly RepeatedSamplingOptions _options;

    /// <summary>A repeated-sampling strategy over <paramref name="context"/>'s policy.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context or options are invalid.</exception>
    public RepeatedSamplingStrategy(StrategyContext context, RepeatedSamplingOptions? options = null)
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
        var chosen = candidates.FirstOrDefault(c => c.IsCorrect == true) ?? candidates.FirstOrDefault();
        bool? covered = problem.ReferenceAnswer is null ? null : candidates.Any(c => c.IsCorrect == true);
        session.Trace($"{candidates.Length} samples, {candidates.Count(c => c.Answer is not null)} with an answer"
            + (covered is null ? "" : $", {candidates.Count(c => c.IsCorrect == true)} correct"));
        return session.Finish(candidates, chosen, candidates.Length, covered);
    }
}
