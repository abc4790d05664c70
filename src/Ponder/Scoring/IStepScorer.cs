using Ponder.Compute;
using Ponder.Generation;
using Ponder.Strategies;

namespace Ponder.Scoring;

/// <summary>
/// A process reward model (PRM): scores every step of a complete or partial solution. Steps come from
/// <see cref="SolutionSteps.Split"/> with the task's step delimiter; each keeps its delimiter, so their concatenation is the
/// solution, and the last one may be unfinished (early rejection scores partial steps).
/// Implementations are safe to call concurrently.
/// </summary>
public interface IStepScorer
{
    /// <summary>The scoring model's card for compute accounting, or null when unknown.</summary>
    ModelCard? Card { get; }

    /// <summary>Scores each of <paramref name="steps"/> of a solution to <paramref name="problem"/>.</summary>
    /// <returns>One score in [0, 1] per step, in order, and the tokens the call processed.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default);

    /// <summary>
    /// A scorer for one strategy run (a problem solved once): calls through it may share work, such as a cache of the
    /// prefixes scored so far, and never another run's, so what a run is charged does not depend on what ran before it.
    /// The default is this scorer itself.
    /// </summary>
    IStepScorer BeginRun() => this;
}

/// <summary>The scores of the steps of a solution and what computing them cost.</summary>
/// <param name="Scores">One score in [0, 1] per step, in order.</param>
/// <param name="Usage">Tokens the scorer processed.</param>
public sealed record StepScores(IReadOnlyList<double> Scores, SequenceUsage Usage);
