using System.Globalization;

namespace Ponder.Analysis;

/// <summary>
/// Accuracy as a function of compute, from measured (FLOPs, accuracy) points, read in log-FLOPs: accuracy at a FLOP
/// count, and the FLOPs needed to reach an accuracy. Both read the curve's upper envelope (the best accuracy reached at
/// or below a FLOP count), so that "FLOPs needed" is well defined when a curve dips.
/// </summary>
/// <remarks>Immutable; thread-safe.</remarks>
public sealed class AccuracyCurve
{
    private readonly ComputePoint[] _envelope;

    /// <summary>A curve through <paramref name="points"/> (any order).</summary>
    /// <exception cref="ArgumentException">No points, or a point with FLOPs ≤ 0 or a non-finite accuracy.</exception>
    public AccuracyCurve(string name, IEnumerable<ComputePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        Name = name;
        Points = points.OrderBy(p => p.Flops).ToArray();
        if (Points.Count == 0) throw new ArgumentException($"curve {name} has no points");
        if (Points.FirstOrDefault(p => !(p.Flops > 0) || !double.IsFinite(p.Flops) || !double.IsFinite(p.Accuracy)) is { } bad)
            throw new ArgumentException($"curve {name}: point {bad.Label} has FLOPs {bad.Flops} and accuracy {bad.Accuracy}; FLOPs must be > 0 and both finite");
        _envelope = ParetoFrontier.Of(Points).ToArray();
    }

    /// <summary>The curve's name, e.g. "weighted-best-of-n".</summary>
    public string Name { get; }

    /// <summary>The measured points by increasing FLOPs.</summary>
    public IReadOnlyList<ComputePoint> Points { get; }

    /// <summary>Lowest accuracy of the envelope (at its cheapest point).</summary>
    public double MinAccuracy => _envelope[0].Accuracy;

    /// <summary>Highest accuracy reached.</summary>
    public double MaxAccuracy => _envelope[^1].Accuracy;

    /// <summary>
    /// The fewest FLOPs at which the envelope reaches <paramref name="accuracy"/>, interpolated linearly in log-FLOPs
    /// between measured points; null outside [<see cref="MinAccuracy"/>, <see cref="MaxAccuracy"/>].
    /// </summary>
    public double? FlopsToReach(double accuracy)
    {
        if (accuracy > MaxAccuracy || accuracy < MinAccuracy) return null;
        if (accuracy <= _envelope[0].Accuracy) return _envelope[0].Flops;
        for (int i = 1; i < _envelope.Length; i++)
        {
            var (low, high) = (_envelope[i - 1], _envelope[i]);
            if (accuracy > high.Accuracy) continue;
            double t = (accuracy - low.Accuracy) / (high.Accuracy - low.Accuracy);
            return Math.Exp(Math.Log(low.Flops) + t * (Math.Log(high.Flops) - Math.Log(low.Flops)));
        }
        return _envelope[^1].Flops;
    }

    /// <summary>
    /// The envelope's accuracy at <paramref name="flops"/>, interpolated linearly in log-FLOPs; beyond the most expensive
    /// point, the highest accuracy reached; null below the cheapest point (the configuration cannot be afforded).
    /// </summary>
    public double? AccuracyAt(double flops)
    {
        if (flops < _envelope[0].Flops) return null;
        for (int i = 1; i < _envelope.Length; i++)
        {
            var (low, high) = (_envelope[i - 1], _envelope[i]);
            if (flops > high.Flops) continue;
            double t = (Math.Log(flops) - Math.Log(low.Flops)) / (Math.Log(high.Flops) - Math.Log(low.Flops));
            return low.Accuracy + t * (high.Accuracy - low.Accuracy);
        }
        return MaxAccuracy;
    }
}

/// <summary>How many times fewer FLOPs a policy needs than a baseline for the same accuracy.</summary>
/// <param name="Baseline">The baseline curve's name.</param>
/// <param name="Policy">The policy curve's name.</param>
/// <param name="GeometricMean">The geometric mean of the multiplier over the accuracy range both curves reach (the headline figure).</param>
/// <param name="AccuracyLow">Lower end of the shared accuracy range.</param>
/// <param name="AccuracyHigh">Upper end of the shared accuracy range.</param>
/// <param name="Samples">(accuracy, baseline FLOPs ÷ policy FLOPs) at evenly spaced accuracies of the shared range.</param>
/// <param name="Interval">The geometric mean's percentile bootstrap interval over problems, when measured per problem.</param>
/// <param name="LowerBound">True when the policy's cheapest point is above every accuracy the baseline reaches, so the
/// curves share no accuracy: the figure is then the baseline's FLOPs for its best accuracy ÷ the policy's cheapest FLOPs,
/// which reach more — a lower bound on the multiplier at that accuracy (the policy may need fewer FLOPs than it spent).</param>
public sealed record EfficiencyComparison(
    string Baseline, string Policy, double GeometricMean, double AccuracyLow, double AccuracyHigh,
    IReadOnlyList<(double Accuracy, double Multiplier)> Samples, (double Low, double High)? Interval = null, bool LowerBound = false)
{
    /// <summary>"2.56×", or "≥ 1.95×" for a lower bound.</summary>
    public string MultiplierText => string.Create(CultureInfo.InvariantCulture, $"{(LowerBound ? "≥ " : "")}{GeometricMean:F2}×");

    /// <summary>"1.00–5.08×", or null without an interval.</summary>
    public string? IntervalText => Interval is { } i ? string.Create(CultureInfo.InvariantCulture, $"{i.Low:F2}–{i.High:F2}×") : null;
}

/// <summary>
/// The efficiency multiplier of DESIGN.md §7: FLOPs the baseline needs to reach an accuracy ÷ FLOPs the policy needs,
/// interpolated in log-FLOPs, over the accuracy range both reach.
/// </summary>
/// <remarks>Pure; thread-safe.</remarks>
public static class EfficiencyMultiplier
{
    /// <summary>
    /// The multiplier at <paramref name="samples"/> evenly spaced accuracies of the range both curves reach (both ends
    /// included), summarised by their geometric mean. When the policy's cheapest point is above the baseline's best
    /// accuracy, a lower bound at that accuracy (<see cref="EfficiencyComparison.LowerBound"/>); null when the policy
    /// never reaches the baseline's lowest accuracy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is below 2.</exception>
    public static EfficiencyComparison? Compare(AccuracyCurve baseline, AccuracyCurve policy, int samples = 21)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        double low = Math.Max(baseline.MinAccuracy, policy.MinAccuracy), high = Math.Min(baseline.MaxAccuracy, policy.MaxAccuracy);
        if (low > high)
        {
            if (policy.MaxAccuracy < baseline.MinAccuracy) return null;
            double best = baseline.MaxAccuracy, bound = baseline.FlopsToReach(best)!.Value / policy.FlopsToReach(policy.MinAccuracy)!.Value;
            return new EfficiencyComparison(baseline.Name, policy.Name, bound, best, best, [(best, bound)], LowerBound: true);
        }
        var points = new List<(double, double)>(samples);
        double logSum = 0;
        for (int i = 0; i < samples; i++)
        {
            double accuracy = Math.Min(high, low + (high - low) * i / (samples - 1));
            double ratio = baseline.FlopsToReach(accuracy)!.Value / policy.FlopsToReach(accuracy)!.Value;
            points.Add((accuracy, ratio));
            logSum += Math.Log(ratio);
        }
        return new EfficiencyComparison(baseline.Name, policy.Name, Math.Exp(logSum / samples), low, high, points);
    }

    /// <summary>
    /// <see cref="Compare(AccuracyCurve, AccuracyCurve, int)"/> on the two curves' means over the problems both measured,
    /// with the geometric mean's <paramref name="confidence"/> percentile bootstrap interval: each resample draws those
    /// problems with replacement and rebuilds both curves from them (paired: one draw for both). The interval errs low: a
    /// resample where the policy is above the whole baseline contributes its lower bound, one where the policy never
    /// reaches the baseline contributes 0. Null when the curves share no problem, or the policy never reaches the baseline.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is below 2.</exception>
    /// <exception cref="ArgumentException">Resamples below 1 or confidence outside (0, 1).</exception>
    public static EfficiencyComparison? Compare(ProblemCurve baseline, ProblemCurve policy, ulong seed, int resamples = Bootstrap.DefaultResamples,
        int samples = 21, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        if (resamples < 1) throw new ArgumentException($"resamples must be ≥ 1, got {resamples}", nameof(resamples));
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentException($"confidence must be in (0, 1), got {confidence}", nameof(confidence));
        var shared = baseline.Problems.Intersect(policy.Problems, StringComparer.Ordinal).ToArray();
        if (shared.Length == 0) return null;
        if (Compare(baseline.Over(shared), policy.Over(shared), samples) is not { } estimate) return null;
        var interval = Bootstrap.Percentiles(shared.Length, seed, resamples, confidence, indices =>
        {
            var drawn = indices.Select(i => shared[i]).ToArray();
            return Compare(baseline.Over(drawn), policy.Over(drawn), samples)?.GeometricMean ?? 0;
        });
        return estimate with { Interval = interval };
    }
}
