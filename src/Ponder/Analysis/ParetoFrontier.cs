namespace Ponder.Analysis;

/// <summary>A configuration's mean compute and accuracy, e.g. one strategy with its hyperparameters at one budget.</summary>
/// <param name="Label">What the point is, e.g. "beam (M=4) @16".</param>
/// <param name="Flops">Mean FLOPs per problem (policy and verifier).</param>
/// <param name="Accuracy">Mean accuracy in [0, 1].</param>
public sealed record ComputePoint(string Label, double Flops, double Accuracy);

/// <summary>The accuracy-versus-FLOPs Pareto frontier over all strategies and hyperparameters (DESIGN.md §7).</summary>
/// <remarks>Pure; thread-safe.</remarks>
public static class ParetoFrontier
{
    /// <summary>
    /// The non-dominated points by increasing FLOPs: a point stays unless another is at most as expensive and at least as
    /// accurate, and strictly better in one of the two. Of identical points the first listed stays.
    /// </summary>
    /// <exception cref="ArgumentException">A point has FLOPs or accuracy that is not a finite number.</exception>
    public static IReadOnlyList<ComputePoint> Of(IEnumerable<ComputePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToArray();
        if (list.FirstOrDefault(p => !double.IsFinite(p.Flops) || !double.IsFinite(p.Accuracy)) is { } bad)
            throw new ArgumentException($"point {bad.Label} has FLOPs {bad.Flops} and accuracy {bad.Accuracy}; both must be finite");
        // Cheapest first, and among equally cheap the most accurate first; a point joins when it beats every cheaper one.
        var frontier = new List<ComputePoint>();
        foreach (var point in list.Select((p, i) => (p, i)).OrderBy(x => x.p.Flops).ThenByDescending(x => x.p.Accuracy).ThenBy(x => x.i).Select(x => x.p))
            if (frontier.Count == 0 || point.Accuracy > frontier[^1].Accuracy) frontier.Add(point);
        return frontier;
    }
}
