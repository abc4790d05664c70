using Ponder.Strategies;

namespace Ponder.AI;

/// <summary>How much test-time compute one request gets: a registered strategy name and a budget in generations.</summary>
/// <param name="Strategy">A strategy name as <see cref="StrategyRegistry"/> knows it, e.g. <c>majority</c>.</param>
/// <param name="Budget">Generations to spend (≥ 1).</param>
public sealed record ComputeAllocation(string Strategy, int Budget);

/// <summary>
/// A compute-optimal policy: chooses the strategy and budget for a question (typically from its predicted difficulty),
/// as DESIGN §7 learns it from a study. Implementations are pure and safe to call concurrently.
/// </summary>
public interface IComputePolicy
{
    /// <summary>The allocation for <paramref name="question"/> (the user's question, or a completion prompt).</summary>
    ComputeAllocation Allocate(string question);
}
