using System.Text.Json;
using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Studies.Reports;
using Ponder.Studies.Store;
using Ponder.Studies.Study;
using Ponder.Studies.Training;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Tests;

public sealed class StudyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"ponder-study-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    // Tiny untrained transformers stand in for the built-in models: the study's machinery, not their skill, is under test.
    private static StudyModels TinyModels()
    {
        EngineModel Random(string name, Ponder.Engine.Tokenization.CharTokenizer tokenizer, int dim, ulong seed) => new(name, LlamaModel.CreateRandom(new LlamaConfig
        {
            VocabularySize = tokenizer.VocabularySize, ContextLength = 256, ModelDim = dim, Layers = 1, Heads = 2, KeyValueHeads = 2, FeedForwardDim = dim,
        }, seed), tokenizer);
        var policyTokenizer = ArithPolicyData.CreateTokenizer();
        return new StudyModels(new EngineGenerator(Random("tiny-small", policyTokenizer, 16, 1)), new EngineGenerator(Random("tiny-large", policyTokenizer, 32, 2)),
            new EngineStepScorer(Random("tiny-prm", ArithPrmData.CreateTokenizer(), 16, 3), PrmFormat.Arith));
    }

    private static readonly StudyConfig Tiny = new()
    {
        SmallModel = "tiny-small", LargeModel = "tiny-large", Prm = "tiny-prm", ProblemsPerLevel = 1,
        Strategies = ["majority", "best-of-n", "weighted-best-of-n", "beam"], Budgets = [1, 2], SearchBudgets = [2], LargeBudgets = [1], Seed = 3,
    };

    private static int[] RowCounts(IEnumerable<string> stores) => stores.SelectMany(path =>
    {
        using var store = SampleStore.Open(path);
        return new[] { store.Samples().Count, store.Results().Count };
    }).ToArray();

    [Fact]
    public async Task AStudyOnTinyModelsWritesTheReportAndARerunResumesWithoutNewRows()
    {
        var models = TinyModels();
        var progress = new List<StudyProgress>();
        var runs = await StudyRunner.RunAsync(Tiny, models, _folder, resume: false, new SynchronousProgress(progress.Add));
        Assert.Equal(["small-calibration.db", "small-test.db", "large-test.db"], runs.Stores.Select(Path.GetFileName));
        Assert.Contains(new StudyProgress("small-test", 10, 10), progress);   // 5 problems × (the pool sweep and the search sweep)
        var (findings, files) = StudyRunner.Report(Tiny, runs.Stores, _folder, "ponder study");

        Assert.True(File.Exists(Path.Combine(_folder, files.Html)));
        Assert.Contains(files.Charts, c => c.Png == "accuracy-vs-flops.png");
        Assert.NotNull(findings.PredictedPolicy);
        Assert.Equal("tiny-large", findings.FlopsMatched?.LargeModel);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, files.Summary))))
        {
            var root = summary.RootElement;
            foreach (string key in new[] { StudyReport.EfficiencyVsWeightedKey, StudyReport.EfficiencyVsMajorityKey, "headline_policy", "policies", "strategies", "flops_matched" })
                Assert.True(root.TryGetProperty(key, out _), $"summary.json lacks {key}");
            Assert.Equal("compute-optimal (predicted)", root.GetProperty("headline_policy").GetString());
            Assert.Equal(2, root.GetProperty("config").GetProperty("analysis").GetProperty("pilot_samples").GetInt32());
        }

        int[] before = RowCounts(runs.Stores);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => StudyRunner.RunAsync(Tiny, models, _folder, resume: false));
        Assert.EndsWith("already holds this study's run: pass --resume to continue it, or choose another --out", refused.Message);
        var other = await Assert.ThrowsAsync<ArgumentException>(() => StudyRunner.RunAsync(Tiny with { Seed = 4 }, models, _folder, resume: true));
        Assert.Contains("holds a run with another configuration", other.Message);

        progress.Clear();
        await StudyRunner.RunAsync(Tiny, models, _folder, resume: true, new SynchronousProgress(progress.Add));
        Assert.Equal(before, RowCounts(runs.Stores));
        Assert.Contains(new StudyProgress("large-test", 5, 5), progress);
    }

    [Fact]
    public async Task AStudyKilledMidRunResumesToTheRowsOfAnUninterruptedOne()
    {
        var models = TinyModels();
        var config = Tiny with { LargeModel = StudyConfig.NoModel, Strategies = ["majority", "weighted-best-of-n"] };
        string straight = Path.Combine(_folder, "straight"), killed = Path.Combine(_folder, "killed");
        var expected = await StudyRunner.RunAsync(config, models with { Large = null }, straight, resume: false);

        using var cancel = new CancellationTokenSource();
        var stop = new SynchronousProgress(p => { if (p is { Run: "small-test", Done: 2 }) cancel.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StudyRunner.RunAsync(config, models with { Large = null }, killed, resume: false, stop, cancel.Token));
        var resumed = await StudyRunner.RunAsync(config, models with { Large = null }, killed, resume: true);

        Assert.Equal(RowCounts(expected.Stores), RowCounts(resumed.Stores));
        for (int i = 0; i < expected.Stores.Count; i++)
        {
            using var a = SampleStore.Open(expected.Stores[i]);
            using var b = SampleStore.Open(resumed.Stores[i]);
            Assert.Equal(a.Results().Select(r => r with { WallSeconds = 0 }), b.Results().Select(r => r with { WallSeconds = 0 }));
        }
    }

    [Theory]
    [InlineData("""{"problemsPerLevel": 0}""", "problemsPerLevel must be ≥ 1, got 0")]
    [InlineData("""{"splits": ["Test"]}""", "splits must be Calibration and Test")]
    [InlineData("""{"strategies": ["majority", "telepathy"]}""", "strategies: unknown strategy \"telepathy\"")]
    [InlineData("""{"strategies": ["beam"], "prm": "none"}""", "strategies: strategy beam needs a process reward model")]
    [InlineData("""{"budgets": [1, 0]}""", "strategies: budgets must be ≥ 1, got 1,0")]
    [InlineData("""{"budgets": [1], "pilotSamples": 2}""", "pilotSamples (2) must not exceed the largest budget (1)")]
    [InlineData("""{"largeModel": "builtin:arith-small"}""", "largeModel must differ from smallModel")]
    [InlineData("""{"temperature": 0}""", "temperature must be > 0")]
    [InlineData("""{"budget": [1, 2]}""", "malformed study config")]
    [InlineData("""{"splits": ["Dev"]}""", "malformed study config")]
    public void InvalidConfigsFailWithTheFileAndTheProblem(string json, string expected)
    {
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "bad.study.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidDataException>(() => StudyConfig.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("studies/default.study.json", 10)]
    [InlineData("studies/full.study.json", 100)]
    public void TheCheckedInStudyConfigsAreValid(string path, int problemsPerLevel)
    {
        var config = StudyConfig.Load(TrainingTests.RepositoryFile(path));
        Assert.Equal(problemsPerLevel, config.ProblemsPerLevelOrDefault);
        Assert.Equal(["small-calibration", "small-test", "large-test"], StudyRunner.Plan(config).Select(p => p.Name));
        Assert.Contains("weighted-best-of-n", config.StrategiesOrDefault);
    }

    [Fact]
    public void StudyProblemsInterleaveTheLevels() =>
        Assert.Equal([1, 2, 3, 4, 5, 1, 2, 3, 4, 5], StudyRunner.Problems(ArithSplit.Test, 2).Select(p => p.Level));

    private sealed class SynchronousProgress(Action<StudyProgress> report) : IProgress<StudyProgress>
    {
        public void Report(StudyProgress value) => report(value);
    }
}
