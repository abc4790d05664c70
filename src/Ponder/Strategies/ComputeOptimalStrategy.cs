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
    /// <remarks>
    /// A configuration that reuses the pilot must sample as the pilot does (its temperature, and for best-of-N the PRM as
    /// verifier); a generation budget must hold, in every bin, the pilot and the policy's smallest configuration.
    /// </remarks>
    public override void Validate(Budget? budget = null)
    {
        base.Validate(budget);
        if (Policy is null) throw new ArgumentException("compute-optimal needs a policy (a policy file written by ponder report)");
        Policy.Validate();
        if (Policy.Difficulty != DifficultyMeasure.Predicted)
            throw new ArgumentException("compute-optimal needs a policy that bins by predicted difficulty; an oracle policy bins by the answer, which a solver does not know");
        var registry = StrategyRegistry.CreateDefault();
        foreach (var entry in Policy.Entries)
        {
            if (entry.Strategy == ComputeOptimalStrategy.StrategyName)
                throw new ArgumentException($"the policy's entry for bin {entry.Bin} at budget {entry.Budget} is compute-optimal itself");
            if (!ComputeOptimalPolicy.ReusesPilot(entry.Strategy)) continue;
            using var json = JsonDocument.Parse(entry.Options);
            var options = registry.ParseOptions(entry.Strategy, json.RootElement);
            float temperature = options?.TemperatureOrDefault ?? DefaultTemperature;
            if (temperature != Policy.PilotTemperature)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"the policy's entry for bin {entry.Bin} at budget {entry.Budget} samples at temperature {temperature}, but reuses the pilot's samples drawn at {Policy.PilotTemperature}"));
            if (options is BestOfNOptions { Verifier: VerifierKind.Outcome })
                throw new ArgumentException($"the policy's entry for bin {entry.Bin} at budget {entry.Budget} scores with the outcome scorer, but reuses the pilot's PRM scores");
        }
        if (budget is null) return;
        int generations = RequireGenerations(budget, ComputeOptimalStrategy.StrategyName);
        int needed = Policy.Entries.GroupBy(e => e.Bin).Max(bin => bin.Min(Policy.GenerationsWithPilot));
        if (generations < needed)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"compute-optimal needs a budget of at least {needed} generations: a pilot of {Policy.PilotSamples} and the policy's smallest configuration in every bin; got {generations}"));
    }
}

/// <summary>
/// <c>compute-optimal</c> — applies a learned compute-optimal policy (DESIGN.md §7, after Snell et al.): a pilot of
/// samples scored by the PRM predicts the problem's difficulty bin (mean final step score against the policy's
/// calibrated thresholds), then the configuration the policy chose for that bin, at the largest policy budget that fits
/// with the pilot, solves the problem.
/// </summary>
/// <remarks>
/// A sampling configuration (majority, best-of-n, weighted-best-of-n) takes the pilot's samples and their PRM scores as
/// its first candidates and draws only the rest, so the pilot is not paid twice; any other configuration runs after the
/// pilot. Every call is charged to the result: exactly what the study's analysis charges the policy. Needs a step scorer
/// (PRM) in the context.
/// </remarks>
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
    /// <exception cref="ArgumentException">No policy, an oracle policy, no step scorer, a step scorer other than the one the policy was learned with, or invalid options or context.</exception>
    public ComputeOptimalStrategy(StrategyContext context, ComputeOptimalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        _context = context;
        _options = options ?? new();
        _options.Validate();
        _policy = _options.Policy!;
        if (context.StepScorer is null) throw new ArgumentException("compute-optimal needs a step scorer (PRM) in the context to predict difficulty");
        // The bins are thresholds on one verifier's scores; another's would bin by a different scale.
        if (_policy.Verifier is { } learnedWith && context.StepScorer.Card?.Name is { } scorer && scorer != learnedWith)
            throw new ArgumentException($"the policy's bins were learned on the scores of {learnedWith}; the pilot would be scored by {scorer}");
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
        var entry = _policy.Choose(bin, budget.Generations!.Value)!;
        session.Trace(string.Create(CultureInfo.InvariantCulture,
            $"pilot of {pilot.Count}: mean final PRM score {solvability:F3} → bin {bin}; policy budget {entry.Budget}: {entry.Strategy} {entry.Options} at budget {entry.RunBudget}"));

        if (ComputeOptimalPolicy.ReusesPilot(entry.Strategy)) return await SolveWithPilotAsync(session, entry, pilot, verdicts).ConfigureAwait(false);

        IStrategy chosen;
        using (var options = JsonDocument.Parse(entry.Options)) chosen = _registry.Create(entry.Strategy, _context, options.RootElement);
        var result = await chosen.SolveAsync(problem, Budget.OfGenerations(entry.RunBudget), SplitMix64.Derive(seed, ChosenStream), cancellationToken).ConfigureAwait(false);
        // The chosen strategy kept its own ledger; its calls join this one after the pilot's, so the totals cover both.
        foreach (var call in result.Calls) session.Ledger.Add(call with { CallIndex = session.Ledger.NextCallIndex() });
        foreach (string line in result.Trace) session.Trace($"{entry.Strategy}: {line}");
        var chosenCandidate = result.ChosenIndex is { } index ? result.Candidates[index] : null;
        return session.Finish(result.Candidates, chosenCandidate, _policy.PilotSamples + result.GenerationsUsed, result.IsCorrect);
    }

    // A sampling configuration over the pilot's samples and (run budget − pilot) fresh ones: the candidates and the choice
    // of MajorityVoteStrategy, BestOfNStrategy or WeightedBestOfNStrategy, with the pilot's PRM scores re-aggregated as the
    // configuration aggregates and only the fresh samples scored.
    private async Task<StrategyResult> SolveWithPilotAsync(SolveSession session, PolicyEntry entry, IReadOnlyList<Generation.Continuation> pilot, Verdict[] pilotVerdicts)
    {
        StrategyOptions options;
        using (var json = JsonDocument.Parse(entry.Options)) options = _registry.ParseOptions(entry.Strategy, json.RootElement) ?? new MajorityVoteOptions();
        int fresh = Math.Max(0, entry.RunBudget - pilot.Count);
        var more = fresh == 0 ? [] : await session.GenerateAsync("", fresh, SplitMix64.Derive(session.Seed, ChosenStream), options, options.MaxTokensOrDefault,
            stopAtStep: false).ConfigureAwait(false);
        bool scored = entry.Strategy != MajorityVoteStrategy.StrategyName;
        var aggregation = (options as BestOfNOptions)?.Aggregation ?? ScoreAggregation.Last;
        var moreVerdicts = scored
            ? await session.ScoreAllAsync(more.Select(c => c.Text), VerifierKind.Steps, aggregation).ConfigureAwait(false)
            : new Verdict?[more.Count];
        var verdicts = pilotVerdicts.Select(v => (Verdict?)new Verdict(aggregation.Aggregate(v.StepScores!), v.StepScores)).Concat(moreVerdicts).ToArray();
        var samples = pilot.Concat(more).ToArray();
        var candidates = samples.Select((c, i) => session.NewCandidate(i, c.Text, c.FinishReason, verdicts[i])).ToArray();
        var chosen = entry.Strategy switch
        {
            MajorityVoteStrategy.StrategyName => CandidateSelection.Majority(candidates, _context.AnswerKey),
            BestOfNStrategy.StrategyName => CandidateSelection.Highest(candidates),
            _ => CandidateSelection.Weighted(candidates, _context.AnswerKey),
        };
        session.Trace($"{entry.Strategy}: the pilot's {pilot.Count} samples and {more.Count} more; chose #{chosen?.Index} ({chosen?.Answer ?? "no answer"})");
        return session.Finish(candidates, chosen, candidates.Length);
    }
}
