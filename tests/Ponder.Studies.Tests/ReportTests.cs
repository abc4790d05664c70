using System.Text.Json;
using System.Text.RegularExpressions;
using Ponder.Analysis;
using Ponder.Studies.Reports;
using Ponder.Studies.Store;
using Ponder.Studies.Sweeps;

namespace Ponder.Studies.Tests;

public sealed partial class ReportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"ponder-report-{Guid.NewGuid():N}");

    public ReportTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Copies of the real fixture stores: opening a store may write to it.
    private string[] FixtureStores() => new[] { "arith-small-calibration.db", "arith-small-test.db" }.Select(name =>
    {
        string copy = Path.Combine(_folder, name);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", name), copy);
        return copy;
    }).ToArray();

    [GeneratedRegex("(?:src|href)=\"([^\"]*)\"")]
    private static partial Regex LinkPattern();

    // Every image and link is a file of the report folder, and nothing reaches for the network or runs a script.
    private static void AssertOpensOffline(string folder)
    {
        string html = File.ReadAllText(Path.Combine(folder, "index.html"));
        Assert.DoesNotContain("http:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("//", LinkPattern().Matches(html).Select(m => m.Groups[1].Value).Aggregate("", string.Concat));
        var links = LinkPattern().Matches(html).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(links);
        Assert.All(links, link =>
        {
            Assert.Equal(Path.GetFileName(link), link);
            Assert.True(File.Exists(Path.Combine(folder, link)), $"index.html links {link}, which is not in the report folder");
        });
        Assert.All(Directory.GetFiles(folder, "*.png"), png => Assert.Contains($"src=\"{Path.GetFileName(png)}\"", html));
    }

    [Fact]
    public void AReportFromRealStoresOpensOfflineAndLeavesOutWhatTheyLack()
    {
        var data = StudyData.Load(FixtureStores());
        var options = new StudyAnalysisOptions { Resamples = 200 };
        var findings = StudyAnalysis.Run(data, options);
        string folder = Path.Combine(_folder, "report");
        // Over an older report with sections this one lacks: those files go, the user's own stay.
        Directory.CreateDirectory(folder);
        foreach (string old in new[] { "verifier.png", "policy-predicted.json", "my-notes.txt" }) File.WriteAllText(Path.Combine(folder, old), "old");
        var files = StudyReport.Write(data, findings, options, folder, "ponder report --store a.db --store b.db --out report");
        Assert.False(File.Exists(Path.Combine(folder, "verifier.png")));
        Assert.False(File.Exists(Path.Combine(folder, "policy-predicted.json")));
        Assert.True(File.Exists(Path.Combine(folder, "my-notes.txt")));

        Assert.Equal("arith-small", findings.SmallModel);
        Assert.Equal(5, findings.Levels.Count);
        Assert.NotNull(findings.OraclePolicy);
        Assert.Null(findings.PredictedPolicy);   // no PRM in these stores
        Assert.Equal(["index.html", "summary.json"], new[] { files.Html, files.Summary });
        Assert.Equal(["policy-oracle.json"], files.Policies);
        Assert.Contains(files.Charts, c => c.Png == "accuracy-vs-flops.png" && c.Svg == "accuracy-vs-flops.svg");
        Assert.All(files.Charts, c => Assert.True(new FileInfo(Path.Combine(folder, c.Png)).Length > 10_000, $"{c.Png} looks empty"));
        AssertOpensOffline(folder);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty(StudyReport.EfficiencyVsWeightedKey).ValueKind);
        // arith-small solves every calibration problem with one sample, so the policy spends one at every budget, and on
        // test it stays below every majority point: no multiplier, and a note says so.
        Assert.Equal(JsonValueKind.Null, root.GetProperty(StudyReport.EfficiencyVsMajorityKey).ValueKind);
        Assert.All(findings.OraclePolicy!.Policy.Entries, e => Assert.Equal(1, e.RunBudget));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("flops_matched").ValueKind);
        Assert.Equal("ponder report --store a.db --store b.db --out report", root.GetProperty("command_line").GetString());
        Assert.Equal([1UL, 1UL], root.GetProperty("seeds").GetProperty("runs").EnumerateArray().Select(s => s.GetUInt64()));
        Assert.Equal("Test", root.GetProperty("config").GetProperty("evaluation_split").GetString());
        var notes = root.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!).ToArray();
        Assert.Contains(notes, n => n.StartsWith("No large model run", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("no verifier scores", StringComparison.Ordinal));
        Assert.Contains("compute-optimal (oracle) never reaches majority's accuracy: no efficiency multiplier against it.", notes);
        string html = File.ReadAllText(Path.Combine(folder, "index.html"));
        Assert.Contains("No large model in the study: FLOPs-matched comparison left out.", html);
    }

    [Fact]
    public void ASyntheticStudyWithEveryKindOfDataFillsEverySection()
    {
        // Through real stores, as ponder report reads them.
        var study = SyntheticStudy.Data();
        var paths = study.Runs.Select(run =>
        {
            string path = Path.Combine(_folder, Path.GetFileName(run.Source));
            SyntheticStudy.Save(run, path);
            return path;
        }).ToArray();
        var data = StudyData.Load(paths, name => SyntheticStudy.Models.GetValueOrDefault(name));
        var options = new StudyAnalysisOptions { Resamples = 200 };
        var findings = StudyAnalysis.Run(data, options);
        string folder = Path.Combine(_folder, "report");
        var files = StudyReport.Write(data, findings, options, folder, "ponder report");

        Assert.Equal("small", findings.SmallModel);
        Assert.NotNull(findings.PredictedPolicy);
        Assert.True(findings.PredictedPolicy!.PilotCharged);
        Assert.NotNull(findings.EfficiencyVsWeightedBestOfN);
        Assert.NotNull(findings.Verifier);
        Assert.All(findings.Levels, l => Assert.NotNull(l.WeightedBestOfN));
        var matched = findings.FlopsMatched!;
        Assert.Equal(4.3, matched.ParameterRatio!.Value, 9);
        Assert.Equal([null, 0.1, 1, 10], matched.Rows.Where(r => r.Bin == matched.Rows[0].Bin).Select(r => r.InferenceToPretraining));
        Assert.Equal(["policy-predicted.json", "policy-oracle.json"], files.Policies);
        Assert.Equal(DifficultyMeasure.Predicted, ComputeOptimalPolicy.Load(Path.Combine(folder, "policy-predicted.json")).Difficulty);
        foreach (string chart in new[] { "compute-optimal.png", "flops-matched.png", "verifier.png", "scaling-level3.png" })
            Assert.Contains(files.Charts, c => c.Png == chart);
        AssertOpensOffline(folder);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var root = summary.RootElement;
        Assert.True(root.GetProperty(StudyReport.EfficiencyVsWeightedKey).GetDouble() > 0);
        Assert.True(root.GetProperty(StudyReport.EfficiencyVsMajorityKey).GetDouble() > 0);
        Assert.Equal(matched.Rows.Count, root.GetProperty("flops_matched").GetProperty("rows").GetArrayLength());
        Assert.Equal("compute-optimal (predicted)", root.GetProperty("headline_policy").GetString());
        Assert.InRange(root.GetProperty("verifier").GetProperty("ceiling").GetDouble(), 0, 1);
        Assert.True(root.GetProperty("efficiency").GetProperty("in_sample").GetProperty("vs_weighted_best_of_n").GetProperty("geometric_mean").GetDouble() > 0);
        var interval = root.GetProperty("efficiency").GetProperty("vs_weighted_best_of_n").GetProperty("interval_95");
        Assert.True(interval[0].GetDouble() <= interval[1].GetDouble());
        Assert.Equal(findings.EfficiencyVsWeightedBestOfN!.Interval!.Value.Low, interval[0].GetDouble());
    }

    [Fact]
    public void ConfigurationsAreLabelledByStrategyUnlessOneBudgetRanSeveralOptions()
    {
        var study = SyntheticStudy.Data();
        var test = study.Runs[1];
        // The sweep derives the beam width from the budget: beam at budget 2 with width 2 stays the curve "beam".
        var widthTwo = test.Results.Where(r => r.Strategy == "beam" && r.Budget == 4).Select(r => r with { Budget = 2, Options = """{"temperature":0.8,"beamWidth":2}""" });
        var derived = study with { Runs = [study.Runs[0], test with { Results = [.. test.Results.Where(r => !(r.Strategy == "beam" && r.Budget == 2)), .. widthTwo] }, study.Runs[2]] };
        Assert.All(StudyAnalysis.Run(derived, new StudyAnalysisOptions { Resamples = 10 }).Points.Where(p => p.Strategy == "beam"), p => Assert.Equal("beam", p.Label));

        // Two beam widths at one budget are two curves, named by their options.
        var widthTwoBeside = test.Results.Where(r => r.Strategy == "beam" && r.Budget == 4).Select(r => r with { Options = """{"temperature":0.8,"beamWidth":2}""" });
        var several = study with { Runs = [study.Runs[0], test with { Results = [.. test.Results, .. widthTwoBeside] }, study.Runs[2]] };
        var labels = StudyAnalysis.Run(several, new StudyAnalysisOptions { Resamples = 10 }).Points.Where(p => p.Strategy == "beam").Select(p => p.Label).Distinct().Order();
        Assert.Equal(["beam temperature:0.8,beamWidth:2", "beam temperature:0.8,beamWidth:4"], labels);
    }

    [Fact]
    public void TheInSamplePolicyIsChosenOnTheTestSplit()
    {
        var findings = StudyAnalysis.Run(SyntheticStudy.Data(), new StudyAnalysisOptions { Resamples = 50 });
        var inSample = findings.InSamplePolicy!;
        Assert.Equal("compute-optimal (predicted, chosen on test)", inSample.Name);
        Assert.NotNull(findings.InSampleVsWeightedBestOfN);
        // Chosen in-sample: the entry applied to a bin at a budget reports as its
        // selection accuracy exactly what it scores on that bin of the test split.
        Assert.NotEmpty(inSample.PerBin);
        foreach (var bin in inSample.PerBin)
            Assert.Equal(inSample.Policy.Choose(bin.Bin, bin.Budget)!.CalibrationAccuracy, bin.Accuracy, 12);
        Assert.NotEqual(findings.PredictedPolicy!.Policy.ToJson(), inSample.Policy.ToJson());
    }

    [Fact]
    public void PolicySelectionNeverReadsTestLabels()
    {
        var study = SyntheticStudy.Data();
        var options = new StudyAnalysisOptions { Resamples = 50 };
        var original = StudyAnalysis.Run(study, options);

        // Permute every test label: which samples are correct, and every result row's accuracy, across the test run.
        var test = study.Runs[1];
        var rng = new SplitMix64(99);
        bool[] correct = test.Samples.Select(s => s.Correct).ToArray();
        double[] accuracy = test.Results.Select(r => r.Accuracy).ToArray();
        Shuffle(correct, rng);
        Shuffle(accuracy, rng);
        var permuted = study with
        {
            Runs = [study.Runs[0], test with
            {
                Samples = test.Samples.Select((s, i) => s with { Correct = correct[i] }).ToArray(),
                Results = test.Results.Select((r, i) => r with { Accuracy = accuracy[i] }).ToArray(),
            }, study.Runs[2]],
        };
        var after = StudyAnalysis.Run(permuted, options);

        Assert.Equal(original.PredictedPolicy!.Policy.ToJson(), after.PredictedPolicy!.Policy.ToJson());
        Assert.Equal(original.OraclePolicy!.Policy.ToJson(), after.OraclePolicy!.Policy.ToJson());
        // The permutation did change what the test split says, so the evaluation moved while the choice did not.
        Assert.NotEqual(original.PredictedPolicy.Test.Select(t => t.Accuracy.Estimate), after.PredictedPolicy.Test.Select(t => t.Accuracy.Estimate));
    }

    [Fact]
    public void ThePredictedPolicyIsJudgedOverEveryPilotThePoolHolds()
    {
        // Majority is left out: its ties go to the earlier candidate, so its outcome depends on the order samples are
        // listed in even over the same subsets. Best-of-N's and weighted best-of-N's do not (scores do not tie).
        var study = SyntheticStudy.Data(problemsPerLevel: 2);
        study = study with { Runs = [.. study.Runs.Select(r => r with { Results = [.. r.Results.Where(x => x.Strategy != "majority")] })] };
        // A pool lists its two worst-scored samples first, and its best last: samples keep their scores, their places change.
        var test = study.Runs[1];
        var reordered = test.Samples.GroupBy(s => s.ProblemId).SelectMany(pool => pool.OrderBy(s => s.Score).Select((s, i) => s with { Index = i })).ToArray();
        var worstFirst = study with { Runs = [study.Runs[0], test with { Samples = reordered }, study.Runs[2]] };

        // All C(16, 2) = 120 pilots of every problem, and with each every draw of fresh samples (C(14, 2) = 91 at budget 4).
        var every = new StudyAnalysisOptions { PilotDraws = 120, Subsets = 120 * 91, Resamples = 20 };
        var original = StudyAnalysis.Run(study, every).PredictedPolicy!;
        var after = StudyAnalysis.Run(worstFirst, every).PredictedPolicy!;
        Assert.Equal(original.Policy.ToJson(), after.Policy.ToJson());
        Assert.Equal(original.Test.Select(t => t.Budget), after.Test.Select(t => t.Budget));
        foreach (var (before, reorderedPoint) in original.Test.Zip(after.Test))
        {
            Assert.Equal(10, before.Problems);   // problems, not problem–pilot pairs
            Assert.Equal(before.Accuracy.Estimate, reorderedPoint.Accuracy.Estimate, 12);
            Assert.Equal(before.Flops, reorderedPoint.Flops, before.Flops * 1e-12);
        }
        // Counts are of problems, though selection and bins see problem–pilot pairs (a problem's pilots may fall in several bins).
        Assert.All(original.Policy.Entries, e => Assert.InRange(e.CalibrationProblems, 1, 10));
        Assert.All(original.PerBin, b => Assert.InRange(b.Problems, 1, 10));
        Assert.All(original.PerBin.GroupBy(b => b.Budget), budget => Assert.InRange(budget.Sum(b => b.Problems), 10, 50));

        // With one pilot per problem, the same reordering moves the figures.
        var firstOnly = new StudyAnalysisOptions { PilotDraws = 1, Subsets = 91, Resamples = 20 };
        Assert.NotEqual(StudyAnalysis.Run(study, firstOnly).PredictedPolicy!.Test.Select(t => t.Accuracy.Estimate),
            StudyAnalysis.Run(worstFirst, firstOnly).PredictedPolicy!.Test.Select(t => t.Accuracy.Estimate));
    }

    private static void Shuffle<T>(T[] items, SplitMix64 rng)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(0, i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    [Fact]
    public void AStoreWithoutARunRecordIsAClearError()
    {
        string path = Path.Combine(_folder, "empty.db");
        using (SampleStore.Open(path)) { }
        var e = Assert.Throws<InvalidDataException>(() => StudyData.Load([path]));
        Assert.Equal($"{path}: the store records no run (no run_config)", e.Message);
    }

    [Fact]
    public void StoredOptionsKeysBecomeRegistryOptions()
    {
        Assert.Equal("t=0.8;n=16", Sweep.PoolKey(0.8f, 16));
        Assert.Equal("""{"temperature":0.8}""", Sweep.RegistryOptions("majority", "t=0.8;n=16"));
        Assert.Equal("""{"beamWidth":4}""", Sweep.RegistryOptions("beam", """{"beamWidth":4}"""));
        Assert.Throws<FormatException>(() => Sweep.RegistryOptions("majority", "n=16"));
    }
}
