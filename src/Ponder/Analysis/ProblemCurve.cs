namespace Ponder.Analysis;

/// <summary>One problem's outcome at one point of a <see cref="ProblemCurve"/>.</summary>
/// <param name="Flops">FLOPs spent on the problem.</param>
/// <param name="Accuracy">Its correctness, or expected correctness, in [0, 1].</param>
public readonly record struct ProblemOutcome(double Flops, double Accuracy);

/// <summary>
/// A curve measured problem by problem: at each point (a budget), every problem's FLOPs and accuracy. Its means over the
/// problems are an <see cref="AccuracyCurve"/>; means over a resample of the problems give bootstrap intervals for
/// what is read off the curve (<see cref="EfficiencyMultiplier.Compare(ProblemCurve, ProblemCurve, ulong, int, int, double)"/>).
/// </summary>
/// <remarks>Immutable; thread-safe.</remarks>
public sealed class ProblemCurve
{
    private readonly (string Label, IReadOnlyDictionary<string, ProblemOutcome> ByProblem)[] _points;

    /// <summary>A curve through <paramref name="points"/>, each a label and every problem's outcome there.</summary>
    /// <exception cref="ArgumentException">No points, or points that measured different problems.</exception>
    public ProblemCurve(string name, IEnumerable<(string Label, IReadOnlyDictionary<string, ProblemOutcome> ByProblem)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        Name = name;
        _points = points.Select(p => (p.Label, (IReadOnlyDictionary<string, ProblemOutcome>)new Dictionary<string, ProblemOutcome>(p.ByProblem, StringComparer.Ordinal))).ToArray();
        if (_points.Length == 0 || _points[0].ByProblem.Count == 0) throw new ArgumentException($"curve {name} has no points measured on a problem");
        Problems = _points[0].ByProblem.Keys.Order(StringComparer.Ordinal).ToArray();
        if (_points.FirstOrDefault(p => p.ByProblem.Count != Problems.Count || !Problems.All(p.ByProblem.ContainsKey)) is { Label: { } label })
            throw new ArgumentException($"curve {name}: point {label} measured other problems than point {_points[0].Label}");
    }

    /// <summary>The curve's name.</summary>
    public string Name { get; }

    /// <summary>The problems every point measured, in ordinal order.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The curve of means over every problem.</summary>
    public AccuracyCurve Mean() => Over(Problems);

    /// <summary>The curve of means over <paramref name="problems"/> (repeats count as often as they appear).</summary>
    /// <exception cref="ArgumentException">No problems.</exception>
    /// <exception cref="KeyNotFoundException">A problem the curve did not measure.</exception>
    public AccuracyCurve Over(IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0) throw new ArgumentException($"curve {Name}: a mean over no problems", nameof(problems));
        return new AccuracyCurve(Name, _points.Select(p => new ComputePoint(p.Label,
            problems.Average(q => p.ByProblem[q].Flops), problems.Average(q => p.ByProblem[q].Accuracy))));
    }
}
