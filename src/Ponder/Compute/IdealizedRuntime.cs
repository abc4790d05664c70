using Ponder.Generation;

namespace Ponder.Compute;

/// <summary>
/// Hardware-independent time (DESIGN §6): how long a call would take on a <see cref="HardwareProfile"/> running at its
/// peak. Prefill is compute-bound: prefill FLOPs / peak. Decode runs the call's continuations as one batch, one step per
/// generated position; step t costs max(FLOPs / peak, bytes read / bandwidth), where FLOPs are those of the active
/// sequences' tokens at positions prompt + t, and bytes are the weights read once for the batch
/// ((non-embedding parameters + d_model·vocabulary) × bytes per weight) plus each active sequence's KV cache up to its
/// position (2 · layers · KV heads · head size · bytes per cache value per cached token).
/// </summary>
/// <remarks>The weights counted are those whose FLOPs are counted: the embedding lookup reads one row per token and is
/// left out. A prefix shared by a batch is read by each sequence, as paged attention does. Pure and thread-safe.</remarks>
public static class IdealizedRuntime
{
    /// <summary>Idealized seconds of <paramref name="record"/> on <paramref name="hardware"/>; null when the card is unknown and tokens were processed.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static double? Seconds(ComputeRecord record, HardwareProfile hardware)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(hardware);
        if (record.PrefillFlops is not { } prefillFlops || record.DecodeFlops is null) return null;
        double seconds = prefillFlops / hardware.PeakFlopsPerSecond;
        if (record.Card is { } card) seconds += DecodeSeconds(card, record.Sequences, hardware);
        return seconds;
    }

    /// <summary>Idealized seconds of decoding <paramref name="sequences"/> as one batch with <paramref name="card"/>'s model.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static double DecodeSeconds(ModelCard card, IReadOnlyList<SequenceUsage> sequences, HardwareProfile hardware)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(hardware);
        double weightBytes = WeightBytes(card, hardware);
        double cacheBytesPerToken = CacheBytesPerToken(card, hardware);
        int steps = sequences.Count == 0 ? 0 : sequences.Max(s => s.GeneratedTokens);
        double seconds = 0;
        for (int t = 0; t < steps; t++)
        {
            double flops = 0, bytes = weightBytes;
            foreach (var s in sequences)
            {
                if (s.GeneratedTokens <= t) continue;
                int position = s.PromptTokens + t;
                flops += card.ForwardFlopsPerToken(position);
                bytes += cacheBytesPerToken * position;
            }
            seconds += Math.Max(flops / hardware.PeakFlopsPerSecond, bytes / hardware.MemoryBytesPerSecond);
        }
        return seconds;
    }

    /// <summary>Bytes of the weights one forward pass reads: non-embedding parameters plus the output projection.</summary>
    public static double WeightBytes(ModelCard card, HardwareProfile hardware)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(hardware);
        return ((double)card.NonEmbeddingParameters + (double)card.ModelDim * card.VocabularySize) * hardware.BytesPerWeight;
    }

    /// <summary>Bytes of keys and values stored per token: 2 · layers · KV heads · head size · bytes per value.</summary>
    public static double CacheBytesPerToken(ModelCard card, HardwareProfile hardware)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(hardware);
        double headSize = (double)card.AttentionDim / card.Heads;
        return 2.0 * card.Layers * card.KeyValueHeads * headSize * hardware.BytesPerCacheValue;
    }
}
