namespace Ponder.Strategies;

/// <summary>
/// A test-time compute strategy: spends at most a budget of policy and verifier compute on a problem and returns the
/// chosen answer, every candidate with its score, the compute used and a trace.
/// </summary>
/// <remarks>Implementations hold only their models and options and are safe to call concurrently for different problems.
/// The same problem, budget and seed give the same result when the generator and scorers are deterministic for a seed.</remarks>
public interface IStrategy
{
    /// <summary>The registered name, e.g. <c>beam</c>.</summary>
    string Name { get; }

    /// <summary>Solves <paramref name="problem"/> within <paramref name="budget"/>; every random choice derives from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The budget does not suit the strategy's options (the message says why).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<StrategyResult> SolveAsync(Problem problem, Budget budget, ulong seed, CancellationToken cancellationToken = default);
}
