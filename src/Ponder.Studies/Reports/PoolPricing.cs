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
    /// (the continuations share it) and every sample's tokens are decoded at their positions. When an earlier request of
    /// the same run computed the prompt (a pilot's, <paramref name="promptComputedBefore"/>), an engine generator reuses
    /// it and computes only its last token (EngineGenerator.BeginRun).
    /// </summary>
    public static ComputeRecord GenerationRecord(IReadOnlyList<PoolSample> samples, ModelCard? policy, bool promptComputedBefore = false) => new()
    {
        CallIndex = 0, Role = ComputeRole.Policy, Operation = ComputeOperation.Generate, Card = policy, WallTime = TimeSpan.Zero,
        Sequences = samples.Select((s, k) => new SequenceUsage(s.PromptTokens,
            k > 0 ? s.PromptTokens : promptComputedBefore ? s.PromptTokens - 1 : 0, s.GeneratedTokens)).ToArray(),
    };

    /// <summary>
    /// The records of scoring every one of <paramref name="samples"/> with the PRM, one call each, one after another, after
    /// the generation and after <paramref name="scoredBefore"/> (a pilot's samples, scored already). An engine scorer
    /// reuses the longest prefix a text shares with one it scored before (EngineScorer), so each call is charged only
    /// past the prefix its sample shares with an earlier one: the prompt, and the characters the two solutions have in
    /// common, converted to the verifier's tokens at the sample's own tokens per character. Exact for a verifier that
    /// reads the text as written with one token per character (the confidence scorer on the built-in models); an
    /// estimate for other tokenizers.
    /// </summary>
    public static IEnumerable<ComputeRecord> ScoringRecords(IReadOnlyList<PoolSample> samples, ModelCard? verifier, IReadOnlyList<PoolSample>? scoredBefore = null)
    {
        var earlier = new List<PoolSample>(scoredBefore ?? []);
        for (int k = 0; k < samples.Count; k++)
        {
            var sample = samples[k];
            yield return new ComputeRecord
            {
                CallIndex = k + 1, Role = ComputeRole.Verifier, Operation = ComputeOperation.ScoreSteps, Card = verifier, WallTime = TimeSpan.Zero,
                Sequences = [new SequenceUsage(sample.VerifierTokens, SharedVerifierTokens(sample, earlier), 0)],
            };
            earlier.Add(sample);
        }
    }

    private static int SharedVerifierTokens(PoolSample sample, IReadOnlyList<PoolSample> earlier)
    {
        if (earlier.Count == 0) return 0;
        int sharedCharacters = earlier.Max(e => e.Text.AsSpan().CommonPrefixLength(sample.Text));
        double tokensPerCharacter = sample.Text.Length == 0 ? 0 : (double)(sample.VerifierTokens - sample.PromptTokens) / sample.Text.Length;
        return Math.Clamp(sample.PromptTokens + (int)(sharedCharacters * tokensPerCharacter), 0, sample.VerifierTokens);
    }

    /// <summary>FLOPs of <see cref="GenerationRecord"/>; 0 for no samples.</summary>
    public static double Generation(IEnumerable<PoolSample> samples, ModelCard policy, bool promptComputedBefore = false)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(policy);
        var list = samples.ToArray();
        return list.Length == 0 ? 0 : GenerationRecord(list, policy, promptComputedBefore).TotalFlops!.Value;
    }

    /// <summary>FLOPs of <see cref="ScoringRecords"/>.</summary>
    public static double Scoring(IEnumerable<PoolSample> samples, ModelCard verifier, IReadOnlyList<PoolSample>? scoredBefore = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(verifier);
        return ScoringRecords(samples.ToArray(), verifier, scoredBefore).Sum(r => r.TotalFlops!.Value);
    }
}
