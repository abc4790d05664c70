namespace Ponder.Analysis;

/// <summary>A fitted coverage law log(coverage) = a·k^b.</summary>
/// <param name="A">a (≤ 0): log coverage at one sample.</param>
/// <param name="B">b (&lt; 0 for coverage that grows towards 1; 0 when coverage is already 1 at every k).</param>
/// <param name="RmsLogError">Root-mean-square residual in log coverage over the fitted points.</param>
/// <param name="MaxCoverageError">Largest |observed − fitted| coverage over the fitted points.</param>
/// <param name="Points">Points fitted.</param>
public sealed record CoverageLawFit(double A, double B, double RmsLogError, double MaxCoverageError, int Points)
{
    /// <summary>Coverage the law predicts at <paramref name="k"/> samples: exp(a·k^b).</summary>
    public double CoverageAt(double k) => Math.Exp(A * Math.Pow(k, B));

    /// <summary>
    /// Samples the law needs for <paramref name="coverage"/>: k = (log coverage / a)^(1/b), at least 1; null when the law
    /// never reaches it (b ≥ 0 with coverage at one sample below the target).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="coverage"/> is not in (0, 1).</exception>
    public double? SamplesFor(double coverage)
    {
        if (!(coverage > 0 && coverage < 1)) throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "coverage must be in (0, 1)");
        if (CoverageAt(1) >= coverage) return 1;
        if (B >= 0) return null;
        return Math.Max(1, Math.Pow(Math.Log(coverage) / A, 1 / B));
    }
}

/// <summary>A coverage law with its extrapolation to a target coverage and a bootstrap interval over problems.</summary>
/// <param name="Fit">The law fitted to all problems.</param>
/// <param name="TargetCoverage">The coverage extrapolated to (0.9 by default).</param>
/// <param name="SamplesNeeded">Samples the law needs for the target; null when it never reaches it.</param>
/// <param name="SamplesNeededLow">Lower end of the 95 % bootstrap interval of <paramref name="SamplesNeeded"/>.</param>
/// <param name="SamplesNeededHigh">Upper end; +∞ when some resamples never reach the target.</param>
/// <param name="Curve">The observed coverage at each fitted k (mean unbiased pass@k over problems).</param>
public sealed record CoverageLawEstimate(
    CoverageLawFit Fit, double TargetCoverage, double? SamplesNeeded, double? SamplesNeededLow, double? SamplesNeededHigh,
    IReadOnlyList<(int K, double Coverage)> Curve);

/// <summary>
/// The coverage law of Large Language Monkeys: coverage(k) ≈ exp(a·k^b) with a, b &lt; 0, fitted by least squares in
/// log coverage on log-spaced k, and extrapolated ("samples needed for 90 % coverage") with a bootstrap over problems.
/// </summary>
/// <remarks>Pure; thread-safe.</remarks>
public static class CoverageLaw
{
    // The search range of b: laws flatter than k^-0 never grow, and steeper than k^-4 are indistinguishable at k ≥ 2.
    private const double MinExponent = -4, MaxExponent = 0;

    /// <summary>1, 2, 4, … up to <paramref name="samples"/>, and <paramref name="samples"/> itself.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is below 1.</exception>
    public static IReadOnlyList<int> LogSpacedK(int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var ks = new List<int>();
        for (int k = 1; k < samples; k *= 2) ks.Add(k);
        ks.Add(samples);
        return ks;
    }

    /// <summary>Mean unbiased pass@k over problems given as (samples, correct) counts.</summary>
    /// <exception cref="ArgumentException">No problems, or k exceeds a problem's samples.</exception>
    public static double Coverage(IReadOnlyList<(int Samples, int Correct)> problems, int k)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0) throw new ArgumentException("no problems to measure coverage on", nameof(problems));
        return problems.Average(p => PassAtK.Estimate(p.Samples, p.Correct, k));
    }

    /// <summary>
    /// The least-squares law through (k, coverage) points: minimises Σ (log coverage − a·k^b)². For a fixed b the best a
    /// is linear (a = Σ y·x / Σ x², x = k^b), so b is searched on a grid and refined by golden section. Points with
    /// coverage 0 carry no finite log and are left out. Null with fewer than two usable points at distinct k.
    /// </summary>
    /// <exception cref="ArgumentException">A k below 1 or a coverage outside [0, 1].</exception>
    public static CoverageLawFit? Fit(IReadOnlyList<(int K, double Coverage)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        foreach (var (k, coverage) in points)
            if (k < 1 || !(coverage >= 0 && coverage <= 1))
                throw new ArgumentException($"coverage law points need k ≥ 1 and coverage in [0, 1], got k {k}, coverage {coverage}");
        var usable = points.Where(p => p.Coverage > 0).ToArray();
        if (usable.Select(p => p.K).Distinct().Count() < 2) return null;
        double[] ks = usable.Select(p => (double)p.K).ToArray();
        double[] ys = usable.Select(p => Math.Log(p.Coverage)).ToArray();
        // Coverage 1 at every k fits a = 0 with any b; b = 0 says the law is flat rather than picking an arbitrary exponent.
        if (ys.All(y => y == 0)) return new CoverageLawFit(0, 0, 0, 0, ks.Length);

        double bestB = MaxExponent, bestLoss = double.PositiveInfinity;
        const int GridSteps = 400;
        for (int i = 0; i <= GridSteps; i++)
        {
            double b = MinExponent + (MaxExponent - MinExponent) * i / GridSteps;
            double loss = Loss(ks, ys, b);
            if (loss < bestLoss) (bestB, bestLoss) = (b, loss);
        }
        double step = (MaxExponent - MinExponent) / GridSteps;
        double lo = Math.Max(MinExponent, bestB - step), hi = Math.Min(MaxExponent, bestB + step);
        double ratio = (Math.Sqrt(5) - 1) / 2;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo);
            if (Loss(ks, ys, x1) <= Loss(ks, ys, x2)) hi = x2; else lo = x1;
        }
        double fittedB = (lo + hi) / 2;
        if (Loss(ks, ys, bestB) < Loss(ks, ys, fittedB)) fittedB = bestB;
        double a = BestA(ks, ys, fittedB);
        double rms = Math.Sqrt(Loss(ks, ys, fittedB) / ks.Length);
        double maxError = usable.Max(p => Math.Abs(p.Coverage - Math.Exp(a * Math.Pow(p.K, fittedB))));
        return new CoverageLawFit(a, fittedB, rms, maxError, ks.Length);
    }

    /// <summary>
    /// Fits the law to the mean coverage of <paramref name="problems"/> ((samples, correct) counts; k log-spaced up to the
    /// smallest pool) and extrapolates it to <paramref name="targetCoverage"/> with a 95 % bootstrap interval over problems.
    /// Null when the law cannot be fitted (fewer than two samples per problem, or no coverage at all).
    /// </summary>
    /// <exception cref="ArgumentException">No problems, or the target is not in (0, 1).</exception>
    public static CoverageLawEstimate? Estimate(IReadOnlyList<(int Samples, int Correct)> problems, ulong seed,
        double targetCoverage = 0.9, int resamples = Bootstrap.DefaultResamples)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0) throw new ArgumentException("no problems to fit a coverage law to", nameof(problems));
        if (!(targetCoverage > 0 && targetCoverage < 1)) throw new ArgumentException($"target coverage must be in (0, 1), got {targetCoverage}", nameof(targetCoverage));
        var ks = LogSpacedK(problems.Min(p => p.Samples));
        var curve = ks.Select(k => (k, Coverage(problems, k))).ToArray();
        if (Fit(curve) is not { } fit) return null;
        // A resample whose law never reaches the target needs infinitely many samples: it belongs in the interval.
        var interval = Bootstrap.Percentiles(problems.Count, seed, resamples, 0.95, indices =>
        {
            var resampled = indices.Select(i => problems[i]).ToArray();
            var law = Fit(ks.Select(k => (k, Coverage(resampled, k))).ToArray());
            return law is null ? null : law.SamplesFor(targetCoverage) ?? double.PositiveInfinity;
        });
        return new CoverageLawEstimate(fit, targetCoverage, fit.SamplesFor(targetCoverage), interval?.Low, interval?.High, curve);
    }

    private static double BestA(double[] ks, double[] ys, double b)
    {
        double xy = 0, xx = 0;
        for (int i = 0; i < ks.Length; i++)
        {
            double x = Math.Pow(ks[i], b);
            xy += x * ys[i];
            xx += x * x;
        }
        return Math.Min(0, xy / xx);
    }

    private static double Loss(double[] ks, double[] ys, double b)
    {
        double a = BestA(ks, ys, b), loss = 0;
        for (int i = 0; i < ks.Length; i++)
        {
            double r = ys[i] - a * Math.Pow(ks[i], b);
            loss += r * r;
        }
        return loss;
    }
}
