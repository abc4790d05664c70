using System.Text.Json.Serialization;

namespace Ponder.Scoring;

/// <summary>How a PRM's step scores become one score for a solution.</summary>
public enum ScoreAggregation
{
    /// <summary>The last step's score (Snell et al. found it best with soft-label PRMs).</summary>
    Last,
    /// <summary>The lowest step score: a solution is as good as its weakest step.</summary>
    Min,
    /// <summary>The product of the step scores.</summary>
    [JsonStringEnumMemberName("prod")]
    Product,
    /// <summary>The mean step score.</summary>
    Mean,
}

/// <summary>Applies a <see cref="ScoreAggregation"/>.</summary>
public static class ScoreAggregationExtensions
{
    /// <summary>Aggregates <paramref name="stepScores"/>; a solution without steps scores 0.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stepScores"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="aggregation"/> is not a defined value.</exception>
    public static double Aggregate(this ScoreAggregation aggregation, IReadOnlyList<double> stepScores)
    {
        ArgumentNullException.ThrowIfNull(stepScores);
        if (stepScores.Count == 0) return 0;
        return aggregation switch
        {
            ScoreAggregation.Last => stepScores[^1],
            ScoreAggregation.Min => stepScores.Min(),
            ScoreAggregation.Product => stepScores.Aggregate(1.0, (product, s) => product * s),
            ScoreAggregation.Mean => stepScores.Average(),
            _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "unknown score aggregation"),
        };
    }
}
