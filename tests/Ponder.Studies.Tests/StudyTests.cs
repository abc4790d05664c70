using System.Text.Json;
using Ponder.Analysis;
using Ponder.Compute;
using Ponder.Engine.Inference;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;
using Ponder.Studies.Arith;
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
        var policyTokenizer = ArithPolicyData.CreateTokenizer();
        return new StudyModels(new EngineGenerator(TestModels.Random("tiny-small", policyTokenizer, 16, 1, contextLength: 256)), new EngineGenerator(TestModels.Random("tiny-large", policyTokenizer, 32, 2, contextLength: 256)),
            new EngineStepScorer(TestModels.Random("tiny-prm", ArithPrmData.CreateTokenizer(), 16, 3, contextLength: 256), PrmFormat.Arith));
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
        var runs = await StudyRunner.RunAsync(Tiny, models, _folder, resume: false, new SynchronousProgress<StudyProgress>(progress.Add));
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
            Assert.Equal(120, root.GetProperty("config").GetProperty("analysis").GetProperty("pilot_draws").GetInt32());
        }

        // Best-of-1 is its one sample, unscored: no verifier FLOPs; from two samples on they are scored (the tiny models
        // write some samples with no step to score, which cost the verifier nothing, hence "some").
        using (var store = SampleStore.Open(runs.Stores[1]))
        {
            var verified = store.Results().Where(r => r.Strategy is "best-of-n" or "weighted-best-of-n").ToArray();
            Assert.All(verified.Where(r => r.Budget == 1), r => Assert.Equal(0, r.VerifierFlops));
            Assert.Contains(verified, r => r.Budget == 2 && r.VerifierFlops > 0);
        }

        int[] before = RowCounts(runs.Stores);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => StudyRunner.RunAsync(Tiny, models, _folder, resume: false));
        Assert.EndsWith("already holds this study's run: pass --resume to continue it, or choose another --out", refused.Message);
        var other = await Assert.ThrowsAsync<ArgumentException>(() => StudyRunner.RunAsync(Tiny with { Seed = 4 }, models, _folder, resume: true));
        Assert.Contains("holds a run with another configuration", other.Message);

        progress.Clear();
        await StudyRunner.RunAsync(Tiny, models, _folder, resume: true, new SynchronousProgress<StudyProgress>(progress.Add));
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
        var stop = new SynchronousProgress<StudyProgress>(p => { if (p is { Run: "small-test", Done: 2 }) cancel.Cancel(); });
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

    // Every sample of a problem has the same length (the answer line, right or with its last digit changed), and on the
    // test split every sample is right, so every subset of a test pool costs the same, its scoring included (a sample
    // after the first is served whole by the run's cache): the analysis's expectation over draws is then exactly one
    // solve's cost. Calibration samples are sometimes wrong, so that the policy has something to choose.
    // Within a run it reuses a prompt an earlier request computed, as EngineGenerator does, short of the last token.
    private sealed class SameLengthPolicy : ITextGenerator
    {
        private readonly HashSet<string>? _prompts;

        public SameLengthPolicy() { }

        private SameLengthPolicy(HashSet<string> prompts) => _prompts = prompts;

        public ModelCard Card { get; } = new("scripted-small", 1_000_000, 900_000, 4, 128, 128, 4, 4, 512, 20);

        public ITextGenerator BeginRun() => new SameLengthPolicy([]);

        public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
        {
            bool seen = false;
            if (_prompts is not null) lock (_prompts) seen = !_prompts.Add(request.Prefix);
            string expression = request.Prefix[2..request.Prefix.IndexOf('\n')];
            string answer = ArithProblem.Parse(expression, 1).Answer.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var continuations = Enumerable.Range(0, request.Count).Select(i =>
            {
                bool wrong = ArithSplits.SplitOf(expression) == ArithSplit.Calibration && SplitMix64.Derive(request.Sampling.Seed ?? 0, (ulong)i) % 3 == 0;
                string text = $"A:{(wrong ? answer[..^1] + (char)('0' + (answer[^1] - '0' + 1) % 10) : answer)}\n";
                return new Continuation(text, FinishReason.EndOfSequence, request.Prefix.Length, i > 0 ? request.Prefix.Length : seen ? request.Prefix.Length - 1 : 0, text.Length + 1, null);
            }).ToArray();
            return Task.FromResult(new GenerationResult(continuations));
        }
    }

    // Scores depend on the problem alone, so a solver's pilot bins a problem as the pool's first samples do. A
    // character-level verifier reading the text as written, with a run's prefix cache like EngineScorer's: a call is
    // charged past the longest prefix it shares with a text scored earlier in the run.
    private sealed class ProblemScoredPrm : IStepScorer
    {
        private readonly List<string>? _scored;

        public ProblemScoredPrm() { }

        private ProblemScoredPrm(List<string> scored) => _scored = scored;

        public ModelCard? Card { get; } = new("scripted-prm", 500_000, 400_000, 2, 64, 64, 2, 2, 512, 20);

        public IStepScorer BeginRun() => new ProblemScoredPrm([]);

        public Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default)
        {
            double score = 0.05 + (int)(StableHash(problem.Id) % 9) / 10.0;
            string text = problem.Prompt + string.Concat(steps);
            int cached = 0;
            if (_scored is not null)
                lock (_scored)
                {
                    cached = _scored.Select(t => t.AsSpan().CommonPrefixLength(text)).DefaultIfEmpty(0).Max();
                    _scored.Add(text);
                }
            return Task.FromResult(new StepScores(steps.Select(_ => score).ToArray(), new SequenceUsage(text.Length, cached, 0)));
        }

        private static ulong StableHash(string text) => text.Aggregate(14695981039346656037UL, (h, c) => (h ^ c) * 1099511628211UL);
    }

    [Fact]
    public async Task TheReportChargesThePredictedPolicyWhatComputeOptimalSpends()
    {
        var config = new StudyConfig
        {
            SmallModel = "scripted-small", LargeModel = StudyConfig.NoModel, Prm = "scripted-prm", ProblemsPerLevel = 4,
            Strategies = ["majority", "best-of-n", "weighted-best-of-n"], Budgets = [1, 2, 4, 8], Seed = 5,
        };
        var models = new StudyModels(new SameLengthPolicy(), null, new ProblemScoredPrm());
        var runs = await StudyRunner.RunAsync(config, models, _folder, resume: false);
        var (findings, _) = StudyRunner.Report(config, runs.Stores, _folder, "ponder study");
        var policy = findings.PredictedPolicy!;
        Assert.Contains(policy.Policy.Entries, e => e.RunBudget > policy.Policy.PilotSamples);   // fresh samples join the pilot's somewhere
        Assert.Equal(models.Prm!.Card!.Name, policy.Policy.Verifier);   // the scorer the bins are thresholds on, so the solver below may apply it

        var solver = StrategyRegistry.CreateDefault().Create("compute-optimal", ArithStrategies.Context(models.Small, models.Prm, HardwareProfile.Cpu2CoreAvx2),
            new ComputeOptimalOptions { Policy = policy.Policy });
        var problems = StudyRunner.Problems(ArithSplit.Test, 4);
        Assert.Equal([2, 4, 8], policy.Test.Select(t => t.Budget));   // budget 1 cannot hold the pilot of 2
        foreach (var point in policy.Test)
        {
            double spent = 0;
            foreach (var problem in problems)
                spent += (await solver.SolveAsync(ArithStrategies.ToProblem(problem), Budget.OfGenerations(point.Budget), seed: 9)).Compute.Flops!.Value;
            Assert.Equal(point.Flops, spent / problems.Count, point.Flops * 1e-12);
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
    [InlineData("studies/default.study.json", 50)]
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
}
