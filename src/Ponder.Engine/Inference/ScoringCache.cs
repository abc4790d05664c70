// A prefix cache for the scorers (vLLM's automatic prefix caching, for a model that reads whole texts). Step-level search
// scores a partial solution, extends it by one step and scores it again: without a cache every call recomputes the
// prompt and every earlier step, so the verifier's cost grows with the square of the solution's length. An entry keeps
// a text's K/V and its logits at every position; a later text reuses the longest prefix it shares with any entry, and
// only its remaining positions are computed. K/V at a position depend only on the tokens up to it, and the kernels are
// row-independent, so the logits are those of a full pass up to float rounding (a test checks it).
// Entries own their K/V outright (a hit copies the shared prefix into the new text's own segment), so evicting one never
// pulls memory from under a call in flight; the copy is a memcpy, negligible next to the matmuls it saves.

namespace Ponder.Engine.Inference;

/// <summary>Logits of whole texts with their longest cached prefix reused. Safe to call concurrently.</summary>
internal sealed class ScoringCache
{
    /// <summary>Default memory for cached K/V and logits: about 25,000 positions of a 1 M-parameter model.</summary>
    public const long DefaultCapacityBytes = 128L << 20;

    private readonly InferenceEngine _engine;
    private readonly long _capacityBytes;
    private readonly LinkedList<Entry> _entries = new(); // most recently used first
    private readonly Lock _lock = new();
    private long _bytes;

    private sealed record Entry(int[] Tokens, KvSegment Kv, float[] Logits, long Bytes);

    /// <summary>A cache over <paramref name="engine"/> holding at most <paramref name="capacityBytes"/> (0: no caching).</summary>
    public ScoringCache(InferenceEngine engine, long capacityBytes = DefaultCapacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        _engine = engine;
        _capacityBytes = capacityBytes;
    }

    /// <summary>Bytes held by the cached entries.</summary>
    public long Bytes { get { lock (_lock) return _bytes; } }

    /// <summary>
    /// Logits [T, V] at every position of <paramref name="tokens"/>; <paramref name="cached"/> is how many leading
    /// positions came from the cache rather than being computed. The caller checks the text fits the context.
    /// </summary>
    public float[] AllLogits(int[] tokens, out int cached)
    {
        int vocab = _engine.Model.Config.VocabularySize;
        var logits = new float[tokens.Length * vocab];
        var sequence = _engine.NewSequence([], tokens.Length);
        bool kept = false;
        try
        {
            lock (_lock)
            {
                cached = 0;
                LinkedListNode<Entry>? best = null;
                for (var node = _entries.First; node is not null; node = node.Next)
                {
                    int shared = CommonPrefix(node.Value.Tokens, tokens);
                    if (shared > cached) (cached, best) = (shared, node);
                }
                if (best is not null)
                {
                    sequence.Own.CopyPrefix(best.Value.Kv, cached);
                    best.Value.Logits.AsSpan(0, cached * vocab).CopyTo(logits);
                    _entries.Remove(best);
                    _entries.AddFirst(best);
                }
            }
            if (cached == tokens.Length) return logits;
            _engine.Forward([sequence], [tokens[cached..]], new InferenceEngine.Workspace(), allPositions: true).CopyTo(logits.AsSpan(cached * vocab));
            kept = Keep(tokens, sequence.Own, logits);
            return logits;
        }
        finally
        {
            if (!kept) sequence.Own.Release();
        }
    }

    // Stores a computed text as the most recent entry, evicting the least recently used beyond the capacity.
    private bool Keep(int[] tokens, KvSegment kv, float[] logits)
    {
        long bytes = kv.Bytes + (long)logits.Length * sizeof(float);
        if (bytes > _capacityBytes) return false;
        lock (_lock)
        {
            _entries.AddFirst(new Entry(tokens, kv, logits, bytes));
            _bytes += bytes;
            while (_bytes > _capacityBytes)
            {
                var oldest = _entries.Last!.Value;
                _entries.RemoveLast();
                _bytes -= oldest.Bytes;
                oldest.Kv.Release();
            }
        }
        return true;
    }

    private static int CommonPrefix(int[] a, int[] b) => a.AsSpan().CommonPrefixLength(b);
}
