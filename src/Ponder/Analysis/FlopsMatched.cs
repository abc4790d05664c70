namespace Ponder.Analysis;

/// <summary>One bin's FLOPs-matched comparison at one ratio R of inference to pretraining tokens.</summary>
/// <param name="Bin">Difficulty bin (1 easiest).</param>
/// <param name="InferenceToPretraining">R = D_inference / D_pretrain; null compares inference FLOPs only.</param>
/// <param name="LargeAccuracy">The large model's accuracy on the bin.</param>
/// <param name="LargeFlops">The large model's mean inference FLOPs per problem on the bin.</param>
/// <param name="SmallFlopsAllowed">Inference FLOPs per problem the small model may spend at this R.</param>
/// <param name="SmallAccuracy">The small model's accuracy with test-time compute at that many FLOPs; null when even its cheapest configuration costs more.</param>
public sealed record FlopsMatchedRow(int Bin, double? InferenceToPretraining, double LargeAccuracy, double LargeFlops, double SmallFlopsAllowed, double? SmallAccuracy)
{
    /// <summary>"small", "large" or "tie" (within 0.005), or "large" when the small model cannot afford a configuration.</summary>
    public string Winner => SmallAccuracy is not { } small ? "large"
        : Math.Abs(small - LargeAccuracy) < 0.005 ? "tie"
        : small > LargeAccuracy ? "small" : "large";
}

/// <summary>
/// Small model + test-time compute versus a larger model at equal FLOPs, per difficulty bin (DESIGN.md §7, after Snell
/// et al.). With pretraining counted, a model M× larger spends M·(X + Y), X = 6·N·D_pretrain and Y = 2·N·D_inference, so
/// the small model may spend M + 3·(M − 1)/R times the inference FLOPs it would need for the large model's tokens,
/// R = D_inference / D_pretrain (both models pretrained on the same tokens).
/// </summary>
/// <remarks>Pure; thread-safe.</remarks>
public static class FlopsMatched
{
    /// <summary>The R values DESIGN.md §7 reports: 0.1, 1 and 10.</summary>
    public static IReadOnlyList<double> DefaultRatios { get; } = [0.1, 1, 10];

    /// <summary>M + 3·(M − 1)/R: the factor on the small model's own cost of the large model's tokens.</summary>
    /// <exception cref="ArgumentOutOfRangeException">M below 1 or R not > 0.</exception>
    public static double PretrainingMultiplier(double parameterRatio, double inferenceToPretraining)
    {
        if (!(parameterRatio >= 1)) throw new ArgumentOutOfRangeException(nameof(parameterRatio), parameterRatio, "the large model must have at least the small model's parameters");
        if (!(inferenceToPretraining > 0)) throw new ArgumentOutOfRangeException(nameof(inferenceToPretraining), inferenceToPretraining, "R must be > 0");
        return parameterRatio + 3 * (parameterRatio - 1) / inferenceToPretraining;
    }

    /// <summary>
    /// The comparison for one bin: inference FLOPs only (small may spend what large spends), then one row per R in
    /// <paramref name="ratios"/> when the parameter ratio M is known (small may spend large's FLOPs / M × (M + 3(M−1)/R)).
    /// The small model's accuracy is read from its accuracy-versus-FLOPs curve on the bin in log-FLOPs.
    /// </summary>
    /// <exception cref="ArgumentException">The large model's figures are not finite, or its FLOPs not > 0.</exception>
    public static IReadOnlyList<FlopsMatchedRow> Compare(int bin, double largeAccuracy, double largeFlops, AccuracyCurve small,
        double? parameterRatio, IReadOnlyList<double> ratios)
    {
        ArgumentNullException.ThrowIfNull(small);
        ArgumentNullException.ThrowIfNull(ratios);
        if (!double.IsFinite(largeAccuracy) || !(largeFlops > 0) || !double.IsFinite(largeFlops))
            throw new ArgumentException($"bin {bin}: the large model's accuracy {largeAccuracy} and FLOPs {largeFlops} must be finite, FLOPs > 0");
        var rows = new List<FlopsMatchedRow> { new(bin, null, largeAccuracy, largeFlops, largeFlops, small.AccuracyAt(largeFlops)) };
        if (parameterRatio is { } m)
            foreach (double r in ratios)
            {
                double allowed = largeFlops / m * PretrainingMultiplier(m, r);
                rows.Add(new FlopsMatchedRow(bin, r, largeAccuracy, largeFlops, allowed, small.AccuracyAt(allowed)));
            }
        return rows;
    }
}
