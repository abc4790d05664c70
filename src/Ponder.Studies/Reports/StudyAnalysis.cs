// The analysis of a study (DESIGN.md §7) from its runs: scaling with samples per level and the coverage law; every
// configuration's accuracy and FLOPs with the Pareto frontier; the compute-optimal policies chosen on the calibration
// split and evaluated on the test split; the efficiency multipliers; small versus large at matched FLOPs; and the PRM
// against the exact checker. Policy selection sees only a CalibrationSet built from the calibration run: test labels
// are read afterwards, to evaluate.

using System.Globalization;
using Ponder.Analysis;
using Ponder.Scoring;
using Ponder.Strategies;
using Ponder.Studies.Store;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Reports;

/// <summary>Options of <see cref="StudyAnalysis.Run"/>. Null properties take the defaults documented on them.</summary>
public sealed record StudyAnalysisOptions
{
    /// <summary>Seed of the subset draws and bootstrap resamples. Default 1.</summary>
    public ulong? Seed { get; init; }

    /// <summary>
    /// Pilot samples whose mean final PRM score predicts difficulty; charged to the policy, and reused as the first
    /// candidates of a sampling configuration. Default <see cref="ComputeOptimalPolicy.DefaultPilotSamples"/>.
    /// </summary>
    public int? PilotSamples { get; init; }

    /// <summary>Random subsets per k for majority@k and best-of-k. Default 64.</summary>
    public int? Subsets { get; init; }

    /// <summary>
    /// Pilots per problem the predicted-difficulty policy is judged over (and chosen with): its pilot is any P samples of
    /// the problem, so its figures are expectations over P-subsets of the pool, as the baselines' are over subsets.
    /// Every subset when there are at most this many. Default 120: every pair of a pool of 16, so with the default pilot
    /// of 2 the figures are the exact expectation over pilots.
    /// </summary>
    public int? PilotDraws { get; init; }

    /// <summary>Bootstrap resamples over problems. Default 1000.</summary>
    public int? Resamples { get; init; }

    /// <summary>PRM score at or above which the verifier accepts a sample. Default <see cref="VerifierQuality.DefaultThreshold"/>.</summary>
    public double? VerifierThreshold { get; init; }

    /// <summary>The small policy. Default: the model with a calibration run, else the one with the fewest parameters.</summary>
    public string? SmallModel { get; init; }

    /// <summary>The large policy. Default: the other model with a run on the evaluation split, if any.</summary>
    public string? LargeModel { get; init; }

    /// <summary>Ratios R = D_inference / D_pretrain for the FLOPs-matched comparison. Default 0.1, 1, 10.</summary>
    public IReadOnlyList<double>? InferenceToPretraining { get; init; }

    /// <summary>Extracts and compares answers in the pools. Default: the arith answer key.</summary>
    public IAnswerKey? AnswerKey { get; init; }

    internal ulong SeedOrDefault => Seed ?? 1;
    internal int PilotSamplesOrDefault => PilotSamples ?? ComputeOptimalPolicy.DefaultPilotSamples;
    internal int SubsetsOrDefault => Subsets ?? 64;
    internal int PilotDrawsOrDefault => PilotDraws ?? 120;
    internal int ResamplesOrDefault => Resamples ?? Bootstrap.DefaultResamples;
    internal double VerifierThresholdOrDefault => VerifierThreshold ?? VerifierQuality.DefaultThreshold;
    internal IReadOnlyList<double> RatiosOrDefault => InferenceToPretraining ?? FlopsMatched.DefaultRatios;
    internal IAnswerKey AnswerKeyOrDefault => AnswerKey ?? ArithAnswerKey.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending value.</summary>
    public void Validate()
    {
        if (PilotSamples is < 1) throw new ArgumentException($"pilot samples must be ≥ 1, got {PilotSamples}");
        if (Subsets is < 1) throw new ArgumentException($"subsets must be ≥ 1, got {Subsets}");
        if (PilotDraws is < 1) throw new ArgumentException($"pilot draws must be ≥ 1, got {PilotDraws}");
        if (Resamples is < 1) throw new ArgumentException($"bootstrap resamples must be ≥ 1, got {Resamples}");
        if (VerifierThreshold is { } t && !(t >= 0 && t <= 1)) throw new ArgumentException($"verifier threshold must be in [0, 1], got {t}");
        if (InferenceToPretraining is { } ratios && ratios.Any(r => !(r > 0)))
            throw new ArgumentException($"every R = D_inference / D_pretrain must be > 0, got {string.Join(", ", ratios)}");
    }
}

/// <summary>Runs the analysis of a study. Pure apart from its inputs; thread-safe.</summary>
public static class StudyAnalysis
{
    private const string Coverage = RepeatedSamplingStrategy.StrategyName;

    /// <summary>
    /// The random stream of problem <paramref name="index"/>'s draws: its pilots' from stream <see cref="PilotStream"/>
    /// of it, the fresh samples joining pilot k from stream k.
    /// </summary>
    private static ulong ProblemStream(StudyAnalysisOptions options, ulong index) => SplitMix64.Derive(options.SeedOrDefault, index);

    private const ulong PilotStream = ulong.MaxValue;

    /// <summary>Analyses <paramref name="data"/>; sections whose data is missing are left out with a note.</summary>
    /// <exception cref="ArgumentException">Invalid options, no runs, or a named model without runs.</exception>
    public static StudyFindings Run(StudyData data, StudyAnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new();
        options.Validate();
        if (data.Runs.Count == 0) throw new ArgumentException("the study has no runs to analyse");
        var notes = new List<string>();
        string small = options.SmallModel ?? DefaultSmallModel(data);
        var smallRuns = data.Runs.Where(r => r.Model == small).ToArray();
        if (smallRuns.Length == 0) throw new ArgumentException($"no run of model {small}; runs are of {string.Join(", ", data.Runs.Select(r => r.Model).Distinct())}");
        var evaluation = new RunView(smallRuns.FirstOrDefault(r => r.IsTest) ?? smallRuns[0]);
        var calibrationRun = smallRuns.FirstOrDefault(r => r.IsCalibration);
        var calibration = calibrationRun is null ? null : new RunView(calibrationRun);
        if (!evaluation.Run.IsTest) notes.Add($"No test split of {small}: curves are measured on the {evaluation.Run.Split} split.");
        ulong seed = options.SeedOrDefault;

        var levels = LevelScalings(evaluation, options, notes);
        var points = StrategyPoints(evaluation, seed, options.ResamplesOrDefault);
        var frontier = ParetoFrontier.Of(points.Select(p => new ComputePoint($"{p.Label} @{p.Budget}", p.Flops, p.Accuracy.Estimate)));

        PolicyFindings? predicted = null, oracle = null;
        if (calibration is null || !evaluation.Run.IsTest)
            notes.Add("No calibration and test splits of the small model: the compute-optimal policy, its efficiency and the per-bin table are left out.");
        else
        {
            oracle = Policy(DifficultyMeasure.Oracle, calibration, evaluation, options, notes);
            int pilot = options.PilotSamplesOrDefault;
            string? missing = !(calibration.AllScored && evaluation.AllScored) ? "Some pools lack verifier scores"
                : !(calibration.PoolsHold(pilot) && evaluation.PoolsHold(pilot)) ? $"Some pools are smaller than the pilot of {pilot} samples"
                : !(calibration.CanPricePilot && evaluation.CanPricePilot) ? "The stores record no model cards to price the pilot with (stores written before runs recorded them)"
                : null;
            if (missing is null) predicted = Policy(DifficultyMeasure.Predicted, calibration, evaluation, options, notes);
            else notes.Add(missing + ": the policy on predicted difficulty is left out; headline figures use the oracle-difficulty policy, an upper bound.");
        }

        var baselines = new[] { MajorityVoteStrategy.StrategyName, BestOfNStrategy.StrategyName, WeightedBestOfNStrategy.StrategyName }
            .Select(name => BaselineCurve(evaluation, name, notes)).OfType<ProblemCurve>().ToArray();
        var headline = predicted ?? oracle;
        EfficiencyComparison? Versus(string baseline, PolicyFindings? policy)
        {
            var curve = baselines.FirstOrDefault(c => c.Name == baseline);
            if (policy is null) return null;
            if (curve is null)
            {
                if (policy == headline) notes.Add($"No {baseline} runs: the efficiency multiplier against it is left out.");
                return null;
            }
            var comparison = EfficiencyMultiplier.Compare(curve, policy.Outcomes, SplitMix64.Derive(seed, 0xEFF), options.ResamplesOrDefault);
            if (comparison is null) notes.Add($"{policy.Name} never reaches {baseline}'s accuracy: no efficiency multiplier against it.");
            else if (comparison.LowerBound)
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"{policy.Name} is above {baseline}'s best accuracy ({comparison.AccuracyHigh:F3}) already at its cheapest point: the multiplier against it, {comparison.GeometricMean:F2}×, is a lower bound (that accuracy for what the policy's cheapest point spends)."));
            return comparison;
        }
        var upperBound = predicted is null ? null : oracle;
        // The same selection made on the test split itself: it reads test labels, so it is no policy but an optimistic
        // reference (no selection noise). Its notes would repeat the predicted policy's.
        var inSample = predicted is null ? null : Policy(DifficultyMeasure.Predicted, evaluation, evaluation, options, []) is { } chosen ? chosen with { ChosenOnTest = true } : null;

        return new StudyFindings
        {
            SmallModel = small,
            EvaluationSplit = evaluation.Run.Split,
            Levels = levels,
            Points = points,
            Frontier = frontier,
            PredictedPolicy = predicted,
            OraclePolicy = oracle,
            Baselines = baselines.Select(b => b.Mean()).ToArray(),
            EfficiencyVsWeightedBestOfN = Versus(WeightedBestOfNStrategy.StrategyName, headline),
            EfficiencyVsMajority = Versus(MajorityVoteStrategy.StrategyName, headline),
            OracleUpperBoundVsWeightedBestOfN = Versus(WeightedBestOfNStrategy.StrategyName, upperBound),
            OracleUpperBoundVsMajority = Versus(MajorityVoteStrategy.StrategyName, upperBound),
            InSamplePolicy = inSample,
            InSampleVsWeightedBestOfN = Versus(WeightedBestOfNStrategy.StrategyName, inSample),
            InSampleVsMajority = Versus(MajorityVoteStrategy.StrategyName, inSample),
            FlopsMatched = FlopsMatchedComparison(data, small, evaluation, headline, options, notes),
            Verifier = Verifier(evaluation, options, notes),
            Notes = notes,
        };
    }

    private static string DefaultSmallModel(StudyData data)
    {
        var models = data.Runs.Select(r => r.Model).Distinct().ToArray();
        var withCalibration = models.Where(m => data.Runs.Any(r => r.Model == m && r.IsCalibration)).ToArray();
        if (withCalibration.Length == 1) return withCalibration[0];
        return models.OrderBy(m => data.Models.TryGetValue(m, out var facts) ? facts.Parameters : long.MaxValue).ThenBy(m => m, StringComparer.Ordinal).First();
    }

    // ── Scaling with samples ───────────────────────────────────────────────────────────────────────────────────────

    private static List<LevelScaling> LevelScalings(RunView run, StudyAnalysisOptions options, List<string> notes)
    {
        var key = options.AnswerKeyOrDefault;
        ulong seed = options.SeedOrDefault;
        int resamples = options.ResamplesOrDefault;
        var scalings = new List<LevelScaling>();
        bool scored = run.AllScored;
        foreach (var level in run.Problems.Where(run.Pools.ContainsKey).GroupBy(p => run.Levels[p]).OrderBy(g => g.Key))
        {
            var problems = level.ToArray();
            var ks = CoverageLaw.LogSpacedK(problems.Min(p => run.Pools[p].Length));
            var pools = problems.Select(p => run.Pools[p].Select((s, i) => s.AsCandidate(i)).ToArray()).ToArray();
            IReadOnlyList<Interval> Series(PoolRule rule) => ks.Select(k => Bootstrap.Mean(
                pools.Select((pool, i) => rule == PoolRule.Coverage
                    ? PassAtK.Estimate(pool.Length, pool.Count(c => c.IsCorrect == true), k)
                    : PoolEstimators.Estimate(pool, k, rule, key, options.SubsetsOrDefault, SplitMix64.Derive(seed, (ulong)i))).ToArray(),
                SplitMix64.Derive(seed, (ulong)k), resamples)).ToArray();
            var counts = pools.Select(pool => (pool.Length, pool.Count(c => c.IsCorrect == true))).ToArray();
            var law = CoverageLaw.Estimate(counts, SplitMix64.Derive(seed, (ulong)level.Key), resamples: resamples);
            if (law is null) notes.Add($"Level {level.Key}: the coverage law cannot be fitted (too few samples per problem, or no coverage).");
            scalings.Add(new LevelScaling(level.Key, problems.Length, ks, Series(PoolRule.Coverage), Series(PoolRule.Majority),
                scored ? Series(PoolRule.BestOfN) : null, scored ? Series(PoolRule.WeightedBestOfN) : null, law));
        }
        if (scalings.Count == 0) notes.Add("The evaluation run has no pools of samples: the scaling curves and the coverage law are left out.");
        else if (!scored) notes.Add("Some pools lack verifier scores: best-of-k curves are left out.");
        return scalings;
    }

    // ── Configurations, baselines, frontier ───────────────────────────────────────────────────────────────────────

    private static List<StrategyPoint> StrategyPoints(RunView run, ulong seed, int resamples)
    {
        var outcomes = run.Outcomes().ToArray();
        var severalOptions = outcomes.GroupBy(o => (o.Configuration.Strategy, o.Budget))
            .Where(g => g.Select(o => o.Configuration.Options).Distinct().Count() > 1).Select(g => g.Key.Strategy).ToHashSet(StringComparer.Ordinal);
        return outcomes.GroupBy(o => (o.Configuration, o.Budget))
            .OrderBy(g => g.Key.Configuration.Strategy, StringComparer.Ordinal).ThenBy(g => g.Key.Configuration.Options, StringComparer.Ordinal).ThenBy(g => g.Key.Budget)
            .Select(g => new StrategyPoint(g.Key.Configuration.Strategy, g.Key.Configuration.Options,
                Label(g.Key.Configuration, severalOptions.Contains(g.Key.Configuration.Strategy)), g.Key.Budget, g.Count(), g.Average(o => o.Flops),
                Bootstrap.Mean(g.Select(o => o.Accuracy).ToArray(), seed, resamples)))
            .ToList();
    }

    /// <summary>
    /// How charts name a configuration: its strategy, with its options when the strategy ran with several at one budget
    /// (options the sweep derives from the budget, like a beam width, leave one curve per strategy).
    /// </summary>
    private static string Label(Configuration configuration, bool withOptions) =>
        withOptions ? $"{configuration.Strategy} {configuration.Options.Trim('{', '}').Replace("\"", "")}" : configuration.Strategy;

    // The baseline's curve on the problems it measured at every budget (a store resumed with other budgets may lack some).
    private static ProblemCurve? BaselineCurve(RunView run, string strategy, List<string> notes)
    {
        var outcomes = run.Outcomes().Where(o => o.Configuration.Strategy == strategy && o.Flops > 0).ToArray();
        if (outcomes.Length == 0) return null;
        var budgets = outcomes.GroupBy(o => o.Budget).OrderBy(g => g.Key).Select(g => (Budget: g.Key, ByProblem: ByProblem(g))).ToArray();
        var everywhere = budgets.Select(b => b.ByProblem.Keys).Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal)).ToHashSet(StringComparer.Ordinal);
        int measured = budgets.SelectMany(b => b.ByProblem.Keys).Distinct().Count();
        if (everywhere.Count == 0)
        {
            notes.Add($"No problem has {strategy} results at every budget: it is left out as a baseline.");
            return null;
        }
        if (everywhere.Count < measured)
            notes.Add($"{strategy} has results at every budget for {everywhere.Count} of its {measured} problems: its curve is theirs.");
        return new ProblemCurve(strategy, budgets.Select(b => ($"@{b.Budget}",
            (IReadOnlyDictionary<string, ProblemOutcome>)b.ByProblem.Where(kv => everywhere.Contains(kv.Key)).ToDictionary(StringComparer.Ordinal))));
    }

    /// <summary>Each problem's mean FLOPs and accuracy over its outcomes among <paramref name="outcomes"/>.</summary>
    private static IReadOnlyDictionary<string, ProblemOutcome> ByProblem(IEnumerable<Outcome> outcomes) =>
        outcomes.GroupBy(o => o.ProblemId).ToDictionary(g => g.Key, g => new ProblemOutcome(g.Average(o => o.Flops), g.Average(o => o.Accuracy)), StringComparer.Ordinal);

    // ── Compute-optimal policy ─────────────────────────────────────────────────────────────────────────────────────

    private static PolicyFindings? Policy(DifficultyMeasure measure, RunView calibration, RunView test, StudyAnalysisOptions options, List<string> notes)
    {
        int pilot = options.PilotSamplesOrDefault;
        var calibrationUnits = calibration.PolicyUnits(measure, options);
        if (calibrationUnits.Count == 0)
        {
            notes.Add($"No calibration problem has a {measure} difficulty: that policy is left out.");
            return null;
        }
        ComputeOptimalPolicy policy;
        try
        {
            policy = PolicySelection.Select(new CalibrationSet(PolicyOutcomes(calibration, calibrationUnits, measure, options),
                    calibrationUnits.ToDictionary(u => u.Id, u => u.Solvability, StringComparer.Ordinal), calibrationUnits.ToDictionary(u => u.Id, u => u.Problem, StringComparer.Ordinal)),
                new PolicySelectionOptions
                {
                    Difficulty = measure, PilotSamples = pilot, PilotTemperature = calibration.Run.Temperature,
                    Verifier = measure == DifficultyMeasure.Predicted ? calibration.Run.Cards?.Verifier?.Name : null,
                });
        }
        catch (ArgumentException e)
        {
            notes.Add($"The {measure} policy cannot be chosen: {e.Message}.");
            return null;
        }

        // Evaluation on the test split: from here on, test labels are read.
        var testUnits = test.PolicyUnits(measure, options);
        var outcomes = PolicyOutcomes(test, testUnits, measure, options).GroupBy(o => (o.ProblemId, o.Configuration, o.Budget))
            .ToDictionary(g => g.Key, g => (Accuracy: g.Average(o => o.Accuracy), Flops: g.Average(o => o.Flops)));
        var testPoints = new List<PolicyTestPoint>();
        var perBin = new List<PolicyBinResult>();
        var perProblem = new List<(string, IReadOnlyDictionary<string, ProblemOutcome>)>();
        ulong seed = options.SeedOrDefault;
        foreach (int budget in policy.Budgets)
        {
            var measured = new List<(PolicyUnit Unit, int Bin, double Accuracy, double Flops)>();
            var missing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var unit in testUnits)
            {
                // What compute-optimal runs at this generation budget: the bin's entry, which fits it with the pilot.
                int bin = policy.Bins.BinOf(unit.Solvability);
                var entry = policy.Entries.Single(e => e.Bin == bin && e.Budget == budget);
                if (!outcomes.TryGetValue((unit.Id, new Configuration(entry.Strategy, entry.Options), entry.RunBudget), out var outcome)) { missing.Add(unit.Problem); continue; }
                measured.Add((unit, bin, outcome.Accuracy, outcome.Flops));
            }
            if (missing.Count > 0 || measured.Count == 0)
            {
                notes.Add($"The {measure} policy at budget {budget} chose configurations the test run lacks for {missing.Count} problems: that budget is left out of its curve.");
                continue;
            }
            // A problem's outcome is the mean over its pilots; the intervals resample problems.
            var byProblem = measured.GroupBy(m => m.Unit.Problem)
                .ToDictionary(g => g.Key, g => new ProblemOutcome(g.Average(m => m.Flops), g.Average(m => m.Accuracy)), StringComparer.Ordinal);
            testPoints.Add(new PolicyTestPoint(budget, byProblem.Count, byProblem.Values.Average(o => o.Flops),
                Bootstrap.Mean(byProblem.Values.Select(o => o.Accuracy).ToArray(), SplitMix64.Derive(seed, (ulong)budget), options.ResamplesOrDefault)));
            perProblem.Add(($"@{budget}", byProblem));
            perBin.AddRange(measured.GroupBy(m => m.Bin).OrderBy(g => g.Key)
                .Select(g => new PolicyBinResult(g.Key, budget, g.Select(m => m.Unit.Problem).Distinct(StringComparer.Ordinal).Count(), g.Average(m => m.Accuracy), g.Average(m => m.Flops))));
        }
        if (testPoints.Count == 0) return null;
        return new PolicyFindings(policy, testPoints, perBin, perProblem, measure == DifficultyMeasure.Predicted);
    }

    /// <summary>
    /// Every configuration's outcome on every unit of <paramref name="run"/> and budget, as a policy on the units' measure
    /// would spend and score it — one function for the calibration outcomes selection sees and the test outcomes the
    /// policy is judged by; each outcome's problem id is its unit's. Oracle difficulty needs no pilot: the run's rows.
    /// Predicted difficulty runs the unit's pilot of P pool samples, PRM-scored (exactly what <c>compute-optimal</c>
    /// runs): a sampling configuration at budget b keeps them as its first candidates and adds max(0, b − P) samples
    /// drawn from the rest of the pool (accuracy and FLOPs averaged over those draws, prefill charged once per request as
    /// the strategy's two requests pay it); any other configuration is its row plus the pilot's FLOPs.
    /// </summary>
    private static Outcome[] PolicyOutcomes(RunView run, IReadOnlyList<PolicyUnit> units, DifficultyMeasure measure, StudyAnalysisOptions options)
    {
        var rows = run.Outcomes().ToLookup(o => o.ProblemId, StringComparer.Ordinal);
        if (measure == DifficultyMeasure.Oracle) return units.SelectMany(u => rows[u.Problem].Select(o => o with { ProblemId = u.Id })).ToArray();
        var key = options.AnswerKeyOrDefault;
        var cards = run.Run.Cards!;
        var problemIndex = run.Problems.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => (ulong)x.i, StringComparer.Ordinal);
        var pilotsPerProblem = units.GroupBy(u => u.Problem).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var candidates = run.Pools.ToDictionary(p => p.Key, p => p.Value.Select(s => s.AsCandidate(s.Index)).ToArray(), StringComparer.Ordinal);
        return units.SelectMany(unit =>
        {
            var pool = run.Pools[unit.Problem];
            var pilotSamples = unit.Pilot.Select(i => pool[i]).ToArray();
            double pilotFlops = PoolPricing.Generation(pilotSamples, cards.Policy!) + PoolPricing.Scoring(pilotSamples, cards.Verifier!);
            var rest = Enumerable.Range(0, pool.Length).Except(unit.Pilot).ToArray();
            // the problem's subsets spread over its pilots, so that each problem costs what one pilot did
            int freshDraws = Math.Max(1, options.SubsetsOrDefault / pilotsPerProblem[unit.Problem]);
            return rows[unit.Problem].Select(o =>
            {
                if (!ComputeOptimalPolicy.ReusesPilot(o.Configuration.Strategy)) return o with { ProblemId = unit.Id, Flops = o.Flops + pilotFlops };
                var rule = PoolEstimators.RuleOf(o.Configuration.Strategy)!.Value;
                int fresh = Math.Max(0, o.Budget - unit.Pilot.Length);
                var draws = fresh == 0 ? [[]] : PoolSubsets.Draw(rest.Length, fresh, freshDraws, SplitMix64.Derive(ProblemStream(options, problemIndex[unit.Problem]), (ulong)unit.Draw)).Select(d => d.Select(i => rest[i]).ToArray()).ToArray();
                double solved = 0, flops = 0;
                foreach (var draw in draws)
                {
                    var chosen = unit.Pilot.Concat(draw).Select(i => candidates[unit.Problem][i]).ToArray();
                    solved += PoolEstimators.Solves(chosen, rule, key) ? 1 : 0;
                    var drawn = draw.Select(i => pool[i]).ToArray();
                    flops += pilotFlops + PoolPricing.Generation(drawn, cards.Policy!, promptComputedBefore: true) + (rule == PoolRule.Majority ? 0 : PoolPricing.Scoring(drawn, cards.Verifier!, pilotSamples));
                }
                return o with { ProblemId = unit.Id, Accuracy = solved / draws.Length, Flops = flops / draws.Length };
            });
        }).ToArray();
    }

    // ── Small versus large at matched FLOPs ────────────────────────────────────────────────────────────────────────

    private static FlopsMatchedFindings? FlopsMatchedComparison(StudyData data, string small, RunView evaluation, PolicyFindings? policy,
        StudyAnalysisOptions options, List<string> notes)
    {
        var largeRun = data.Runs.FirstOrDefault(r => r.Model != small && r.Split == evaluation.Run.Split && (options.LargeModel is null || r.Model == options.LargeModel));
        if (largeRun is null)
        {
            notes.Add($"No large model run on the {evaluation.Run.Split} split: the FLOPs-matched comparison is left out.");
            return null;
        }
        var large = new RunView(largeRun);
        // The large model's point: one sample (majority at its smallest budget is pass@1 for answered samples).
        var largeOutcomes = large.Outcomes().Where(o => o.Configuration.Strategy == MajorityVoteStrategy.StrategyName).ToArray();
        if (largeOutcomes.Length == 0)
        {
            notes.Add($"The large model's run has no majority rows: the FLOPs-matched comparison is left out.");
            return null;
        }
        int largeBudget = largeOutcomes.Min(o => o.Budget);
        var largeByProblem = largeOutcomes.Where(o => o.Budget == largeBudget).GroupBy(o => o.ProblemId)
            .ToDictionary(g => g.Key, g => (Accuracy: g.Average(o => o.Accuracy), Flops: g.Average(o => o.Flops)));

        // Bins: the headline policy's, applied as it applies them; without a policy, quantiles of the test split's own
        // oracle difficulty (a stratification for reporting only).
        var units = evaluation.PolicyUnits(policy?.Policy.Difficulty ?? DifficultyMeasure.Oracle, options);
        var bins = policy?.Policy.Bins ?? (units.Count > 0 ? DifficultyBins.Fit(units.Select(u => u.Solvability).ToArray()) : null);
        if (bins is null)
        {
            notes.Add("The small model's evaluation run has no pools to bin problems by: the FLOPs-matched comparison is left out.");
            return null;
        }
        if (policy is null) notes.Add("No compute-optimal policy: FLOPs-matched bins are test-split quantiles of oracle difficulty, and the small model's curve is the best configuration per budget chosen on test (optimistic).");

        double? ratio = data.Models.TryGetValue(small, out var s) && data.Models.TryGetValue(largeRun.Model, out var l) ? (double)l.Parameters / s.Parameters : null;
        if (ratio is null) notes.Add($"Parameter counts of {small} or {largeRun.Model} are unknown: the FLOPs-matched comparison with pretraining is left out.");
        else if (ratio < 1)
        {
            notes.Add($"{largeRun.Model} has fewer parameters than {small}: the comparison with pretraining is left out.");
            ratio = null;
        }

        var rows = new List<FlopsMatchedRow>();
        var outcomes = evaluation.Outcomes().ToArray();
        for (int bin = 1; bin <= bins.Count; bin++)
        {
            // a problem counts in a bin once per pilot that bins it there, as in the policy's per-bin figures
            var members = units.Where(u => bins.BinOf(u.Solvability) == bin && largeByProblem.ContainsKey(u.Problem)).Select(u => u.Problem).ToArray();
            if (members.Length == 0) continue;
            var memberSet = members.ToHashSet(StringComparer.Ordinal);
            IEnumerable<ComputePoint> smallPoints = policy is not null
                ? policy.PerBin.Where(b => b.Bin == bin).Select(b => new ComputePoint($"@{b.Budget}", b.Flops, b.Accuracy))
                : outcomes.Where(o => memberSet.Contains(o.ProblemId) && o.Flops > 0).GroupBy(o => (o.Configuration, o.Budget))
                    .Select(g => new ComputePoint($"{g.Key.Configuration.Strategy} @{g.Key.Budget}", g.Average(o => o.Flops), g.Average(o => o.Accuracy)));
            var curvePoints = smallPoints.ToArray();
            if (curvePoints.Length == 0) continue;
            var largePoint = members.Select(p => largeByProblem[p]).ToArray();
            rows.AddRange(FlopsMatched.Compare(bin, largePoint.Average(p => p.Accuracy), largePoint.Average(p => p.Flops),
                new AccuracyCurve($"bin {bin}", curvePoints), ratio, options.RatiosOrDefault));
        }
        return new FlopsMatchedFindings(small, largeRun.Model, ratio, policy?.Name ?? "best configuration per budget (chosen on test)",
            $"majority @{largeBudget}", rows);
    }

    // ── The verifier ───────────────────────────────────────────────────────────────────────────────────────────────

    private static VerifierFindings? Verifier(RunView run, StudyAnalysisOptions options, List<string> notes)
    {
        var scored = run.Problems.Where(run.Pools.ContainsKey)
            .SelectMany(p => run.Pools[p].Where(s => s.Score is not null).Select(s => (Level: run.Levels[p], Score: s.Score!.Value, s.Correct))).ToArray();
        if (scored.Length == 0)
        {
            notes.Add("The pools have no verifier scores: the verifier's completeness, soundness and accuracy ceiling are left out.");
            return null;
        }
        double threshold = options.VerifierThresholdOrDefault;
        return new VerifierFindings(VerifierQuality.Measure(scored.Select(s => (s.Score, s.Correct)), threshold),
            scored.GroupBy(s => s.Level).OrderBy(g => g.Key).Select(g => (g.Key, VerifierQuality.Measure(g.Select(s => (s.Score, s.Correct)), threshold))).ToArray());
    }

    /// <summary>
    /// A problem as a compute-optimal policy meets it: the whole problem (oracle difficulty), or the problem with one draw
    /// of its pilot (predicted difficulty), a policy's figures on the problem being the mean over its pilots.
    /// </summary>
    /// <param name="Id">The unit's id: the problem's, or the problem's with "#draw".</param>
    /// <param name="Problem">The problem.</param>
    /// <param name="Draw">Which of the problem's pilots (numbers its stream of fresh-sample draws).</param>
    /// <param name="Pilot">Pool indices of the pilot's samples; empty for oracle difficulty.</param>
    /// <param name="Solvability">The difficulty statistic (higher is easier).</param>
    private sealed record PolicyUnit(string Id, string Problem, int Draw, int[] Pilot, double Solvability);

    /// <summary>A run indexed for analysis: each problem's level, its largest pool, and its outcomes.</summary>
    private sealed class RunView
    {
        public RunView(StudyRun run)
        {
            Run = run;
            Levels = run.Results.GroupBy(r => r.ProblemId).ToDictionary(g => g.Key, g => g.First().Level, StringComparer.Ordinal);
            Problems = Levels.Keys.Order(StringComparer.Ordinal).ToArray();
            Pools = run.Samples.GroupBy(s => (s.ProblemId, s.Pool)).GroupBy(g => g.Key.ProblemId)
                .Where(g => Levels.ContainsKey(g.Key))
                .ToDictionary(g => g.Key, g => g.MaxBy(pool => pool.Count())!.OrderBy(s => s.Index).ToArray(), StringComparer.Ordinal);
        }

        public StudyRun Run { get; }
        public IReadOnlyDictionary<string, int> Levels { get; }
        public IReadOnlyList<string> Problems { get; }
        public IReadOnlyDictionary<string, PoolSample[]> Pools { get; }

        /// <summary>Every result row but coverage (which needs an oracle, so is no configuration to choose) as an outcome.</summary>
        public IEnumerable<Outcome> Outcomes() => Run.Results.Where(r => r.Strategy != Coverage).Select(r =>
            new Outcome(r.ProblemId, new Configuration(r.Strategy, Sweep.RegistryOptions(r.Strategy, r.Options)), r.Budget, r.Accuracy, r.PolicyFlops + r.VerifierFlops));

        /// <summary>Whether the run has pools and every sample in them has a verifier score.</summary>
        public bool AllScored => Pools.Count > 0 && Pools.Values.All(pool => pool.All(s => s.Score is not null));

        /// <summary>Whether every pool holds at least <paramref name="samples"/> samples.</summary>
        public bool PoolsHold(int samples) => Pools.Values.All(pool => pool.Length >= samples);

        /// <summary>
        /// What a policy on <paramref name="measure"/> bins, with its solvability. Oracle: each problem, by pass@1 over its
        /// whole pool. Predicted: each of a problem's pilots — P-subsets of its pool, all of them when there are at most
        /// <see cref="StudyAnalysisOptions.PilotDraws"/>, else that many drawn at random (independently, so one may
        /// repeat) — by the mean final PRM score of the pilot's samples, the statistic a solver's pilot measures. A pool
        /// with fewer subsets than that gives its problem fewer units, so less weight in selection. Problems without
        /// scored pools are left out.
        /// </summary>
        public IReadOnlyList<PolicyUnit> PolicyUnits(DifficultyMeasure measure, StudyAnalysisOptions options)
        {
            var units = new List<PolicyUnit>();
            int pilot = options.PilotSamplesOrDefault;
            foreach (var (problem, index) in Problems.Select((p, i) => (p, (ulong)i)))
            {
                if (!Pools.TryGetValue(problem, out var pool)) continue;
                if (measure == DifficultyMeasure.Oracle)
                {
                    units.Add(new PolicyUnit(problem, problem, 0, [], pool.Average(s => s.Correct ? 1.0 : 0.0)));
                    continue;
                }
                if (pool.Length < pilot || pool.Any(s => s.Score is null)) continue;
                var pilots = PoolSubsets.Draw(pool.Length, pilot, options.PilotDrawsOrDefault, SplitMix64.Derive(ProblemStream(options, index), PilotStream));
                units.AddRange(pilots.Select((d, k) => new PolicyUnit($"{problem}#{k}", problem, k, d, d.Average(i => pool[i].Score!.Value))));
            }
            return units;
        }

        /// <summary>Whether the run's store recorded the policy's and the PRM's cards, which price a pilot exactly.</summary>
        public bool CanPricePilot => Run.Cards is { Policy: not null, Verifier: not null };
    }

}
