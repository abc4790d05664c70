// What the analysis reads: runs of `ponder run` (or of a study) loaded from sample stores, each tagged with the model
// and split it ran, plus the facts of the models (parameters, pretraining tokens) that the FLOPs-matched comparison
// with pretraining needs. A store records one run in its `run_config` metadata; a study that keeps its calibration and
// test splits, or its small and large models, in separate stores passes them all.

using System.Text.Json;
using Ponder.Studies.Store;

namespace Ponder.Studies.Reports;

/// <summary>One run: a model swept over a split, with its pools and result rows.</summary>
/// <param name="Source">Where it was loaded from (a store's path).</param>
/// <param name="Model">The policy model's name.</param>
/// <param name="Split">The split: <c>Calibration</c> or <c>Test</c> (or <c>Train</c>).</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Temperature">The sampling temperature of its pools.</param>
/// <param name="Config">The run's recorded configuration (JSON).</param>
/// <param name="Samples">Every pool sample.</param>
/// <param name="Results">Every result row.</param>
public sealed record StudyRun(string Source, string Model, string Split, ulong Seed, float Temperature, string Config,
    IReadOnlyList<PoolSample> Samples, IReadOnlyList<ResultRow> Results)
{
    /// <summary>The cards of the run's models, as recorded in its store; null for a store written before runs recorded them.</summary>
    public RunModelCards? Cards { get; init; }

    /// <summary>Whether this run is of the calibration split.</summary>
    public bool IsCalibration => Split.Equals("Calibration", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether this run is of the test split.</summary>
    public bool IsTest => Split.Equals("Test", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What the FLOPs-matched comparison needs to know of a model.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Parameters">Its parameter count N.</param>
/// <param name="TrainingTokens">Its pretraining tokens D_pretrain.</param>
public sealed record ModelFacts(string Name, long Parameters, long TrainingTokens)
{
    /// <summary>A lookup of facts from the model cards (<c>NAME.card.json</c>) in <paramref name="directory"/>; null for a model without a card.</summary>
    public static Func<string, ModelFacts?> FromCards(string directory) => name =>
    {
        string path = Path.Combine(directory, name + ".card.json");
        if (!File.Exists(path)) return null;
        var card = Training.ModelCardFile.Load(path);
        return new ModelFacts(card.Name, card.Parameters, card.TrainingTokens);
    };
}

/// <summary>The runs an analysis reads and the facts of their models.</summary>
/// <param name="Runs">Every run.</param>
/// <param name="Models">Facts per model name, where known.</param>
public sealed record StudyData(IReadOnlyList<StudyRun> Runs, IReadOnlyDictionary<string, ModelFacts> Models)
{
    /// <summary>
    /// Loads the run of each store in <paramref name="storePaths"/>; <paramref name="modelFacts"/> gives a model's facts
    /// by name (null when unknown).
    /// </summary>
    /// <exception cref="InvalidDataException">A store is unreadable or records no run.</exception>
    public static StudyData Load(IEnumerable<string> storePaths, Func<string, ModelFacts?>? modelFacts = null)
    {
        ArgumentNullException.ThrowIfNull(storePaths);
        var runs = new List<StudyRun>();
        foreach (string path in storePaths)
        {
            if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such store");
            using var store = SampleStore.Open(path);
            string config = store.GetMeta(SampleStore.RunConfigKey) ?? throw new InvalidDataException($"{path}: the store records no run (no run_config)");
            try
            {
                using var json = JsonDocument.Parse(config);
                var root = json.RootElement;
                runs.Add(new StudyRun(path, root.GetProperty("model").GetString()!, root.GetProperty("split").GetString()!,
                    root.GetProperty("seed").GetUInt64(), root.GetProperty("temperature").GetSingle(), config, store.Samples(), store.Results())
                {
                    Cards = RunModelCards.Load(store),
                });
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}: the recorded run configuration is malformed: {e.Message}", e);
            }
        }
        var models = new Dictionary<string, ModelFacts>(StringComparer.Ordinal);
        foreach (string model in runs.Select(r => r.Model).Distinct())
            if (modelFacts?.Invoke(model) is { } facts) models[model] = facts;
        return new StudyData(runs, models);
    }
}
