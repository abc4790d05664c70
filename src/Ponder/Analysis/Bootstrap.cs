namespace Ponder.Analysis;

/// <summary>A point estimate with a confidence interval.</summary>
/// <param name="Estimate">The statistic on the whole sample.</param>
/// <param name="Low">Lower end of the interval.</param>
/// <param name="High">Upper end of the interval.</param>
public readonly record struct Interval(double Estimate, double Low, double High);

/// <summary>
/// Percentile bootstrap over problems: resample the problems with replacement, recompute the statistic, and take the
/// central quantiles of the recomputed values. Every resample derives from one seed, so intervals are reproducible.
/// </summary>
/// <remarks>Pure; thread-safe.</remarks>
public static class Bootstrap
{
    /// <summary>Default number of resamples.</summary>
    public const int DefaultResamples = 1000;

    /// <summary>The mean of <paramref name="values"/> (one per problem) with its <paramref name="confidence"/> percentile bootstrap interval.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty, or resamples or confidence are out of range.</exception>
    public static Interval Mean(IReadOnlyList<double> values, ulong seed, int resamples = DefaultResamples, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("cannot bootstrap the mean of no values", nameof(values));
        var (low, high) = Percentiles(values.Count, seed, resamples, confidence, indices =>
        {
            double sum = 0;
            foreach (int i in indices) sum += values[i];
            return sum / indices.Length;
        }) ?? throw new InvalidOperationException("the mean is defined for every resample");
        return new Interval(values.Average(), low, high);
    }

    /// <summary>
    /// The <paramref name="confidence"/> percentile interval of <paramref name="statistic"/> over resamples of
    /// <paramref name="count"/> problems (the statistic gets the resampled problem indices and may return null when it
    /// is undefined for a resample; those are left out). Null when it is undefined for every resample.
    /// </summary>
    /// <exception cref="ArgumentException">Count or resamples below 1, or confidence outside (0, 1).</exception>
    public static (double Low, double High)? Percentiles(int count, ulong seed, int resamples, double confidence, Func<int[], double?> statistic)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        if (count < 1) throw new ArgumentException($"need at least one problem, got {count}", nameof(count));
        if (resamples < 1) throw new ArgumentException($"resamples must be ≥ 1, got {resamples}", nameof(resamples));
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentException($"confidence must be in (0, 1), got {confidence}", nameof(confidence));
        var rng = new SplitMix64(seed);
        var values = new List<double>(resamples);
        var indices = new int[count];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < count; i++) indices[i] = rng.NextInt(0, count - 1);
            if (statistic(indices) is { } value) values.Add(value);
        }
        if (values.Count == 0) return null;
        values.Sort();
        double tail = (1 - confidence) / 2;
        return (Quantile(values, tail), Quantile(values, 1 - tail));
    }

    // Linear interpolation between order statistics. Truncating the position instead moved both ends down, the lower one
    // by almost a rank further from its quantile than the upper one, so the interval was lopsided.
    private static double Quantile(List<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int below = (int)Math.Floor(position);
        double fraction = position - below;
        // An infinite end (a law that never reaches its target) stays infinite, without ∞ − ∞ or 0 · ∞.
        return fraction == 0 || sorted[below] == sorted[below + 1] ? sorted[below] : sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
    }
}
