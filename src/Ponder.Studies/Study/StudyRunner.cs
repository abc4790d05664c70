// `ponder study` without the console: the study's runs (small policy on the calibration and test splits, large policy on
// the test split), each a sweep into its own sample store under the study folder, then the analysis and the report in
// the folder itself. Everything a run does is keyed in its store, so a study killed at any moment and started again
// with --resume continues where it stopped and ends with the rows of an uninterrupted one.

using System.Text.Json;
using Ponder.Compute;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Studies.Arith;
using Ponder.Studies.Reports;
using Ponder.Studies.Store;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Study;

/// <summary>The models a study runs, loaded.</summary>
/// <param name="Small">The small policy.</param>
/// <param name="Large">The large policy; null when the study has none.</param>
/// <param name="Prm">The process reward model; null when the study has none.</param>
public sealed record StudyModels(ITextGenerator Small, ITextGenerator? Large, IStepScorer? Prm);

/// <summary>One run of a study: a model swept over a split into a store.</summary>
/// <param name="Name">The run's name and its store's file stem, e.g. <c>small-test</c>.</param>
/// <param name="IsLarge">Whether the run is of the large policy.</param>
/// <param name="Split">The split.</param>
/// <param name="Strategies">Strategies swept.</param>
/// <param name="Budgets">Budgets of the sampling strategies (one pool per problem of the largest).</param>
/// <param name="SearchBudgets">Budgets of the other strategies.</param>
public sealed record StudyRunPlan(string Name, bool IsLarge, ArithSplit Split, IReadOnlyList<string> Strategies, IReadOnlyList<int> Budgets,
    IReadOnlyList<int> SearchBudgets)
{
    /// <summary>The run's store inside a study folder.</summary>
    public string StorePath(string folder) => Path.Combine(folder, "stores", Name + ".db");
}

/// <summary>How far a study has come: problems done of one run's sweeps.</summary>
/// <param name="Run">The run's name.</param>
/// <param name="Done">Problem sweeps done (a problem counts once per sweep of the run).</param>
/// <param name="Total">Problem sweeps in the run.</param>
public readonly record struct StudyProgress(string Run, int Done, int Total);

/// <summary>What a study's runs left to report besides their rows.</summary>
/// <param name="Stores">The store of each run, in plan order.</param>
/// <param name="Notes">Failed strategy runs and cells skipped because a strategy is undefined at a budget.</param>
public sealed record StudyRunsResult(IReadOnlyList<string> Stores, IReadOnlyList<string> Notes);

/// <summary>Runs a study and writes its report. Not thread-safe for one folder.</summary>
public static class StudyRunner
{
    /// <summary>The runs of <paramref name="config"/>, in the order they run.</summary>
    public static IReadOnlyList<StudyRunPlan> Plan(StudyConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var runs = config.SplitsOrDefault.Select(split => new StudyRunPlan($"small-{split.ToString().ToLowerInvariant()}", false, split,
            config.StrategiesOrDefault, config.BudgetsOrDefault, config.SearchBudgetsOrDefault)).ToList();
        if (config.LargeModelOrNull is not null)
            runs.Add(new StudyRunPlan("large-test", true, ArithSplit.Test, config.LargeStrategiesOrDefault, config.LargeBudgetsOrDefault, config.LargeBudgetsOrDefault));
        return runs;
    }

    /// <summary>The problems of a split in a study: <see cref="StudyConfig.ProblemsPerLevel"/> per level, levels interleaved.</summary>
    public static IReadOnlyList<ArithProblem> Problems(ArithSplit split, int perLevel) =>
        ArithSplits.Load(split, perLevel).GroupBy(p => p.Level).SelectMany(g => g.Select((p, i) => (p, i)))
            .OrderBy(x => x.i).ThenBy(x => x.p.Level).Select(x => x.p).ToArray();

    /// <summary>
    /// Runs every run of <paramref name="config"/> with <paramref name="models"/> into its store under
    /// <paramref name="folder"/>. A store that already holds its run is continued when <paramref name="resume"/>, else
    /// refused; a store holding another configuration is always refused.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration is invalid, the models do not match it, or a store cannot be continued.</exception>
    public static async Task<StudyRunsResult> RunAsync(StudyConfig config, StudyModels models, string folder, bool resume,
        IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(folder);
        config.Validate();
        if ((config.LargeModelOrNull is null) != (models.Large is null)) throw new ArgumentException("the large model must be given exactly when the study has one");
        if ((config.PrmOrNull is null) != (models.Prm is null)) throw new ArgumentException("the PRM must be given exactly when the study has one");
        if (models.Large is not null && ModelName(models.Large, config.LargeModelOrNull!) == ModelName(models.Small, config.SmallModelOrDefault))
            throw new ArgumentException($"the small and large models are both named {ModelName(models.Small, config.SmallModelOrDefault)}: the report tells runs apart by model name");
        var notes = new List<string>();
        var stores = new List<string>();
        foreach (var plan in Plan(config))
        {
            var policy = plan.IsLarge ? models.Large! : models.Small;
            var prm = plan.IsLarge ? null : models.Prm;
            string path = plan.StorePath(folder);
            stores.Add(path);
            using var store = SampleStore.OpenRun(path, RunConfig(config, plan, ModelName(policy, plan.IsLarge ? config.LargeModelOrNull! : config.SmallModelOrDefault), prm), resume, "this study's run", "--out");
            new RunModelCards(policy.Card, prm?.Card).Save(store);
            var problems = Problems(plan.Split, config.ProblemsPerLevelOrDefault);
            var task = ArithStrategies.CreateTask(problems);
            var context = task.Context(policy, prm, HardwareProfile.Cpu2CoreAvx2);
            var sweeps = new[]
            {
                (Strategies: plan.Strategies.Where(SweepOptions.PoolStrategies.Contains).ToArray(), Budgets: plan.Budgets),
                (Strategies: plan.Strategies.Where(s => !SweepOptions.PoolStrategies.Contains(s)).ToArray(), Budgets: plan.SearchBudgets),
            }.Where(s => s.Strategies.Length > 0).ToArray();
            int total = problems.Count * sweeps.Length, done = 0;
            progress?.Report(new StudyProgress(plan.Name, 0, total));
            foreach (var (strategies, budgets) in sweeps)
            {
                var sweep = new Sweep(task, context, store, new SweepOptions(strategies, budgets, config.SeedOrDefault, config.TemperatureOrDefault));
                int before = done;
                await sweep.RunAsync(new SynchronousProgress<int>(i => progress?.Report(new StudyProgress(plan.Name, before + i, total))), cancellationToken)
                    .ConfigureAwait(false);
                done += problems.Count;
                if (sweep.Failures > 0) notes.Add($"{plan.Name}: {sweep.Failures} strategy runs failed and count as wrong; their traces in the store say why");
                notes.AddRange(sweep.Skipped.Select(cell => $"{plan.Name}: skipped {cell}: not defined at that budget"));
            }
            progress?.Report(new StudyProgress(plan.Name, total, total));
        }
        return new StudyRunsResult(stores, notes);
    }

    /// <summary>
    /// Analyses the study's <paramref name="stores"/> and writes the report (index.html, summary.json, charts, policy
    /// files) into <paramref name="folder"/>; <paramref name="modelFacts"/> gives the models' parameters and pretraining
    /// tokens where known, <paramref name="commandLine"/> is recorded in the report.
    /// </summary>
    public static (StudyFindings Findings, ReportFiles Files) Report(StudyConfig config, IReadOnlyList<string> stores, string folder, string commandLine,
        Func<string, ModelFacts?>? modelFacts = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var data = StudyData.Load(stores, modelFacts);
        var small = data.Runs.First(r => r.IsCalibration).Model;
        var options = new StudyAnalysisOptions
        {
            Seed = config.SeedOrDefault, PilotSamples = config.PilotSamplesOrDefault, SmallModel = small,
            LargeModel = data.Runs.FirstOrDefault(r => r.Model != small)?.Model,
        };
        var findings = StudyAnalysis.Run(data, options);
        return (findings, StudyReport.Write(data, findings, options, folder, commandLine));
    }

    private static string ModelName(ITextGenerator model, string spec) => model.Card?.Name ?? spec;

    // What the store records of its run: what determines its rows (StudyData reads model, split, seed and temperature).
    private static string RunConfig(StudyConfig config, StudyRunPlan plan, string model, IStepScorer? prm) => JsonSerializer.Serialize(new
    {
        task = "arith", split = plan.Split.ToString(), problems_per_level = config.ProblemsPerLevelOrDefault, strategies = plan.Strategies,
        budgets = plan.Budgets, search_budgets = plan.SearchBudgets, seed = config.SeedOrDefault, temperature = config.TemperatureOrDefault,
        model, prm = prm?.Card?.Name,
    });
}
