// What `ponder study` runs, as checked in under studies/ (default.study.json, full.study.json) with CLI overrides: the
// models, the splits, problems per level, strategies and budgets, seeds and temperature. A study is three runs of the
// sweep, each into its own sample store: the small policy on every split with every strategy, and the large policy on
// the test split with a few cheap configurations for the FLOPs-matched comparison.

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Analysis;
using Ponder.Studies.Arith;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Study;

/// <summary>
/// A study's configuration (JSON, camelCase, comments allowed). Null properties take the defaults documented on them.
/// Records: change a copy with <c>with</c>.
/// </summary>
public sealed record StudyConfig
{
    /// <summary>The value of <see cref="LargeModel"/> or <see cref="Prm"/> that leaves that model out of the study.</summary>
    public const string NoModel = "none";

    private static readonly JsonSerializerOptions Json = ConfigJson.Options(new JsonStringEnumConverter());

    /// <summary>The small policy whose test-time compute is studied (builtin:NAME or a GGUF path). Default builtin:arith-small.</summary>
    public string? SmallModel { get; init; }

    /// <summary>The large policy for the FLOPs-matched comparison, or <see cref="NoModel"/>. Default builtin:arith-large.</summary>
    public string? LargeModel { get; init; }

    /// <summary>
    /// The step scorer of the verifier strategies and the predicted-difficulty pilot: a PRM, confidence:MODEL, or
    /// <see cref="NoModel"/>. Default confidence:builtin:arith-small, the small policy judging itself (measured the better
    /// verifier of the two built-in ones: bench/RESULTS.md).
    /// </summary>
    public string? Prm { get; init; }

    /// <summary>Splits of the arith task the small policy runs on; must be Calibration and Test (the policy is chosen on one, judged on the other). Default both.</summary>
    public IReadOnlyList<ArithSplit>? Splits { get; init; }

    /// <summary>Problems per difficulty level and split. Default 20.</summary>
    public int? ProblemsPerLevel { get; init; }

    /// <summary>Strategies of the small policy. Default every sweepable one (those needing a PRM only with one).</summary>
    public IReadOnlyList<string>? Strategies { get; init; }

    /// <summary>Budgets in generations of the sampling strategies (derived from one pool per problem, so cheap). Default 1, 2, 4, 8, 16.</summary>
    public IReadOnlyList<int>? Budgets { get; init; }

    /// <summary>Budgets of the search strategies (beam, DVTS, lookahead, revision, …; each budget a run). Default <see cref="Budgets"/>.</summary>
    public IReadOnlyList<int>? SearchBudgets { get; init; }

    /// <summary>Strategies of the large policy on the test split. Default majority.</summary>
    public IReadOnlyList<string>? LargeStrategies { get; init; }

    /// <summary>Budgets of the large policy. Default 1, 2.</summary>
    public IReadOnlyList<int>? LargeBudgets { get; init; }

    /// <summary>Seed of every random choice. Default 1.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Sampling temperature of every strategy (and of the pilot). Default 0.8.</summary>
    public float? Temperature { get; init; }

    /// <summary>Pilot samples of the predicted-difficulty policy. Default <see cref="ComputeOptimalPolicy.DefaultPilotSamples"/>.</summary>
    public int? PilotSamples { get; init; }

    /// <summary><see cref="SmallModel"/> or its default.</summary>
    public string SmallModelOrDefault => SmallModel ?? "builtin:arith-small";

    /// <summary>The large policy, or null when the study has none.</summary>
    public string? LargeModelOrNull => UnlessNone(LargeModel ?? "builtin:arith-large");

    /// <summary>The PRM, or null when the study has none.</summary>
    public string? PrmOrNull => UnlessNone(Prm ?? "confidence:builtin:arith-small");

    // The arith task without problems: what strategy validation needs to know about the task (it can revise).
    private static readonly StudyTask ArithTaskShape = ArithStrategies.CreateTask([]);

    private static string? UnlessNone(string model) => model == NoModel ? null : model;

    /// <summary><see cref="Splits"/> or the default.</summary>
    public IReadOnlyList<ArithSplit> SplitsOrDefault => Splits ?? [ArithSplit.Calibration, ArithSplit.Test];

    /// <summary><see cref="ProblemsPerLevel"/> or the default.</summary>
    public int ProblemsPerLevelOrDefault => ProblemsPerLevel ?? 20;

    /// <summary><see cref="Strategies"/> or every sweepable strategy (given whether there is a PRM).</summary>
    public IReadOnlyList<string> StrategiesOrDefault => Strategies ?? SweepOptions.Sweepable(ArithTaskShape, PrmOrNull is not null);

    /// <summary><see cref="Budgets"/> or the default.</summary>
    public IReadOnlyList<int> BudgetsOrDefault => Budgets ?? [1, 2, 4, 8, 16];

    /// <summary><see cref="SearchBudgets"/> or <see cref="BudgetsOrDefault"/>.</summary>
    public IReadOnlyList<int> SearchBudgetsOrDefault => SearchBudgets ?? BudgetsOrDefault;

    /// <summary><see cref="LargeStrategies"/> or the default.</summary>
    public IReadOnlyList<string> LargeStrategiesOrDefault => LargeStrategies ?? ["majority"];

    /// <summary><see cref="LargeBudgets"/> or the default.</summary>
    public IReadOnlyList<int> LargeBudgetsOrDefault => LargeBudgets ?? [1, 2];

    /// <summary><see cref="Seed"/> or the default.</summary>
    public ulong SeedOrDefault => Seed ?? 1;

    /// <summary><see cref="Temperature"/> or the default.</summary>
    public float TemperatureOrDefault => Temperature ?? 0.8f;

    /// <summary><see cref="PilotSamples"/> or the default.</summary>
    public int PilotSamplesOrDefault => PilotSamples ?? ComputeOptimalPolicy.DefaultPilotSamples;

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending value.</summary>
    public void Validate()
    {
        if (SmallModel is { } small && string.IsNullOrWhiteSpace(small)) throw new ArgumentException("smallModel must name a model");
        if (SmallModel == NoModel) throw new ArgumentException("smallModel cannot be \"none\": the study is of the small policy");
        var splits = SplitsOrDefault;
        if (splits.Count != 2 || !splits.Contains(ArithSplit.Calibration) || !splits.Contains(ArithSplit.Test))
            throw new ArgumentException($"splits must be Calibration and Test (the policy is chosen on one and judged on the other), got {string.Join(", ", splits)}");
        if (ProblemsPerLevel is < 1) throw new ArgumentException($"problemsPerLevel must be ≥ 1, got {ProblemsPerLevel}");
        if (Temperature is { } t && (!(t > 0) || !float.IsFinite(t)))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"temperature must be > 0 (the pools need distinct samples), got {t}"));
        if (PilotSamples is < 1) throw new ArgumentException($"pilotSamples must be ≥ 1, got {PilotSamples}");
        if (LargeModelOrNull is { } large && large == SmallModelOrDefault) throw new ArgumentException($"largeModel must differ from smallModel, both are {large}");
        Check("strategies", StrategiesOrDefault, BudgetsOrDefault, PrmOrNull is not null);
        Check("searchBudgets", StrategiesOrDefault, SearchBudgetsOrDefault, PrmOrNull is not null);
        if (PilotSamplesOrDefault > BudgetsOrDefault.Max())
            throw new ArgumentException($"pilotSamples ({PilotSamplesOrDefault}) must not exceed the largest budget ({BudgetsOrDefault.Max()}): a pilot is samples of the pool");
        if (LargeModelOrNull is not null) Check("largeStrategies", LargeStrategiesOrDefault, LargeBudgetsOrDefault, hasStepScorer: false);

        static void Check(string field, IReadOnlyList<string> strategies, IReadOnlyList<int> budgets, bool hasStepScorer)
        {
            try { new SweepOptions(strategies, budgets, 0).Validate(ArithTaskShape, hasStepScorer); }
            catch (ArgumentException e) { throw new ArgumentException($"{field}: {e.Message}", e); }
        }
    }

    /// <summary>The configuration as JSON (what a study records and what its files hold).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads and validates the configuration at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is missing, malformed or invalid (the message names it and the problem).</exception>
    public static StudyConfig Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: study config not found");
        StudyConfig config;
        try
        {
            config = JsonSerializer.Deserialize<StudyConfig>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty study config");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed study config: {e.Message}", e); }
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        return config;
    }
}
