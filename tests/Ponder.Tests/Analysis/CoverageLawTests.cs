using Ponder.Analysis;

namespace Ponder.Tests.Analysis;

public sealed class CoverageLawTests
{
    [Theory]
    [InlineData(-1.2, -0.6)]
    [InlineData(-2.5, -0.3)]
    [InlineData(-0.4, -1.1)]
    public void RecoversKnownParametersFromExactCurves(double a, double b)
    {
        var points = CoverageLaw.LogSpacedK(1024).Select(k => (k, Math.Exp(a * Math.Pow(k, b)))).ToArray();
        var fit = CoverageLaw.Fit(points)!;
        Assert.Equal(a, fit.A, 4);
        Assert.Equal(b, fit.B, 4);
        Assert.True(fit.RmsLogError < 1e-6);
        Assert.Equal(11, fit.Points);
    }

    [Fact]
    public void RecoversKnownParametersFromNoisyCurves()
    {
        const double a = -1.5, b = -0.5;
        var rng = new SplitMix64(9);
        var points = CoverageLaw.LogSpacedK(256).Select(k => (k, Math.Exp(a * Math.Pow(k, b)) * (1 + 0.01 * rng.NextGaussian()))).ToArray();
        var fit = CoverageLaw.Fit(points)!;
        Assert.InRange(fit.A, a - 0.1, a + 0.1);
        Assert.InRange(fit.B, b - 0.05, b + 0.05);
    }

    [Fact]
    public void ExtrapolatesSamplesForATargetCoverage()
    {
        var fit = new CoverageLawFit(-1.2, -0.6, 0, 0, 5);
        double k = fit.SamplesFor(0.9)!.Value;
        Assert.Equal(0.9, fit.CoverageAt(k), 9);
        Assert.Equal(Math.Pow(Math.Log(0.9) / -1.2, 1 / -0.6), k, 9);
        Assert.Equal(1, new CoverageLawFit(-0.01, -0.5, 0, 0, 5).SamplesFor(0.9));   // already above 90% at one sample
        Assert.Null(new CoverageLawFit(-1, 0, 0, 0, 5).SamplesFor(0.9));            // flat below the target: never
        Assert.Equal(new CoverageLawFit(0, 0, 0, 0, 2), CoverageLaw.Fit([(1, 1.0), (2, 1.0)]));
        Assert.Null(CoverageLaw.Fit([(1, 0.0), (2, 0.0), (4, 0.3)]));               // one usable point
    }

    [Fact]
    public void EstimateFromProblemsIntervalsTheSamplesNeeded()
    {
        // 40 problems of 64 samples, each with its own per-sample success rate: a mixture whose coverage climbs slowly.
        var rng = new SplitMix64(4);
        var problems = Enumerable.Range(0, 40).Select(i =>
        {
            double p = 0.002 + 0.4 * i / 40.0;
            int correct = Enumerable.Range(0, 64).Count(_ => rng.NextBool(p));
            return (64, correct);
        }).ToArray();
        var estimate = CoverageLaw.Estimate(problems, seed: 2, resamples: 200)!;
        Assert.Equal(CoverageLaw.LogSpacedK(64), estimate.Curve.Select(c => c.K));
        Assert.True(estimate.Fit.A < 0 && estimate.Fit.B < 0, $"a, b < 0 expected, got {estimate.Fit}");
        Assert.NotNull(estimate.SamplesNeeded);
        Assert.InRange(estimate.SamplesNeeded!.Value, estimate.SamplesNeededLow!.Value, estimate.SamplesNeededHigh!.Value);
    }
}
