// FLOPs of pool samples used another way than the sweep used them: a request that generates some of them, a PRM that
// scores them. Priced through ComputeRecord, as every call a strategy makes is (DESIGN.md §6), so an analysis that
// re-uses a pool spends exactly what a strategy drawing those samples would.

using Ponder.Compute;
using Ponder.Generation;
using Ponder.Studies.Store;

namespace Ponder.Studies.Reports;

/// <summary>Prices requests over stored pool samples with the models' cards. Pure; thread-safe.</summary>
public static class PoolPricing
{
    /// <summary>
    /// The record of one generator request whose continuations are <paramref name="samples"/>: the prompt is computed once
    /// (the continuations share it) and every sample's tokens are decoded at their positions.
    /// </summary>
    public static ComputeRecord GenerationRecord(IReadOnlyList<PoolSample> samples, ModelCard? policy) => new()
    {
        CallIndex = 0, Role = ComputeRole.Policy, Operation = ComputeOperation.Generate, Card = policy, WallTime = TimeSpan.Zero,
        Sequences = samples.Select((s, k) => new SequenceUsage(s.PromptTokens, k == 0 ? 0 : s.PromptTokens, s.GeneratedTokens)).ToArray(),
    };

    /// <summary>The records of scoring every one of <paramref name="samples"/> with the PRM, one call each, after the generation.</summary>
    public static IEnumerable<ComputeRecord> ScoringRecords(IReadOnlyList<PoolSample> samples, ModelCard? verifier) =>
        samples.Select((s, k) => new ComputeRecord
        {
            CallIndex = k + 1, Role = ComputeRole.Verifier, Operation = ComputeOperation.ScoreSteps, Card = verifier, WallTime = TimeSpan.Zero,
            Sequences = [new SequenceUsage(s.VerifierTokens, 0, 0)],
        });

    /// <summary>FLOPs of <see cref="GenerationRecord"/>; 0 for no samples.</summary>
    public static double Generation(IEnumerable<PoolSample> samples, ModelCard policy)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(policy);
        var list = samples.ToArray();
        return list.Length == 0 ? 0 : GenerationRecord(list, policy).TotalFlops!.Value;
    }

    /// <summary>FLOPs of <see cref="ScoringRecords"/>.</summary>
    public static double Scoring(IEnumerable<PoolSample> samples, ModelCard verifier)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(verifier);
        return ScoringRecords(samples.ToArray(), verifier).Sum(r => r.TotalFlops!.Value);
    }
}
