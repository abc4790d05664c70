using Ponder.Compute;
using Ponder.Generation;
using Ponder.Strategies;

namespace Ponder.Scoring;

/// <summary>
/// Scores a complete solution in [0, 1]: an outcome reward model (ORM) or an exact checker.
/// Implementations are safe to call concurrently.
/// </summary>
public interface IOutcomeScorer
{
    /// <summary>The scoring model's card for compute accounting, or null when it is not a model (an exact checker) or unknown.</summary>
    ModelCard? Card { get; }

    /// <summary>Scores <paramref name="solution"/> (the generated text after the problem's prompt) for <paramref name="problem"/>.</summary>
    /// <returns>The score in [0, 1] and the tokens the call processed.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    Task<OutcomeScore> ScoreAsync(Problem problem, string solution, CancellationToken cancellationToken = default);
}

/// <summary>The score of a complete solution and what computing it cost.</summary>
/// <param name="Score">The score in [0, 1]; higher means more likely correct.</param>
/// <param name="Usage">Tokens the scorer processed (all zero for an exact checker).</param>
public sealed record OutcomeScore(double Score, SequenceUsage Usage);
