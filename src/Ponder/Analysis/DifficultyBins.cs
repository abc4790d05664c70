using System.Globalization;

namespace Ponder.Analysis;

/// <summary>What a problem's difficulty is measured by (DESIGN.md §7).</summary>
public enum DifficultyMeasure
{
    /// <summary>Ground truth: the problem's pass@1 over its pool of samples. An upper bound: it needs the answers.</summary>
    Oracle,
    /// <summary>No ground truth: the mean final PRM score of a pilot of samples.</summary>
    Predicted,
}

/// <summary>
/// Quantile bins of problem difficulty, fitted on one split (calibration) and applied to any problem. Difficulty is
/// given as a solvability statistic where higher is easier (pass@1, or a mean PRM score), and bin 1 is the easiest.
/// </summary>
/// <remarks>Immutable; thread-safe.</remarks>
public sealed class DifficultyBins
{
    /// <summary>The number of bins DESIGN.md §7 uses.</summary>
    public const int DefaultCount = 5;

    /// <summary>Bins with these thresholds (decreasing): a value ≥ Thresholds[0] is bin 1, ≥ Thresholds[1] bin 2, and so on.</summary>
    /// <exception cref="ArgumentException">A threshold is not finite, or they increase.</exception>
    public DifficultyBins(IReadOnlyList<double> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        for (int i = 0; i < thresholds.Count; i++)
        {
            if (!double.IsFinite(thresholds[i])) throw new ArgumentException($"difficulty threshold {i + 1} is {thresholds[i]}; thresholds must be finite");
            if (i > 0 && thresholds[i] > thresholds[i - 1])
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"difficulty thresholds must not increase: threshold {i} is {thresholds[i - 1]}, threshold {i + 1} is {thresholds[i]}"));
        }
        Thresholds = thresholds.ToArray();
    }

    /// <summary>The boundaries between bins, decreasing; one fewer than <see cref="Count"/>.</summary>
    public IReadOnlyList<double> Thresholds { get; }

    /// <summary>How many bins there are.</summary>
    public int Count => Thresholds.Count + 1;

    /// <summary>
    /// Quantile bins of <paramref name="solvability"/> (one value per calibration problem): threshold j is the
    /// (1 − j/count) quantile (linear interpolation between order statistics), so each bin holds about 1/count of the
    /// problems. Ties can leave a bin empty: a value equal to a threshold goes to the easier bin.
    /// </summary>
    /// <exception cref="ArgumentException">No values, a non-finite value, or count below 1.</exception>
    public static DifficultyBins Fit(IReadOnlyList<double> solvability, int count = DefaultCount)
    {
        ArgumentNullException.ThrowIfNull(solvability);
        if (count < 1) throw new ArgumentException($"need at least one difficulty bin, got {count}", nameof(count));
        if (solvability.Count == 0) throw new ArgumentException("cannot fit difficulty bins to no problems", nameof(solvability));
        if (solvability.Any(v => !double.IsFinite(v)))
            throw new ArgumentException($"difficulty values must be finite, got {solvability.First(v => !double.IsFinite(v))}", nameof(solvability));
        var sorted = solvability.Order().ToArray();
        var thresholds = new double[count - 1];
        for (int j = 1; j < count; j++)
        {
            double position = (1 - (double)j / count) * (sorted.Length - 1);
            int below = (int)Math.Floor(position);
            int above = Math.Min(below + 1, sorted.Length - 1);
            thresholds[j - 1] = sorted[below] + (position - below) * (sorted[above] - sorted[below]);
        }
        return new DifficultyBins(thresholds);
    }

    /// <summary>The bin of a problem with <paramref name="solvability"/>: 1 (easiest) to <see cref="Count"/> (hardest).</summary>
    public int BinOf(double solvability)
    {
        int bin = 1;
        foreach (double threshold in Thresholds)
            if (solvability < threshold) bin++;
        return bin;
    }
}
