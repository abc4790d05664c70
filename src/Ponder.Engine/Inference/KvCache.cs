// Key/value storage for inference. A sequence's context is a chain of segments: frozen segments shared with other
// sequences (a prompt, or a partial solution during tree search, computed and stored once) followed by the
// sequence's own growing segment. K/V at position p depend only on tokens ≤ p, so a child may see just a prefix of
// a shared segment.

using System.Buffers;

namespace Ponder.Engine.Inference;

/// <summary>K and V of every layer for positions [<see cref="Start"/>, <see cref="Start"/> + <see cref="Length"/>).</summary>
internal sealed class KvSegment
{
    // Segments are large and short-lived (one per continuation per call): pooled, they never reach the large object
    // heap's collections. Rented arrays may be longer than asked; only the first layers·capacity·kvDim floats are used.
    private static readonly ArrayPool<float> Pool = ArrayPool<float>.Create(maxArrayLength: 1 << 28, maxArraysPerBucket: 512);

    public KvSegment(int layers, int keyValueHeads, int headSize, int start, int capacity)
    {
        Start = start;
        Capacity = capacity;
        _layers = layers;
        _keyValueHeads = keyValueHeads;
        _headSize = headSize;
        _headStride = capacity * headSize;
        _layerSize = keyValueHeads * _headStride;
        Keys = Pool.Rent(layers * _layerSize);
        Values = Pool.Rent(layers * _layerSize);
    }

    /// <summary>Returns the storage to the pool; the segment must not be read afterwards.</summary>
    public void Release()
    {
        Pool.Return(Keys);
        Pool.Return(Values);
    }

    private readonly int _layers, _keyValueHeads, _headSize, _headStride, _layerSize;

    /// <summary>Memory held: both arrays as rented.</summary>
    public long Bytes => ((long)Keys.Length + Values.Length) * sizeof(float);

    /// <summary>
    /// Appends to this segment the first <paramref name="count"/> entries of <paramref name="source"/>, a segment of the same
    /// shape whose first position is the next one this segment holds.
    /// </summary>
    public void CopyFrom(KvSegment source, int count)
    {
        if (count == 0) return;
        if (source.Start != Start + Length || source._layers != _layers || source._keyValueHeads != _keyValueHeads
            || source._headSize != _headSize || count > source.Length || Length + count > Capacity)
            throw new ArgumentException("the source segment does not continue this one");
        for (int layer = 0; layer < _layers; layer++)
            for (int head = 0; head < _keyValueHeads; head++)
            {
                int from = source.Offset(layer, head, source.Start), to = Offset(layer, head, source.Start);
                Array.Copy(source.Keys, from, Keys, to, count * _headSize);
                Array.Copy(source.Values, from, Values, to, count * _headSize);
            }
        Length += count;
    }

    /// <summary>Absolute position of the first entry.</summary>
    public int Start { get; }
    /// <summary>Entries written so far.</summary>
    public int Length { get; set; }
    /// <summary>Most entries the segment can hold.</summary>
    public int Capacity { get; }
    /// <summary>[L, NKV, Capacity, hs] (possibly longer): one head's keys are contiguous, as attention reads them.</summary>
    public float[] Keys { get; }
    /// <summary>[L, NKV, Capacity, hs] (possibly longer)</summary>
    public float[] Values { get; }

    /// <summary>Offset of (layer, key/value head, absolute position) in <see cref="Keys"/> and <see cref="Values"/>.</summary>
    public int Offset(int layer, int head, int position) => layer * _layerSize + head * _headStride + (position - Start) * _headSize;
}

/// <summary>A visible prefix of a segment: its first <see cref="Length"/> entries.</summary>
internal readonly record struct SegmentView(KvSegment Segment, int Length)
{
    public int End => Segment.Start + Length;
}

/// <summary>One sequence being run: the shared segments it reads, and the segment it writes.</summary>
internal sealed class InferenceSequence
{
    /// <summary>A fresh sequence with room for <paramref name="capacity"/> tokens after the shared context.</summary>
    public InferenceSequence(IReadOnlyList<SegmentView> shared, int layers, int keyValueHeads, int headSize, int capacity)
    {
        Shared = shared;
        int start = shared.Count == 0 ? 0 : shared[^1].End;
        Own = new KvSegment(layers, keyValueHeads, headSize, start, capacity);
    }

    /// <summary>Frozen segments read by attention, oldest first, positions contiguous.</summary>
    public IReadOnlyList<SegmentView> Shared { get; }
    /// <summary>The segment this sequence appends to.</summary>
    public KvSegment Own { get; }
    /// <summary>Number of positions computed so far (shared + own).</summary>
    public int Position => Own.Start + Own.Length;

    /// <summary>The context a child forked from here sees: everything this sequence has computed.</summary>
    public IReadOnlyList<SegmentView> Fork() => [.. Shared, new SegmentView(Own, Own.Length)];
}
