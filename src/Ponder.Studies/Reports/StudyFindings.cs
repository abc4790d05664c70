using Ponder.Analysis;

namespace Ponder.Studies.Reports;

/// <summary>Coverage, majority@k and best-of-k versus k on one difficulty level, with the fitted coverage law.</summary>
/// <param name="Level">The difficulty level.</param>
/// <param name="Problems">Problems of the level.</param>
/// <param name="Ks">The sample counts k (log-spaced up to the smallest pool).</param>
/// <param name="Coverage">Mean unbiased pass@k over problems, with a bootstrap interval over problems, per k.</param>
/// <param name="Majority">majority@k by subsampling, per k.</param>
/// <param name="BestOfN">Naive best-of-k by PRM score, per k; null when the pools have no scores.</param>
/// <param name="WeightedBestOfN">Weighted best-of-k, per k; null when the pools have no scores.</param>
/// <param name="Law">The fitted coverage law and its extrapolation; null when it cannot be fitted.</param>
public sealed record LevelScaling(int Level, int Problems, IReadOnlyList<int> Ks, IReadOnlyList<Interval> Coverage, IReadOnlyList<Interval> Majority,
    IReadOnlyList<Interval>? BestOfN, IReadOnlyList<Interval>? WeightedBestOfN, CoverageLawEstimate? Law);

/// <summary>One configuration at one budget on the evaluation split.</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Options">Its options (JSON as the registry reads them).</param>
/// <param name="Label">How charts and tables name the configuration.</param>
/// <param name="Budget">Budget in generations.</param>
/// <param name="Problems">Problems measured.</param>
/// <param name="Flops">Mean FLOPs per problem (policy and verifier).</param>
/// <param name="Accuracy">Mean accuracy with a bootstrap interval over problems.</param>
public sealed record StrategyPoint(string Strategy, string Options, string Label, int Budget, int Problems, double Flops, Interval Accuracy);

/// <summary>A policy's figures on the test split at one budget.</summary>
/// <param name="Budget">The policy budget.</param>
/// <param name="Problems">Test problems evaluated.</param>
/// <param name="Flops">Mean FLOPs per problem, the pilot's included when it is charged.</param>
/// <param name="Accuracy">Mean accuracy with a bootstrap interval over problems.</param>
public sealed record PolicyTestPoint(int Budget, int Problems, double Flops, Interval Accuracy);

/// <summary>A policy's test accuracy on one bin at one budget.</summary>
/// <param name="Bin">The difficulty bin.</param>
/// <param name="Budget">The policy budget.</param>
/// <param name="Problems">Test problems in the bin.</param>
/// <param name="Accuracy">Their mean accuracy.</param>
/// <param name="Flops">Their mean FLOPs, the pilot's included when it is charged.</param>
public sealed record PolicyBinResult(int Bin, int Budget, int Problems, double Accuracy, double Flops);

/// <summary>A compute-optimal policy chosen on the calibration split and evaluated on the test split.</summary>
/// <param name="Policy">The policy.</param>
/// <param name="Test">Its test figures per budget.</param>
/// <param name="PerBin">Its test figures per bin and budget.</param>
/// <param name="PerProblem">Its outcome on every test problem per budget ("@budget"), as <see cref="Outcomes"/> reads them.</param>
/// <param name="PilotCharged">Whether the pilot's FLOPs are in the test figures (predicted difficulty) or not (oracle).</param>
/// <param name="ChosenOnTest">True for <see cref="StudyFindings.InSamplePolicy"/>: chosen on the test split itself, an
/// optimistic reference, not a policy that could be deployed.</param>
public sealed record PolicyFindings(ComputeOptimalPolicy Policy, IReadOnlyList<PolicyTestPoint> Test, IReadOnlyList<PolicyBinResult> PerBin,
    IReadOnlyList<(string Label, IReadOnlyDictionary<string, ProblemOutcome> ByProblem)> PerProblem, bool PilotCharged, bool ChosenOnTest = false)
{
    /// <summary>The policy's test curve problem by problem, for intervals on what is read off it.</summary>
    public ProblemCurve Outcomes => new(Name, PerProblem);

    /// <summary>The policy's accuracy-versus-FLOPs curve on the test split (the means of <see cref="Outcomes"/>).</summary>
    public AccuracyCurve Curve => Outcomes.Mean();

    /// <summary>"compute-optimal (predicted)", "compute-optimal (oracle)" or "compute-optimal (predicted, chosen on test)".</summary>
    public string Name => $"compute-optimal ({(Policy.Difficulty == DifficultyMeasure.Predicted ? "predicted" : "oracle")}{(ChosenOnTest ? ", chosen on test" : "")})";
}

/// <summary>The learned verifier against the exact checker, overall and per level.</summary>
/// <param name="Overall">Over every scored sample.</param>
/// <param name="PerLevel">Per difficulty level.</param>
public sealed record VerifierFindings(VerifierQuality Overall, IReadOnlyList<(int Level, VerifierQuality Quality)> PerLevel);

/// <summary>Small model with test-time compute versus the large model at matched FLOPs, per bin.</summary>
/// <param name="SmallModel">The small policy.</param>
/// <param name="LargeModel">The large policy.</param>
/// <param name="ParameterRatio">M = N_large / N_small; null when either model's parameters are unknown.</param>
/// <param name="SmallCurve">What the small model's curve per bin is (e.g. the compute-optimal policy on test).</param>
/// <param name="LargeConfiguration">What the large model's point per bin is (e.g. majority at budget 1).</param>
/// <param name="Rows">One row per bin and R (null R: inference FLOPs only).</param>
public sealed record FlopsMatchedFindings(string SmallModel, string LargeModel, double? ParameterRatio, string SmallCurve, string LargeConfiguration,
    IReadOnlyList<FlopsMatchedRow> Rows);

/// <summary>Everything the analysis of a study found; what the report renders and summary.json holds.</summary>
public sealed record StudyFindings
{
    /// <summary>The small policy whose test-time compute is studied.</summary>
    public required string SmallModel { get; init; }

    /// <summary>The split the curves are measured on (Test when there is one).</summary>
    public required string EvaluationSplit { get; init; }

    /// <summary>Scaling with samples per difficulty level.</summary>
    public required IReadOnlyList<LevelScaling> Levels { get; init; }

    /// <summary>Every configuration at every budget on the evaluation split (coverage excluded: it needs an oracle).</summary>
    public required IReadOnlyList<StrategyPoint> Points { get; init; }

    /// <summary>The accuracy-versus-FLOPs Pareto frontier of <see cref="Points"/>.</summary>
    public required IReadOnlyList<ComputePoint> Frontier { get; init; }

    /// <summary>The policy on predicted difficulty (mean PRM score of a pilot); null without PRM scores or a calibration split.</summary>
    public PolicyFindings? PredictedPolicy { get; init; }

    /// <summary>The policy on oracle difficulty (an upper bound); null without a calibration split.</summary>
    public PolicyFindings? OraclePolicy { get; init; }

    /// <summary>The baselines' accuracy-versus-FLOPs curves on the evaluation split (majority, best-of-n, weighted-best-of-n where run).</summary>
    public required IReadOnlyList<AccuracyCurve> Baselines { get; init; }

    /// <summary>The headline policy (predicted when there is one, else oracle) versus weighted best-of-N.</summary>
    public EfficiencyComparison? EfficiencyVsWeightedBestOfN { get; init; }

    /// <summary>The headline policy versus majority vote.</summary>
    public EfficiencyComparison? EfficiencyVsMajority { get; init; }

    /// <summary>
    /// The oracle-difficulty policy versus weighted best-of-N when the headline is the predicted policy: an upper bound
    /// (binning by the answer is not deployable); null otherwise.
    /// </summary>
    public EfficiencyComparison? OracleUpperBoundVsWeightedBestOfN { get; init; }

    /// <summary>The oracle-difficulty policy versus majority vote when the headline is the predicted policy (an upper bound).</summary>
    public EfficiencyComparison? OracleUpperBoundVsMajority { get; init; }

    /// <summary>
    /// The predicted-difficulty selection made on the test split itself (bins and choices): what the headline would be
    /// without selection noise. It reads test labels, so it is an optimistic reference, not a result; and it maximises
    /// accuracy per bin and budget, not the multiplier, so it bounds neither. Null without a predicted policy.
    /// </summary>
    public PolicyFindings? InSamplePolicy { get; init; }

    /// <summary>The in-sample policy versus weighted best-of-N.</summary>
    public EfficiencyComparison? InSampleVsWeightedBestOfN { get; init; }

    /// <summary>The in-sample policy versus majority vote.</summary>
    public EfficiencyComparison? InSampleVsMajority { get; init; }

    /// <summary>Small versus large at matched FLOPs; null without a large model's run on the evaluation split.</summary>
    public FlopsMatchedFindings? FlopsMatched { get; init; }

    /// <summary>The PRM against the exact checker; null without PRM scores.</summary>
    public VerifierFindings? Verifier { get; init; }

    /// <summary>One line per section left out or figure qualified, saying why.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>The policy the headline figures use: predicted when there is one, else oracle.</summary>
    public PolicyFindings? HeadlinePolicy => PredictedPolicy ?? OraclePolicy;
}
