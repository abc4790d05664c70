namespace Ponder.Analysis;

/// <summary>The unbiased pass@k estimator of Chen et al. (2021), used for pass@1 and coverage curves.</summary>
public static class PassAtK
{
    /// <summary>
    /// Probability that at least one of k samples drawn without replacement from n samples, c of them correct, is
    /// correct: 1 − C(n−c, k)/C(n, k), computed as 1 − ∏_{j=n−c+1}^{n} (1 − k/j) for numerical stability; 1 when n − c &lt; k.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 ≤ c ≤ n and 1 ≤ k ≤ n.</exception>
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1 || c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), $"need 0 ≤ correct ≤ samples and samples ≥ 1, got samples {n}, correct {c}");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"k must be in [1, {n}], got {k}");
        if (n - c < k) return 1.0;
        double allWrong = 1.0;
        for (int j = n - c + 1; j <= n; j++) allWrong *= 1.0 - (double)k / j;
        return 1.0 - allWrong;
    }
}
