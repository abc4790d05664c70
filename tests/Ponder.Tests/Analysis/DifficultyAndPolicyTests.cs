using Ponder.Analysis;

namespace Ponder.Tests.Analysis;

public sealed class DifficultyAndPolicyTests
{
    [Fact]
    public void QuantileBinsSplitDistinctValuesEvenlyWithBinOneEasiest()
    {
        var values = Enumerable.Range(0, 100).Select(i => i / 100.0).Reverse().ToArray();
        var bins = DifficultyBins.Fit(values);
        Assert.Equal(5, bins.Count);
        Assert.Equal([20, 20, 20, 20, 20], values.GroupBy(bins.BinOf).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(1, bins.BinOf(0.99));
        Assert.Equal(5, bins.BinOf(0.0));
        Assert.Equal(5, bins.BinOf(-1));   // outside the calibration range: the nearest end bin
        Assert.Equal(1, bins.BinOf(2));
    }

    [Fact]
    public void TiedValuesGoToTheEasierBin()
    {
        var bins = DifficultyBins.Fit([1, 1, 1, 1, 1, 1, 0.5, 0.25, 0, 0]);
        Assert.Equal(1, bins.BinOf(1));
        Assert.Equal(5, bins.BinOf(0));
        Assert.Throws<ArgumentException>(() => DifficultyBins.Fit([]));
        Assert.Throws<ArgumentException>(() => DifficultyBins.Fit([double.NaN]));
        Assert.Throws<ArgumentException>(() => new DifficultyBins([0.2, 0.5]));
    }

    private static readonly Configuration Majority = new("majority", """{"temperature":0.8}""");
    private static readonly Configuration Beam = new("beam", """{"beamWidth":4}""");
    private static readonly Configuration Weighted = new("weighted-best-of-n", """{"temperature":0.8}""");

    // 20 problems: p00–p09 easy (solvability 0.9), p10–p19 hard (0.1). On easy problems majority is as accurate as beam
    // and cheaper; on hard ones beam wins at budget 4 and weighted at budget 16.
    private static CalibrationSet Calibration()
    {
        var outcomes = new List<Outcome>();
        var solvability = new Dictionary<string, double>();
        for (int i = 0; i < 20; i++)
        {
            string id = $"p{i:00}";
            bool easy = i < 10;
            solvability[id] = easy ? 0.9 : 0.1;
            foreach (int budget in new[] { 4, 16 })
            {
                outcomes.Add(new Outcome(id, Majority, budget, easy ? 1 : 0.1, 1e9 * budget));
                outcomes.Add(new Outcome(id, Beam, budget, easy ? 1 : budget == 4 ? 0.5 : 0.3, 2e9 * budget));
                outcomes.Add(new Outcome(id, Weighted, budget, easy ? 0.9 : budget == 4 ? 0.2 : 0.6, 1.5e9 * budget));
            }
        }
        return new CalibrationSet(outcomes, solvability);
    }

    [Fact]
    public void SelectionPicksTheMostAccurateConfigurationThatFitsEachBudgetWithThePilotTiesToFewerFlops()
    {
        var policy = PolicySelection.Select(Calibration(), new PolicySelectionOptions { Difficulty = DifficultyMeasure.Predicted, Bins = 2 });
        // Majority and weighted reuse the pilot of 2 (4 and 16 generations); beam runs after it (2 + 4, 2 + 16).
        Assert.Equal([4, 6, 16, 18], policy.Budgets);
        Assert.Equal(2, policy.PilotSamples);
        Assert.All(policy.Entries, e => Assert.True(policy.GenerationsWithPilot(e) <= e.Budget));
        // Easy problems: majority at 4 is as accurate as anything and cheapest, so every budget spends 4.
        Assert.All(policy.Entries.Where(e => e.Bin == 1), e => Assert.Equal((Majority.Strategy, 4), (e.Strategy, e.RunBudget)));
        // Hard problems: beam at 4 (0.5) does not fit 4 generations with the pilot, so weighted at 4 (0.2) answers there;
        // from 6 up beam fits, and from 16 weighted at 16 (0.6) beats it.
        Assert.Equal([(Weighted.Strategy, 4), (Beam.Strategy, 4), (Weighted.Strategy, 16), (Weighted.Strategy, 16)],
            policy.Entries.Where(e => e.Bin == 2).Select(e => (e.Strategy, e.RunBudget)));
        Assert.Equal(Weighted.Strategy, policy.Choose(2, 5)!.Strategy);
        Assert.Equal(Beam.Strategy, policy.Choose(2, 15)!.Strategy);
        Assert.Null(policy.Choose(2, 3));
        var hard16 = policy.Entries.Single(e => e.Bin == 2 && e.Budget == 16);
        Assert.Equal(0.6, hard16.CalibrationAccuracy, 12);
        Assert.Equal((10, false), (hard16.CalibrationProblems, hard16.PooledFallback));
    }

    [Fact]
    public void AnOraclePolicyHasNoPilotToFit()
    {
        var policy = PolicySelection.Select(Calibration(), new PolicySelectionOptions { Difficulty = DifficultyMeasure.Oracle, Bins = 2 });
        Assert.Equal([4, 16], policy.Budgets);
        Assert.Equal((Beam.Strategy, 4), policy.Entries.Single(e => e.Bin == 2 && e.Budget == 4) is var e ? (e.Strategy, e.RunBudget) : default);
    }

    [Fact]
    public void AConfigurationMissingOnSomeProblemOfABinDoesNotCompete()
    {
        var calibration = Calibration();
        var partial = calibration with { Outcomes = calibration.Outcomes.Where(o => !(o.Configuration == Weighted && o.ProblemId == "p19")).ToArray() };
        var policy = PolicySelection.Select(partial, new PolicySelectionOptions { Difficulty = DifficultyMeasure.Predicted, Bins = 2 });
        Assert.Equal(Beam.Strategy, policy.Choose(2, 16)!.Strategy);
    }

    [Fact]
    public void AnEmptyBinFallsBackToAllCalibrationProblems()
    {
        var calibration = Calibration();
        // Five bins over two distinct values: ties leave bins 2–4 empty.
        var policy = PolicySelection.Select(calibration, new PolicySelectionOptions { Difficulty = DifficultyMeasure.Oracle });
        var empty = policy.Entries.Where(e => e.PooledFallback).ToArray();
        Assert.NotEmpty(empty);
        Assert.All(empty, e => Assert.Equal(20, e.CalibrationProblems));
        Assert.Throws<ArgumentException>(() => PolicySelection.Select(calibration, new PolicySelectionOptions()));
    }

    [Fact]
    public void UnitsOfOneProblemCountAsThatProblem()
    {
        // p00–p09 and p10–p19 as two pilots each of five problems: the same choices, counted in problems.
        var calibration = Calibration() with { ProblemOf = Enumerable.Range(0, 20).ToDictionary(i => $"p{i:00}", i => $"problem{i / 2}") };
        var policy = PolicySelection.Select(calibration, new PolicySelectionOptions { Difficulty = DifficultyMeasure.Predicted, Bins = 2 });
        var unitsAsProblems = PolicySelection.Select(Calibration(), new PolicySelectionOptions { Difficulty = DifficultyMeasure.Predicted, Bins = 2 });
        Assert.Equal(unitsAsProblems.Entries.Select(e => e with { CalibrationProblems = 5 }), policy.Entries);
    }

    [Fact]
    public void PolicyJsonRoundTrips()
    {
        var policy = PolicySelection.Select(Calibration(),
            new PolicySelectionOptions { Difficulty = DifficultyMeasure.Predicted, Bins = 2, PilotSamples = 3, Verifier = "confidence:arith-small" });
        string json = policy.ToJson();
        var read = ComputeOptimalPolicy.Parse(json);
        Assert.Equal(json, read.ToJson());
        Assert.Equal(policy.Entries, read.Entries);
        Assert.Equal((DifficultyMeasure.Predicted, 3, 0.8f, "confidence:arith-small"), (read.Difficulty, read.PilotSamples, read.PilotTemperature, read.Verifier));
        // A file written before the verifier was recorded reads as one whose verifier is unknown.
        Assert.Null(ComputeOptimalPolicy.Parse(json.Replace("\"verifier\": \"confidence:arith-small\",", "")).Verifier);
        Assert.Equal(policy.Bins.Thresholds, read.Bins.Thresholds);

        string path = Path.Combine(Path.GetTempPath(), $"ponder-policy-{Guid.NewGuid():N}.json");
        try
        {
            policy.Save(path);
            Assert.Equal(json, ComputeOptimalPolicy.Load(path).ToJson());
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "the policy must be a JSON object")]
    [InlineData("""{"format": "other", "version": 1}""", "format is \"other\", expected \"ponder-compute-optimal-policy\"")]
    [InlineData("""{"format": "ponder-compute-optimal-policy", "version": 2}""", "policy format version 2, this Ponder reads version 1")]
    [InlineData("""{"format": "ponder-compute-optimal-policy", "version": 1, "difficulty": "magic"}""", "difficulty is \"magic\"")]
    [InlineData("""{"format": "ponder-compute-optimal-policy", "version": 1, "difficulty": "oracle", "thresholds": [0.5], "entries": [{"bin": 1}]}""", "entry 1: \"options\" must be a JSON object")]
    [InlineData("""{"format": "ponder-compute-optimal-policy", "version": 1, "difficulty": "oracle", "pilot_samples": 4, "pilot_temperature": 0.8, "thresholds": [0.5], "entries": [{"bin": 1, "budget": 4, "strategy": "majority", "options": {}, "calibration_accuracy": 1, "calibration_flops": 1, "calibration_problems": 3}]}""", "the policy needs exactly one entry for bin 2 at budget 4, has 0")]
    [InlineData("""{"format": "ponder-compute-optimal-policy", "version": 1, "difficulty": "oracle", "pilot_samples": 4, "pilot_temperature": 0.8, "thresholds": [0.5], "entries": [{"bin": 1, "budget": "four", "strategy": "majority", "options": {}}]}""", "entry 1: \"budget\" must be an integer")]
    public void MalformedPolicyFilesFailNamingTheFileAndTheProblem(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => ComputeOptimalPolicy.Parse(json, "my-policy.json"));
        Assert.StartsWith("my-policy.json: ", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
