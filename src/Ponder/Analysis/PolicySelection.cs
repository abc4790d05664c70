namespace Ponder.Analysis;

/// <summary>A configuration: a strategy with its options (JSON as <c>StrategyRegistry</c> reads it), at any budget.</summary>
/// <param name="Strategy">The strategy's registered name.</param>
/// <param name="Options">Its options as a JSON object.</param>
public sealed record Configuration(string Strategy, string Options);

/// <summary>How one configuration did on one problem at one budget.</summary>
/// <param name="ProblemId">The problem.</param>
/// <param name="Configuration">What ran.</param>
/// <param name="Budget">Budget in generations.</param>
/// <param name="Accuracy">Correctness, or the expected correctness over subsets of a pool (in [0, 1]).</param>
/// <param name="Flops">FLOPs spent (policy and verifier), as the policy would spend them (with a predicted-difficulty pilot).</param>
public sealed record Outcome(string ProblemId, Configuration Configuration, int Budget, double Accuracy, double Flops);

/// <summary>
/// The calibration split as policy selection sees it: the outcomes of every configuration on its problems and each
/// problem's solvability statistic. Selection takes nothing else, so it cannot read test labels.
/// </summary>
/// <param name="Outcomes">Every configuration's outcome on every calibration problem and budget.</param>
/// <param name="Solvability">Each calibration problem's difficulty statistic (higher is easier).</param>
/// <param name="ProblemOf">
/// When the ids are units of problems (a problem met through several pilots, each binned by its own statistic), each
/// unit's problem, so that a choice reports how many problems it rests on; null when every id is a problem.
/// </param>
public sealed record CalibrationSet(IReadOnlyList<Outcome> Outcomes, IReadOnlyDictionary<string, double> Solvability,
    IReadOnlyDictionary<string, string>? ProblemOf = null);

/// <summary>Options of <see cref="PolicySelection.Select"/>. Null properties take the defaults documented on them.</summary>
public sealed record PolicySelectionOptions
{
    /// <summary>How the solvability statistic was measured. Required.</summary>
    public DifficultyMeasure? Difficulty { get; init; }

    /// <summary>Samples of the pilot that predicts the bin. Default <see cref="ComputeOptimalPolicy.DefaultPilotSamples"/>.</summary>
    public int? PilotSamples { get; init; }

    /// <summary>Sampling temperature the pools (and so the pilot) were drawn at. Default 0.8.</summary>
    public float? PilotTemperature { get; init; }

    /// <summary>Difficulty bins. Default 5.</summary>
    public int? Bins { get; init; }

    /// <summary>The model-card name of the step scorer that scored the pilots, recorded in the policy; null when unknown.</summary>
    public string? Verifier { get; init; }

    internal int PilotSamplesOrDefault => PilotSamples ?? ComputeOptimalPolicy.DefaultPilotSamples;
    internal float PilotTemperatureOrDefault => PilotTemperature ?? 0.8f;
    internal int BinsOrDefault => Bins ?? DifficultyBins.DefaultCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending value.</summary>
    public void Validate()
    {
        if (Difficulty is not { } d || !Enum.IsDefined(d)) throw new ArgumentException($"policy selection needs a difficulty measure, got {Difficulty?.ToString() ?? "none"}");
        if (PilotSamples is < 1) throw new ArgumentException($"pilot samples must be ≥ 1, got {PilotSamples}");
        if (PilotTemperature is { } t && (!(t >= 0) || !float.IsFinite(t))) throw new ArgumentException($"pilot temperature must be ≥ 0, got {t}");
        if (Bins is < 1) throw new ArgumentException($"difficulty bins must be ≥ 1, got {Bins}");
    }
}

/// <summary>
/// Compute-optimal policy selection (Snell et al.; DESIGN.md §7): fit quantile difficulty bins on the calibration
/// problems, then for each bin and budget pick the configuration that fits the budget with the best mean calibration
/// accuracy over the bin's problems (ties to fewer FLOPs, then to the smaller run budget, then to the name). A budget is
/// the generations the policy spends on a problem, a predicted-difficulty pilot included: a configuration that reuses the
/// pilot's samples fits from its own budget up, any other only once the pilot and its run fit too. The policy has an
/// entry at every budget some configuration spends, so any budget a solver is given gets the best configuration that
/// fits it, and a bin that calibration solves as well with fewer samples spends fewer. Only configurations with an
/// outcome on every problem of the bin at their budget compete, so every choice compares like with like. The outcomes'
/// FLOPs must be what the policy spends (the pilot included).
/// </summary>
/// <remarks>Pure; thread-safe.</remarks>
public static class PolicySelection
{
    /// <summary>Selects the policy from <paramref name="calibration"/> alone.</summary>
    /// <exception cref="ArgumentException">The options are invalid, the calibration set has no problems, or a budget has no configuration measured on every problem.</exception>
    public static ComputeOptimalPolicy Select(CalibrationSet calibration, PolicySelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var problems = calibration.Solvability.Keys.Order(StringComparer.Ordinal).ToArray();
        if (problems.Length == 0) throw new ArgumentException("policy selection needs calibration problems with a difficulty");
        var bins = DifficultyBins.Fit(problems.Select(p => calibration.Solvability[p]).ToArray(), options.BinsOrDefault);
        var binOf = problems.ToDictionary(p => p, p => bins.BinOf(calibration.Solvability[p]), StringComparer.Ordinal);
        var outcomes = calibration.Outcomes.Where(o => binOf.ContainsKey(o.ProblemId)).ToArray();
        int pilot = options.PilotSamplesOrDefault;
        int Spends(Outcome o) => options.Difficulty == DifficultyMeasure.Predicted
            ? ComputeOptimalPolicy.GenerationsWithPilot(o.Configuration.Strategy, o.Budget, pilot)
            : o.Budget;

        var entries = new List<PolicyEntry>();
        foreach (int budget in outcomes.Select(Spends).Distinct().Order())
            for (int bin = 1; bin <= bins.Count; bin++)
            {
                var members = problems.Where(p => binOf[p] == bin).ToHashSet(StringComparer.Ordinal);
                bool pooled = members.Count == 0;
                if (pooled) members = problems.ToHashSet(StringComparer.Ordinal);
                var best = outcomes.Where(o => Spends(o) <= budget && members.Contains(o.ProblemId))
                    .GroupBy(o => (o.Configuration, o.Budget))
                    .Where(g => g.Select(o => o.ProblemId).Distinct().Count() == members.Count)
                    .Select(g => (g.Key.Configuration, RunBudget: g.Key.Budget, Accuracy: g.Average(o => o.Accuracy), Flops: g.Average(o => o.Flops)))
                    .OrderByDescending(c => c.Accuracy).ThenBy(c => c.Flops).ThenBy(c => c.RunBudget)
                    .ThenBy(c => c.Configuration.Strategy, StringComparer.Ordinal).ThenBy(c => c.Configuration.Options, StringComparer.Ordinal)
                    .Select(c => ((Configuration Configuration, int RunBudget, double Accuracy, double Flops)?)c).FirstOrDefault()
                    ?? throw new ArgumentException($"no configuration was measured on every calibration problem of bin {bin} at budget {budget}");
                int problemCount = calibration.ProblemOf is { } problemOf ? members.Select(m => problemOf[m]).Distinct(StringComparer.Ordinal).Count() : members.Count;
                entries.Add(new PolicyEntry(bin, budget, best.RunBudget, best.Configuration.Strategy, best.Configuration.Options, best.Accuracy, best.Flops,
                    problemCount, pooled));
            }
        var policy = new ComputeOptimalPolicy
        {
            Difficulty = options.Difficulty!.Value, Bins = bins, PilotSamples = pilot,
            PilotTemperature = options.PilotTemperatureOrDefault, Entries = entries.OrderBy(e => e.Bin).ThenBy(e => e.Budget).ToArray(),
            Verifier = options.Verifier,
        };
        policy.Validate();
        return policy;
    }
}
