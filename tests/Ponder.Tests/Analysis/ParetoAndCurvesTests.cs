using Ponder.Analysis;

namespace Ponder.Tests.Analysis;

public sealed class ParetoAndCurvesTests
{
    [Fact]
    public void TheFrontierKeepsExactlyTheNonDominatedPoints()
    {
        ComputePoint[] points =
        [
            new("a", 10, 0.50), new("b", 20, 0.45), new("c", 20, 0.60), new("d", 40, 0.60),
            new("e", 5, 0.30), new("f", 80, 0.75), new("g", 80, 0.70), new("h", 100, 0.74),
        ];
        Assert.Equal(["e", "a", "c", "f"], ParetoFrontier.Of(points).Select(p => p.Label));
        Assert.Empty(ParetoFrontier.Of([]));
        Assert.Equal(["x"], ParetoFrontier.Of([new("x", 1, 0.5), new("y", 1, 0.5)]).Select(p => p.Label));
        Assert.Throws<ArgumentException>(() => ParetoFrontier.Of([new("nan", double.NaN, 0.5)]));
    }

    [Fact]
    public void AccuracyCurvesInterpolateInLogFlops()
    {
        var curve = new AccuracyCurve("c", [new("1", 100, 0.2), new("2", 10_000, 0.6), new("3", 1_000_000, 0.5)]);
        Assert.Equal(0.6, curve.MaxAccuracy);
        Assert.Equal(1_000, curve.FlopsToReach(0.4)!.Value, 6);   // halfway in accuracy is halfway in log-FLOPs
        Assert.Equal(100, curve.FlopsToReach(0.2));
        Assert.Null(curve.FlopsToReach(0.7));
        Assert.Equal(0.4, curve.AccuracyAt(1_000)!.Value, 9);
        Assert.Equal(0.6, curve.AccuracyAt(1e9));                  // the dip after 1e4 FLOPs is not on the envelope
        Assert.Null(curve.AccuracyAt(10));
    }

    [Fact]
    public void EfficiencyMultiplierOfACurveShiftedFourfoldInFlopsIsFour()
    {
        ComputePoint[] policy = [new("1", 1e9, 0.30), new("4", 4e9, 0.50), new("16", 16e9, 0.62), new("64", 64e9, 0.70)];
        var baseline = new AccuracyCurve("baseline", policy.Select(p => p with { Flops = p.Flops * 4 }));
        var comparison = EfficiencyMultiplier.Compare(baseline, new AccuracyCurve("policy", policy))!;
        Assert.Equal(4, comparison.GeometricMean, 9);
        Assert.All(comparison.Samples, s => Assert.Equal(4, s.Multiplier, 9));
        Assert.Equal((0.30, 0.70), (comparison.AccuracyLow, comparison.AccuracyHigh));
    }

    [Fact]
    public void EfficiencyMultiplierUsesOnlyTheAccuracyRangeBothReach()
    {
        // Baseline reaches 0.2–0.5; the policy 0.4–0.8, at 1e9 FLOPs for 0.4 and 1e10 for 0.8. On [0.4, 0.5] the baseline
        // needs 1e10 → 1e11 and the policy 1e9 → 10^9.25: multipliers 10 → 10^1.75.
        var baseline = new AccuracyCurve("b", [new("1", 1e9, 0.2), new("2", 1e10, 0.4), new("3", 1e11, 0.5)]);
        var policy = new AccuracyCurve("p", [new("1", 1e9, 0.4), new("2", 1e10, 0.8)]);
        var comparison = EfficiencyMultiplier.Compare(baseline, policy, samples: 3)!;
        Assert.Equal((0.4, 0.5), (comparison.AccuracyLow, comparison.AccuracyHigh));
        Assert.Equal(10, comparison.Samples[0].Multiplier, 6);
        Assert.Equal(Math.Pow(10, 1.75), comparison.Samples[2].Multiplier, 6);
        Assert.False(comparison.LowerBound);
    }

    [Fact]
    public void APolicyAboveTheWholeBaselineGetsALowerBoundAndOneBelowItNone()
    {
        // The baseline tops out at 0.5 for 8e9 FLOPs; the policy's cheapest point already reaches 0.6 with 1e9.
        var baseline = new AccuracyCurve("b", [new("1", 1e9, 0.3), new("2", 4e9, 0.5), new("3", 8e9, 0.45)]);
        var policy = new AccuracyCurve("p", [new("1", 1e9, 0.6), new("2", 2e9, 0.7)]);
        var bound = EfficiencyMultiplier.Compare(baseline, policy)!;
        Assert.True(bound.LowerBound);
        Assert.Equal(4, bound.GeometricMean, 9);               // 0.5 costs the baseline 4e9 (its envelope), the policy at most 1e9
        Assert.Equal((0.5, 0.5), (bound.AccuracyLow, bound.AccuracyHigh));
        Assert.Null(EfficiencyMultiplier.Compare(policy, baseline));
    }

    // A curve measured per problem: at each budget, problem i's FLOPs and accuracy from the given functions.
    private static ProblemCurve PerProblem(string name, int problems, int[] budgets, Func<int, int, double> flops, Func<int, int, double> accuracy) =>
        new(name, budgets.Select(b => ($"@{b}", (IReadOnlyDictionary<string, ProblemOutcome>)Enumerable.Range(0, problems)
            .ToDictionary(i => $"p{i:D3}", i => new ProblemOutcome(flops(i, b), accuracy(i, b))))));

    [Fact]
    public void TheBootstrappedMultiplierIsTheMeansMultiplierWithAnIntervalOverProblems()
    {
        int[] budgets = [1, 2, 4, 8];
        // Every problem alike: no resample differs from the whole, so the interval is the point.
        var baseline = PerProblem("b", 30, budgets, (_, b) => 4e9 * b, (_, b) => 0.2 + 0.1 * Math.Log2(b));
        var policy = PerProblem("p", 30, budgets, (_, b) => 1e9 * b, (_, b) => 0.2 + 0.1 * Math.Log2(b));
        var alike = EfficiencyMultiplier.Compare(baseline, policy, seed: 5, resamples: 200)!;
        Assert.Equal(4, alike.GeometricMean, 9);
        Assert.Equal(4, alike.Interval!.Value.Low, 9);
        Assert.Equal(4, alike.Interval!.Value.High, 9);

        // Problems that differ: the estimate is the one of the mean curves; the interval has width and is the same for a seed.
        var noisyPolicy = PerProblem("p", 30, budgets, (i, b) => (0.5 + i % 3) * 1e9 * b, (i, b) => Math.Min(1, (i % 5) * 0.1 + 0.1 * Math.Log2(b)));
        var noisy = EfficiencyMultiplier.Compare(baseline, noisyPolicy, seed: 5, resamples: 200)!;
        Assert.Equal(EfficiencyMultiplier.Compare(baseline.Mean(), noisyPolicy.Mean())!.GeometricMean, noisy.GeometricMean, 12);
        Assert.True(noisy.Interval!.Value.Low < noisy.Interval.Value.High);
        Assert.Equal(noisy.Interval, EfficiencyMultiplier.Compare(baseline, noisyPolicy, seed: 5, resamples: 200)!.Interval);

        // Paired: both curves are rebuilt from one draw. Problems differ, but each costs the policy a quarter of what it
        // costs the baseline for the same accuracy, so every resample says 4 (independent draws would scatter).
        var varied = PerProblem("b", 30, budgets, (i, b) => (1 + i % 7) * 4e9 * b, (i, b) => Math.Min(1, (i % 4) * 0.15 + 0.1 * Math.Log2(b)));
        var quarter = PerProblem("p", 30, budgets, (i, b) => (1 + i % 7) * 1e9 * b, (i, b) => Math.Min(1, (i % 4) * 0.15 + 0.1 * Math.Log2(b)));
        var paired = EfficiencyMultiplier.Compare(varied, quarter, seed: 5, resamples: 200)!;
        Assert.Equal(4, paired.Interval!.Value.Low, 9);
        Assert.Equal(4, paired.Interval!.Value.High, 9);

        // Only the problems both curves measured count; none shared, no comparison.
        Assert.Null(EfficiencyMultiplier.Compare(baseline, new ProblemCurve("q", [("@1", new Dictionary<string, ProblemOutcome> { ["other"] = new(1e9, 0.5) })]), seed: 5));
    }

    [Fact]
    public void AProblemCurveMeasuresTheSameProblemsAtEveryPoint()
    {
        var error = Assert.Throws<ArgumentException>(() => new ProblemCurve("c", [
            ("@1", new Dictionary<string, ProblemOutcome> { ["a"] = new(1, 0.5), ["b"] = new(1, 0.5) }),
            ("@2", new Dictionary<string, ProblemOutcome> { ["a"] = new(2, 0.6) }),
        ]));
        Assert.Equal("curve c: point @2 measured other problems than point @1", error.Message);
        Assert.Throws<ArgumentException>(() => new ProblemCurve("empty", []));
    }

    [Fact]
    public void FlopsMatchedAllowsTheSmallModelTheLargeOnesFlopsAndMoreWithPretraining()
    {
        Assert.Equal(4 + 9 / 0.1, FlopsMatched.PretrainingMultiplier(4, 0.1), 9);
        Assert.Equal(4, FlopsMatched.PretrainingMultiplier(4, double.PositiveInfinity), 9);
        var small = new AccuracyCurve("small", [new("1", 1e9, 0.3), new("16", 16e9, 0.7)]);
        var rows = FlopsMatched.Compare(bin: 2, largeAccuracy: 0.5, largeFlops: 4e9, small, parameterRatio: 4, ratios: [0.1, 1, 10]);
        Assert.Equal([null, 0.1, 1, 10], rows.Select(r => r.InferenceToPretraining));
        Assert.Equal(0.5, rows[0].SmallAccuracy!.Value, 9);           // 4e9 is halfway in log-FLOPs from 1e9 to 16e9
        Assert.Equal("tie", rows[0].Winner);
        Assert.Equal(1e9 * (4 + 3.0 * 3 / 1), rows[2].SmallFlopsAllowed, 3);
        Assert.Equal("small", rows[1].Winner);                       // with R = 0.1 the small model may spend 94e9
        var poor = FlopsMatched.Compare(1, 0.5, 1e8, small, parameterRatio: null, ratios: [1]);
        Assert.Single(poor);
        Assert.Null(poor[0].SmallAccuracy);
        Assert.Equal("large", poor[0].Winner);
    }

    [Fact]
    public void VerifierCeilingFollowsTheFormulaAndResamplingApproachesIt()
    {
        (double, bool)[] samples = [(0.9, true), (0.8, true), (0.3, true), (0.2, false), (0.7, false), (0.1, false), (0.4, false), (0.6, true)];
        var q = VerifierQuality.Measure(samples, threshold: 0.5);
        Assert.Equal(0.5, q.SampleAccuracy);
        Assert.Equal(0.75, q.Completeness);
        Assert.Equal(0.75, q.Soundness);
        Assert.Equal(0.75 * 0.5 / (0.75 * 0.5 + 0.5 * 0.25), q.Ceiling, 12);
        Assert.Equal(0.75 * 0.5, q.AccuracyWithAttempts(1), 12);
        Assert.Equal(q.Ceiling, q.AccuracyWithAttempts(200), 9);
        Assert.True(VerifierQuality.AccuracyCeiling(1, 0.3, 1) == 1, "a perfect verifier's ceiling is 1");
        Assert.True(double.IsNaN(VerifierQuality.AccuracyCeiling(0, 0.3, 1)), "a verifier that accepts nothing has no ceiling");
    }
}
