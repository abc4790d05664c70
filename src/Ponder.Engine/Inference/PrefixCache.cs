// A prefix cache for one strategy run (vLLM's automatic prefix caching, scoped to a run). Step-level search extends a
// partial solution by one step, scores it, and extends it again: without a cache every call recomputes the prompt and
// every earlier step, so generation and scoring cost grow with the square of the solution's length. An entry keeps a
// text's K/V (and, for a scorer, its logits at every position); a later text reuses the longest prefix it shares with
// any entry and computes only the rest. K/V at a position depend only on the tokens up to it, and the kernels are
// row-independent, so what a hit returns is bit for bit what a full pass computes (tests check it).
// Entries own their K/V outright (a hit copies the shared prefix into the new sequence's own segment), so evicting one
// never pulls memory from under a call in flight; the copy is a memcpy, negligible next to the matmuls it saves.

namespace Ponder.Engine.Inference;

/// <summary>Reuses the K/V (and logits) of texts computed before. Safe to call concurrently.</summary>
internal sealed class PrefixCache
{
    /// <summary>Default memory for cached K/V and logits: about 25,000 positions of a 1 M-parameter model.</summary>
    public const long DefaultCapacityBytes = 128L << 20;

    private readonly InferenceEngine _engine;
    private readonly long _capacityBytes;
    private readonly LinkedList<Entry> _entries = new(); // most recently used first
    private readonly Lock _lock = new();
    private long _bytes;

    // Logits [Tokens.Length, V] for a scorer's entries, null for a generator's.
    private sealed record Entry(int[] Tokens, KvSegment Kv, float[]? Logits, long Bytes);

    /// <summary>A cache over <paramref name="engine"/> holding at most <paramref name="capacityBytes"/> (0: no caching).</summary>
    public PrefixCache(InferenceEngine engine, long capacityBytes = DefaultCapacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        _engine = engine;
        _capacityBytes = capacityBytes;
    }

    /// <summary>Bytes held by the cached entries.</summary>
    public long Bytes { get { lock (_lock) return _bytes; } }

    /// <summary>
    /// Logits [T, V] at every position of <paramref name="tokens"/>, a scorer's read of a whole text;
    /// <paramref name="cached"/> is how many leading positions came from the cache rather than being computed. The text
    /// is kept for later calls. The caller checks it fits the context.
    /// </summary>
    public float[] AllLogits(int[] tokens, out int cached)
    {
        int vocab = _engine.Model.Config.VocabularySize;
        var logits = new float[tokens.Length * vocab];
        var sequence = _engine.NewSequence([], tokens.Length);
        bool kept = false;
        try
        {
            cached = Reuse(tokens, tokens.Length, sequence.Own, logits);
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

    /// <summary>
    /// A sequence with room for <paramref name="prompt"/> that already holds its longest cached prefix, short of its last
    /// token (computing that one gives the logits to sample from); <paramref name="cached"/> is that prefix's length. The
    /// caller feeds it the rest of the prompt.
    /// </summary>
    public InferenceSequence Resume(int[] prompt, out int cached)
    {
        var sequence = _engine.NewSequence([], prompt.Length);
        cached = Reuse(prompt, prompt.Length - 1, sequence.Own, logits: null);
        return sequence;
    }

    /// <summary>
    /// Keeps a generated text: <paramref name="tokens"/> whose K/V are held by <paramref name="prefix"/>'s visible part
    /// followed by <paramref name="own"/>'s entries (copied into an entry of their own, so the caller still releases both).
    /// </summary>
    public void Keep(int[] tokens, SegmentView prefix, KvSegment own)
    {
        if (_capacityBytes == 0) return;
        int length = prefix.Length + own.Length;
        var cfg = _engine.Model.Config;
        var flat = new KvSegment(cfg.Layers, cfg.KeyValueHeads, cfg.HeadSize, start: 0, capacity: length);
        flat.CopyFrom(prefix.Segment, prefix.Length);
        flat.CopyFrom(own, own.Length);
        if (!Keep(tokens[..length], flat, logits: null)) flat.Release();
    }

    // Copies the longest cached prefix of tokens (at most `limit` of them) into the empty segment `into`, and its logits
    // into `logits` when given; marks the entry used. Returns the prefix's length.
    private int Reuse(int[] tokens, int limit, KvSegment into, float[]? logits)
    {
        lock (_lock)
        {
            int best = 0;
            LinkedListNode<Entry>? from = null;
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (logits is not null && node.Value.Logits is null) continue;
                int shared = Math.Min(limit, node.Value.Tokens.AsSpan().CommonPrefixLength(tokens));
                if (shared > best) (best, from) = (shared, node);
            }
            if (from is null) return 0;
            into.CopyFrom(from.Value.Kv, best);
            if (logits is not null)
            {
                int vocab = _engine.Model.Config.VocabularySize;
                from.Value.Logits.AsSpan(0, best * vocab).CopyTo(logits);
            }
            _entries.Remove(from);
            _entries.AddFirst(from);
            return best;
        }
    }

    // Stores a text as the most recent entry, evicting the least recently used beyond the capacity.
    private bool Keep(int[] tokens, KvSegment kv, float[]? logits)
    {
        long bytes = kv.Bytes + (logits?.LongLength ?? 0) * sizeof(float);
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
}
