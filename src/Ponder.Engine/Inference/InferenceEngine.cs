// Inference forward pass over a KV cache. One call runs new tokens of any number of sequences together: a prefill is
// one sequence with many new tokens, a decode step is many sequences with one new token each, and both go through the
// same matmuls with M = total new tokens. Rows never mix (the matmul kernel is row-independent and bit-exact), so a
// sequence's logits do not depend on what else is in the batch.

using System.Numerics.Tensors;
using Ponder.Engine.Model;
using Ponder.Engine.Kernels;
using static Ponder.Engine.Model.Layers;

namespace Ponder.Engine.Inference;

/// <summary>Runs a <see cref="LlamaModel"/> forward with a KV cache. Thread-safe: per-call state lives in a <see cref="Workspace"/>.</summary>
internal sealed class InferenceEngine
{
    private readonly float[] _ropeCos, _ropeSin;
    // Every projection packed once for the GEMM micro-kernel; weights never change during inference.
    private readonly Dictionary<ParameterTensor, PackedMatrix> _packed;

    public InferenceEngine(LlamaModel model)
    {
        Model = model;
        (_ropeCos, _ropeSin) = RopeTables(model.Config.ContextLength, model.Config.HeadSize, model.Config.RopeBase);
        _packed = model.Layout.Blocks.SelectMany(b => new[] { b.AttentionOutput, b.Down }).Append(model.Layout.Output)
            .ToDictionary(t => t, t => MatMul.Pack(transB: true, k: t.Cols, n: t.Rows, model[t]));
        // Projections that read the same input run as one wider GEMM: [Wq; Wk; Wv] and [Wgate; Wup].
        _qkv = model.Layout.Blocks.Select(b => PackRows(model, b.Query, b.Key, b.Value)).ToArray();
        _gateUp = model.Layout.Blocks.Select(b => PackRows(model, b.Gate, b.Up)).ToArray();
    }

    private readonly PackedMatrix[] _qkv, _gateUp;

    private static PackedMatrix PackRows(LlamaModel model, params ParameterTensor[] tensors)
    {
        int cols = tensors[0].Cols;
        var stacked = tensors.SelectMany(t => model[t].ToArray()).ToArray(); // [Σ rows, cols]
        return MatMul.Pack(transB: true, k: cols, n: stacked.Length / cols, stacked);
    }

    // out[N, OC] = x[N, IC] · w[OC, IC]ᵀ with the pre-packed w
    private void Linear(Span<float> output, ReadOnlySpan<float> x, ParameterTensor w, int rows) =>
        MatMul.Gemm(false, rows, x, _packed[w], output, accumulate: false);

    public LlamaModel Model { get; }

    /// <summary>A sequence with room for <paramref name="capacity"/> tokens after <paramref name="shared"/>.</summary>
    public InferenceSequence NewSequence(IReadOnlyList<SegmentView> shared, int capacity) =>
        new(shared, Model.Config.Layers, Model.Config.KeyValueHeads, Model.Config.HeadSize, capacity);

    /// <summary>Scratch buffers of one caller, grown on demand.</summary>
    public sealed class Workspace
    {
        internal float[] X = [], Ln = [], Q = [], K = [], V = [], AttY = [], Fused = [], H = [], Logits = [];
        internal int[] Positions = [], RowSequence = [];
        internal Workspace[] Groups = [];
        internal float[] Scores = [];

        internal void Ensure(int rows, LlamaConfig c, int logitRows)
        {
            static void Grow(ref float[] a, int n) { if (a.Length < n) a = new float[n]; }
            Grow(ref X, rows * c.ModelDim); Grow(ref Ln, rows * c.ModelDim);
            Grow(ref Q, rows * c.AttentionDim); Grow(ref K, rows * c.KeyValueDim); Grow(ref V, rows * c.KeyValueDim);
            Grow(ref AttY, rows * c.AttentionDim);
            Grow(ref Fused, rows * Math.Max(2 * c.FeedForwardDim, c.AttentionDim + 2 * c.KeyValueDim)); Grow(ref H, rows * c.FeedForwardDim);
            Grow(ref Logits, logitRows * c.VocabularySize);
            if (Positions.Length < rows) { Positions = new int[rows]; RowSequence = new int[rows]; }
            if (Scores.Length < c.ContextLength) Scores = new float[c.ContextLength];
        }
    }

    /// <summary>
    /// Appends <paramref name="tokens"/>[i] to <paramref name="sequences"/>[i] and returns logits: [S, V] for the last new
    /// token of each sequence, or [Σ new tokens, V] for every new token when <paramref name="allPositions"/> is set.
    /// The returned span aliases the workspace and is valid until its next use.
    /// </summary>
    public ReadOnlySpan<float> Forward(IReadOnlyList<InferenceSequence> sequences, IReadOnlyList<int[]> tokens, Workspace ws, bool allPositions = false)
    {
        // Many independent sequences (a decode step): split them into one group per core and run each group's whole
        // forward pass on its own thread. One fork/join per step instead of one per matmul and attention, which on a
        // small model costs more than the work it splits. Rows never mix, so the logits are the same either way.
        int groups = Math.Min(Environment.ProcessorCount, sequences.Count / MinSequencesPerGroup);
        if (groups < 2 || allPositions) return ForwardGroup(sequences, tokens, ws, allPositions, parallel: true);
        int vocab = Model.Config.VocabularySize;
        ws.Ensure(0, Model.Config, sequences.Count);
        while (ws.Groups.Length < groups) ws.Groups = [.. ws.Groups, new Workspace()];
        var logits = ws.Logits;
        Parallel.For(0, groups, g =>
        {
            int start = sequences.Count * g / groups, end = sequences.Count * (g + 1) / groups;
            using var single = MatMul.LimitThreads(1);
            var part = ForwardGroup(Slice(sequences, start, end), Slice(tokens, start, end), ws.Groups[g], false, parallel: false);
            part.CopyTo(logits.AsSpan(start * vocab, (end - start) * vocab));
        });
        return logits.AsSpan(0, sequences.Count * vocab);
    }

    // Below this many sequences per core, splitting a decode step is not worth a fork/join.
    private const int MinSequencesPerGroup = 8;

    private static T[] Slice<T>(IReadOnlyList<T> list, int start, int end)
    {
        var part = new T[end - start];
        for (int i = start; i < end; i++) part[i - start] = list[i];
        return part;
    }

    private ReadOnlySpan<float> ForwardGroup(IReadOnlyList<InferenceSequence> sequences, IReadOnlyList<int[]> tokens, Workspace ws, bool allPositions, bool parallel)
    {
        var cfg = Model.Config;
        var lay = Model.Layout;
        int rows = 0;
        for (int s = 0; s < sequences.Count; s++)
        {
            var seq = sequences[s];
            int count = tokens[s].Length;
            if (count == 0) throw new ArgumentException($"sequence {s} has no new tokens");
            if (seq.Own.Length + count > seq.Own.Capacity)
                throw new InvalidOperationException($"sequence {s} is full: {seq.Own.Capacity} tokens of room, {seq.Own.Length + count} needed");
            if (seq.Position + count > cfg.ContextLength)
                throw new InvalidOperationException($"sequence {s} would exceed the context length {cfg.ContextLength}");
            rows += count;
        }
        ws.Ensure(rows, cfg, allPositions ? rows : sequences.Count);

        int c = cfg.ModelDim, f = cfg.FeedForwardDim, qd = cfg.AttentionDim, kvd = cfg.KeyValueDim, hs = cfg.HeadSize;
        var x = ws.X.AsSpan(0, rows * c);
        var ln = ws.Ln.AsSpan(0, rows * c);
        int row = 0;
        for (int s = 0; s < sequences.Count; s++)
            for (int i = 0; i < tokens[s].Length; i++, row++)
            {
                int token = tokens[s][i];
                if ((uint)token >= (uint)cfg.VocabularySize) throw new ArgumentException($"token {token} outside the vocabulary of {cfg.VocabularySize}");
                ws.Positions[row] = sequences[s].Position + i;
                ws.RowSequence[row] = s;
            }
        var positions = ws.Positions.AsSpan(0, rows);
        row = 0;
        foreach (var sequenceTokens in tokens)
            foreach (int token in sequenceTokens)
                Model[lay.TokenEmbedding].Slice(token * c, c).CopyTo(x.Slice(row++ * c, c));

        for (int l = 0; l < cfg.Layers; l++)
        {
            var blk = lay.Blocks[l];
            RmsNormForward(ln, ws.H, x, Model[blk.AttentionNorm], rows, c, cfg.NormEpsilon);
            int qkv = qd + 2 * kvd;
            MatMul.Gemm(false, rows, ln, _qkv[l], ws.Fused, accumulate: false);
            for (int r = 0; r < rows; r++)
            {
                var fused = ws.Fused.AsSpan(r * qkv, qkv);
                fused[..qd].CopyTo(ws.Q.AsSpan(r * qd, qd));
                fused.Slice(qd, kvd).CopyTo(ws.K.AsSpan(r * kvd, kvd));
                fused.Slice(qd + kvd, kvd).CopyTo(ws.V.AsSpan(r * kvd, kvd));
            }
            Rope(ws.Q, positions, cfg.Heads, hs, _ropeCos, _ropeSin, 1f);
            Rope(ws.K, positions, cfg.KeyValueHeads, hs, _ropeCos, _ropeSin, 1f);
            for (int r = 0; r < rows; r++)
            {
                var own = sequences[ws.RowSequence[r]].Own;
                for (int head = 0; head < cfg.KeyValueHeads; head++)
                {
                    int offset = own.Offset(l, head, ws.Positions[r]);
                    ws.K.AsSpan(r * kvd + head * hs, hs).CopyTo(own.Keys.AsSpan(offset, hs));
                    ws.V.AsSpan(r * kvd + head * hs, hs).CopyTo(own.Values.AsSpan(offset, hs));
                }
            }
            Attend(sequences, ws, rows, l, parallel);
            Linear(ln, ws.AttY, blk.AttentionOutput, rows);
            TensorPrimitives.Add(x, ln, x);
            RmsNormForward(ln, ws.H, x, Model[blk.FeedForwardNorm], rows, c, cfg.NormEpsilon);
            MatMul.Gemm(false, rows, ln, _gateUp[l], ws.Fused, accumulate: false);
            for (int r = 0; r < rows; r++)
                SwiGluForward(ws.H.AsSpan(r * f, f), ws.Fused.AsSpan(2 * r * f, f), ws.Fused.AsSpan((2 * r + 1) * f, f));
            Linear(ln, ws.H, blk.Down, rows);
            TensorPrimitives.Add(x, ln, x);
        }
        for (int s = 0; s < sequences.Count; s++) sequences[s].Own.Length += tokens[s].Length;

        // Final norm and output projection, only for the rows whose logits are wanted.
        int outRows = allPositions ? rows : sequences.Count;
        if (!allPositions)
        {
            int last = -1;
            for (int s = 0; s < sequences.Count; s++)
            {
                last += tokens[s].Length;
                x.Slice(last * c, c).CopyTo(ln.Slice(s * c, c));
            }
            ln[..(outRows * c)].CopyTo(x);
        }
        RmsNormForward(ln, ws.H, x[..(outRows * c)], Model[lay.OutputNorm], outRows, c, cfg.NormEpsilon);
        var logits = ws.Logits.AsSpan(0, outRows * cfg.VocabularySize);
        Linear(logits, ln, lay.Output, outRows);
        return logits;
    }

    // AttY[r, h·hs] = softmax(q·Kᵀ/√hs)·V over every position ≤ the row's own, across shared segments and the own one.
    private unsafe void Attend(IReadOnlyList<InferenceSequence> sequences, Workspace ws, int rows, int layer, bool parallel)
    {
        var cfg = Model.Config;
        int nh = cfg.Heads, hs = cfg.HeadSize, qd = cfg.AttentionDim, group = cfg.Heads / cfg.KeyValueHeads;
        float scale = 1f / MathF.Sqrt(hs);
        void Work(int item, float[] scoreBuffer)
        {
            int r = item / nh, h = item % nh, hk = h / group;
            var seq = sequences[ws.RowSequence[r]];
            int position = ws.Positions[r];
            fixed (float* q = ws.Q, attY = ws.AttY, scores = scoreBuffer)
            {
                float* qv = q + r * qd + h * hs;
                float* output = attY + r * qd + h * hs;
                int n = 0;
                for (int s = 0; s <= seq.Shared.Count; s++)
                {
                    var (segment, end) = s < seq.Shared.Count ? (seq.Shared[s].Segment, seq.Shared[s].End) : (seq.Own, position + 1);
                    fixed (float* keys = segment.Keys)
                        VectorKernels.Scores(qv, keys + segment.Offset(layer, hk, segment.Start), hs, end - segment.Start, hs, scale, scores + n);
                    n += end - segment.Start;
                }
                VectorKernels.Softmax(scores, n);
                new Span<float>(output, hs).Clear();
                n = 0;
                for (int s = 0; s <= seq.Shared.Count; s++)
                {
                    var (segment, end) = s < seq.Shared.Count ? (seq.Shared[s].Segment, seq.Shared[s].End) : (seq.Own, position + 1);
                    fixed (float* values = segment.Values)
                        VectorKernels.WeightedSum(output, values + segment.Offset(layer, hk, segment.Start), hs, end - segment.Start, hs, scores + n);
                    n += end - segment.Start;
                }
            }
        }

        int items = rows * nh;
        if (!parallel || items < 16)
        {
            for (int i = 0; i < items; i++) Work(i, ws.Scores);
            return;
        }
        // Dynamic scheduling: on a shared machine a worker may be descheduled, and the others take over its items.
        int context = Model.Config.ContextLength;
        Parallel.For(0, items, () => new float[context], (i, _, buffer) => { Work(i, buffer); return buffer; }, _ => { });
    }
}
