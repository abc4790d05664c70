using System.Globalization;
using System.Numerics;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="AdaptiveConsistencyStrategy"/>.</summary>
public sealed record AdaptiveConsistencyOptions : StrategyOptions
{
    /// <summary>Stop once the posterior probability that the leading answer is the mode reaches this. Default 0.95.</summary>
    public double? Threshold { get; init; }

    /// <summary>Samples drawn between stopping checks. Default 1.</summary>
    public int? BatchSize { get; init; }

    /// <inheritdoc />
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (Threshold is { } t && !(t is > 0.5 and <= 1))
            throw new ArgumentException($"threshold must be in (0.5, 1], got {t}");
        if (BatchSize is < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}");
    }
}

/// <summary>
/// <c>adaptive-consistency</c> — Adaptive-Consistency (Aggarwal et al.) with the Beta stopping rule: samples are drawn a
/// batch at a time (one by default), and after each batch, with v1 ≥ v2 the counts of the two most frequent answers
/// (v2 = 0 with a single answer), sampling stops when
/// P = ∫_{0.5}^{1} x^{v1}(1−x)^{v2} dx / ∫_0^1 x^{v1}(1−x)^{v2} dx ≥ threshold (0.95), or when the budget is spent.
/// The answer is the majority vote over the samples drawn (ties to the answer seen first).
/// </summary>
/// <remarks>
/// Batch b has seed Derive(seed, b). The Dirichlet rule for three or more answers is not implemented: the Beta rule on the
/// top two counts is the paper's recommended default. Works with generation and FLOP budgets.
/// </remarks>
public sealed class AdaptiveConsistencyStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "adaptive-consistency";

    private readonly StrategyContext _context;
    private readonly AdaptiveConsistencyOptions _options;

    /// <summary>An adaptive-consistency strategy over <paramref name="context"/>'s policy and answer key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context or options are invalid.</exception>
    public AdaptiveConsistencyStrategy(StrategyContext context, AdaptiveConsistencyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        _context = context;
        _options = options ?? new();
        _options.Validate();
    }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <summary>
    /// The Beta stopping statistic: with x ~ Beta(v1 + 1, v2 + 1), P(x &gt; 1/2) = ∫_{0.5}^{1} x^{v1}(1−x)^{v2} dx / B(v1+1, v2+1).
    /// For integer counts this equals P(Binomial(v1 + v2 + 1, 1/2) ≤ v1) = Σ_{j=0}^{v1} C(n, j) / 2^n with n = v1 + v2 + 1,
    /// summed exactly in integers and rounded once to a double.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static double BetaStoppingProbability(int v1, int v2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(v1);
        ArgumentOutOfRangeException.ThrowIfNegative(v2);
        int n = v1 + v2 + 1;
        BigInteger choose = 1, sum = 0;
        for (int j = 0; j <= v1; j++)
        {
            if (j > 0) choose = choose * (n - j + 1) / j;
            sum += choose;
        }
        // sum / 2^n without overflow: keep the top 64 bits of the sum and scale by the power of two.
        int shift = (int)Math.Max(0, sum.GetBitLength() - 64);
        return Math.ScaleB((double)(sum >> shift), shift - n);
    }

    /// <inheritdoc />
    public async Task<StrategyResult> SolveAsync(Problem problem, Budget budget, ulong seed, CancellationToken cancellationToken = default)
    {
        SolveSession.ValidateArguments(problem, budget, _options);
        var session = new SolveSession(Name, _context, problem, budget, seed, cancellationToken);
        double threshold = _options.Threshold ?? 0.95;
        int batchSize = _options.BatchSize ?? 1, maxTokens = _options.MaxTokensOrDefault;

        var candidates = new List<Candidate>();
        int? promptTokens = null;
        for (ulong batch = 0; ; batch++)
        {
            int count = session.SamplesThatFit(batchSize, candidates.Count, promptTokens, maxTokens, verifier: null);
            if (count == 0)
            {
                session.Trace($"budget spent after {candidates.Count} samples");
                break;
            }
            var samples = await session.GenerateAsync("", count, SplitMix64.Derive(seed, batch), _options, maxTokens, stopAtStep: false).ConfigureAwait(false);
            promptTokens = samples[0].PromptTokens;
            foreach (var s in samples) candidates.Add(session.NewCandidate(candidates.Count, s.Text, s.FinishReason));

            var counts = CandidateSelection.GroupByAnswer(candidates, _context.AnswerKey).Select(g => g.Count).OrderDescending().ToArray();
            int v1 = counts.ElementAtOrDefault(0), v2 = counts.ElementAtOrDefault(1);
            double p = BetaStoppingProbability(v1, v2);
            session.Trace(string.Create(CultureInfo.InvariantCulture, $"{candidates.Count} samples: top counts {v1}, {v2}; P(mode) = {p:F4}"));
            if (v1 > 0 && p >= threshold) break;
        }
        return session.Finish(candidates, CandidateSelection.Majority(candidates, _context.AnswerKey), candidates.Count);
    }
}
