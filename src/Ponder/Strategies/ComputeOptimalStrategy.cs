using System.Globalization;
using System.Text.Json;
using Ponder.Analysis;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>Options of <see cref="ComputeOptimalStrategy"/>: the policy to apply, and how the pilot samples (temperature excepted).</summary>
public sealed record ComputeOptimalOptions : StrategyOptions
{
    /// <summary>The compute-optimal policy (a file written by <c>ponder report</c>). Required; it must bin by predicted difficulty.</summary>
    public ComputeOptimalPolicy? Policy { get; init; }

    /// <inheritdoc />
    /// <remarks>A generation budget must hold the pilot and the policy's smallest budget.</remarks>
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (Policy is null) throw new ArgumentException("compute-optimal needs a policy (a policy file written by ponder report)");
        Policy.Validate();
        if (Policy.Difficulty != DifficultyMeasure.Predicted)
            throw new ArgumentException("compute-optimal needs a policy that bins by predicted difficulty; an oracle policy bins by the answer, which a solver does not know");
        if (Policy.Entries.FirstOrDefault(e => e.Strategy == ComputeOptimalStrategy.StrategyName) is { } nested)
            throw new ArgumentException($"the policy's entry for bin {nested.Bin} at budget {nested.Budget} is compute-optimal itself");
        if (budget is null) return;
        int generations = RequireGenerations(budget, ComputeOptimalStrategy.StrategyName);
        int smallest = Policy.Budgets[0];
        if (generations < Policy.PilotSamples + smallest)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"compute-optimal needs a budget of at least {Policy.PilotSamples + smallest} generations: a pilot of {Policy.PilotSamples} and the policy's smallest budget {smallest}; got {generations}"));
    }
}

/// <summary>
/// <c>compute-optimal</c> — applies a learned compute-optimal policy (DESIGN.md §7, after Snell et al.): a pilot of
/// samples scored by the PRM predicts the problem's difficulty bin (mean final step score against the policy's
/// calibrated thresholds), then the configuration the policy chose for that bin at the largest budget that fits after
/// the pilot solves the problem.
/// </summary>
/// <remarks>The pilot's generations and scoring are charged to the result like the chosen strategy's, and its samples are
/// not reused: the cost is exactly what the analysis charged the policy. Needs a step scorer (PRM) in the context.</remarks>
public sealed class ComputeOptimalStrategy : IStrategy
{
    /// <summary>The registered name.</summary>
    public const string StrategyName = "compute-optimal";

    // Streams of the solve seed: the pilot's samples and the chosen strategy's run.
    private const ulong PilotStream = 0, ChosenStream = 1;

    private readonly StrategyContext _context;
    private readonly ComputeOptimalOptions _options;
    private readonly ComputeOptimalPolicy _policy;
    private readonly StrategyRegistry _registry = StrategyRegistry.CreateDefault();

    /// <summary>A compute-optimal strategy applying <paramref name="options"/>' policy over <paramref name="context"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">No policy, an oracle policy, no step scorer, or invalid options or context.</exception>
    public ComputeOptimalStrategy(StrategyContext context, ComputeOptimalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        _context = context;
        _options = options ?? new();
        _options.Validate();
        _policy = _options.Policy!;
        if (context.StepScorer is null) throw new ArgumentException("compute-optimal needs a step scorer (PRM) in the context to predict difficulty");
    }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public async Task<StrategyResult> SolveAsync(Problem problem, Budget budget, ulong seed, CancellationToken cancellationToken = default)
    {
        SolveSession.ValidateArguments(problem, budget, _options);
        var session = new SolveSession(Name, _context, problem, budget, seed, cancellationToken);

        var pilot = await session.GenerateAsync("", _policy.PilotSamples, SplitMix64.Derive(seed, PilotStream), _options,
            _options.MaxTokensOrDefault, stopAtStep: false, temperature: _policy.PilotTemperature).ConfigureAwait(false);
        var verdicts = await session.ScoreAllAsync(pilot.Select(c => c.Text), VerifierKind.Steps, ScoreAggregation.Last).ConfigureAwait(false);
        double solvability = verdicts.Average(v => v.Score);
        int bin = _policy.Bins.BinOf(solvability);
        var entry = _policy.Choose(bin, budget.Generations!.Value - _policy.PilotSamples)!;
        session.Trace(string.Create(CultureInfo.InvariantCulture,
            $"pilot of {pilot.Count}: mean final PRM score {solvability:F3} → bin {bin}; running {entry.Strategy} {entry.Options} at budget {entry.Budget}"));

        IStrategy chosen;
        using (var options = JsonDocument.Parse(entry.Options)) chosen = _registry.Create(entry.Strategy, _context, options.RootElement);
        var result = await chosen.SolveAsync(problem, Budget.OfGenerations(entry.Budget), SplitMix64.Derive(seed, ChosenStream), cancellationToken).ConfigureAwait(false);
        // The chosen strategy kept its own ledger; its calls join this one after the pilot's, so the totals cover both.
        foreach (var call in result.Calls) session.Ledger.Add(call with { CallIndex = session.Ledger.NextCallIndex() });
        foreach (string line in result.Trace) session.Trace($"{entry.Strategy}: {line}");
        var chosenCandidate = result.ChosenIndex is { } index ? result.Candidates[index] : null;
        return session.Finish(result.Candidates, chosenCandidate, _policy.PilotSamples + result.GenerationsUsed, result.IsCorrect);
    }
}
