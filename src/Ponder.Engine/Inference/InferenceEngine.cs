// Inference forward pass over a KV cache. One call runs new tokens of any number of sequences together: a prefill is
// one sequence with many new tokens, a decode step is many sequences with one new token each, and both go through the
// same matmuls with M = total new tokens. Rows never mix (the matmul kernel is row-independent and bit-exact), so a
// sequence's logits do not depend on what else is in the batch.

using System.Numerics.Tensors;
using Ponder.Engine.Model;
using static Ponder.Engine.Model.Layers;

namespace Ponder.Engine.Inference;

/// <summary>Runs a <see cref="LlamaModel"/> forward with a KV cache. Thread-safe: per-call state lives in a <see cref="Workspace"/>.</summary>
internal sealed class InferenceEngine
{
    private readonly float[] _ropeCos, _ropeSin;

    public InferenceEngine(LlamaModel model)
    {
        Model = model;
        (_ropeCos, _ropeSin) = RopeTables(model.Config.ContextLength, model.Config.HeadSize, model.Config.RopeBase);
    }

    public LlamaModel Model { get; }

    /// <summary>A sequence with room for <paramref name="capacity"/> tokens after <paramref name="shared"/>.</summary>
    public InferenceSequence NewSequence(IReadOnlyList<SegmentView> shared, int capacity) =>
        new(shared, Model.Config.Layers, Model.Config.KeyValueDim, capacity);

    /// <summary>Scratch buffers of one caller, grown on demand.</summary>
    public sealed class Workspace
    {
        internal float[] X = [], Ln = [], Q = [], K = [], V = [], AttY = [], Gate = [], Up = [], H = [], Logits = [];
        internal int[] Positions = [], RowSequence = [];
        internal float[][] Scores = [];

        internal void Ensure(int rows, LlamaConfig c, int logitRows)
        {
            static void Grow(ref float[] a, int n) { if (a.Length < n) a = new float[n]; }
            Grow(ref X, rows * c.ModelDim); Grow(ref Ln, rows * c.ModelDim);
            Grow(ref Q, rows * c.AttentionDim); Grow(ref K, rows * c.KeyValueDim); Grow(ref V, rows * c.KeyValueDim);
            Grow(ref AttY, rows * c.AttentionDim);
            Grow(ref Gate, rows * c.FeedForwardDim); Grow(ref Up, rows * c.FeedForwardDim); Grow(ref H, rows * c.FeedForwardDim);
            Grow(ref Logits, logitRows * c.VocabularySize);
            if (Positions.Length < rows) { Positions = new int[rows]; RowSequence = new int[rows]; }
            if (Scores.Length < Environment.ProcessorCount)
                Scores = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new float[c.ContextLength]).ToArray();
        }
    }

    /// <summary>
    /// Appends <paramref name="tokens"/>[i] to <paramref name="sequences"/>[i] and returns logits: [S, V] for the last new
    /// token of each sequence, or [Σ new tokens, V] for every new token when <paramref name="allPositions"/> is set.
    /// The returned span aliases the workspace and is valid until its next use.
    /// </summary>
    public ReadOnlySpan<float> Forward(IReadOnlyList<InferenceSequence> sequences, IReadOnlyList<int[]> tokens, Workspace ws, bool allPositions = false)
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
        EmbeddingForward(x, tokens.SelectMany(t => t).ToArray(), Model[lay.TokenEmbedding], c);

        for (int l = 0; l < cfg.Layers; l++)
        {
            var blk = lay.Blocks[l];
            RmsNormForward(ln, ws.H, x, Model[blk.AttentionNorm], rows, c, cfg.NormEpsilon);
            LinearForward(ws.Q, ln, Model[blk.Query], rows, c, qd);
            LinearForward(ws.K, ln, Model[blk.Key], rows, c, kvd);
            LinearForward(ws.V, ln, Model[blk.Value], rows, c, kvd);
            Rope(ws.Q, positions, cfg.Heads, hs, _ropeCos, _ropeSin, 1f);
            Rope(ws.K, positions, cfg.KeyValueHeads, hs, _ropeCos, _ropeSin, 1f);
            for (int r = 0; r < rows; r++)
            {
                var own = sequences[ws.RowSequence[r]].Own;
                int offset = own.Offset(l, ws.Positions[r]);
                ws.K.AsSpan(r * kvd, kvd).CopyTo(own.Keys.AsSpan(offset, kvd));
                ws.V.AsSpan(r * kvd, kvd).CopyTo(own.Values.AsSpan(offset, kvd));
            }
            Attend(sequences, ws, rows, l);
            LinearForward(ln, ws.AttY, Model[blk.AttentionOutput], rows, qd, c);
            TensorPrimitives.Add(x, ln, x);
            RmsNormForward(ln, ws.H, x, Model[blk.FeedForwardNorm], rows, c, cfg.NormEpsilon);
            LinearForward(ws.Gate, ln, Model[blk.Gate], rows, c, f);
            LinearForward(ws.Up, ln, Model[blk.Up], rows, c, f);
            SwiGluForward(ws.H.AsSpan(0, rows * f), ws.Gate, ws.Up);
            LinearForward(ln, ws.H, Model[blk.Down], rows, f, c);
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
        LinearForward(logits, ln, Model[lay.Output], outRows, c, cfg.VocabularySize);
        return logits;
    }

    // AttY[r, h·hs] = softmax(q·Kᵀ/√hs)·V over every position ≤ the row's own, across shared segments and the own one.
    private void Attend(IReadOnlyList<InferenceSequence> sequences, Workspace ws, int rows, int layer)
    {
        var cfg = Model.Config;
        int nh = cfg.Heads, hs = cfg.HeadSize, qd = cfg.AttentionDim, group = cfg.Heads / cfg.KeyValueHeads;
        float scale = 1f / MathF.Sqrt(hs);
        void Work(int item, float[] scores)
        {
            int r = item / nh, h = item % nh, hk = h / group;
            var seq = sequences[ws.RowSequence[r]];
            int position = ws.Positions[r];
            var qv = ws.Q.AsSpan(r * qd + h * hs, hs);
            var output = ws.AttY.AsSpan(r * qd + h * hs, hs);
            float max = float.NegativeInfinity;
            int n = 0;
            foreach (var (segment, end) in Visible(seq, position))
                for (int p = segment.Start; p < end; p++, n++)
                {
                    float score = TensorPrimitives.Dot(qv, segment.Keys.AsSpan(segment.Offset(layer, p) + hk * hs, hs)) * scale;
                    scores[n] = score;
                    if (score > max) max = score;
                }
            float sum = 0;
            for (int i = 0; i < n; i++) { scores[i] = MathF.Exp(scores[i] - max); sum += scores[i]; }
            float inv = 1f / sum;
            output.Clear();
            n = 0;
            foreach (var (segment, end) in Visible(seq, position))
                for (int p = segment.Start; p < end; p++, n++)
                    TensorPrimitives.MultiplyAdd(segment.Values.AsSpan(segment.Offset(layer, p) + hk * hs, hs), scores[n] * inv, output, output);
        }

        int items = rows * nh;
        if (items < 16)
        {
            for (int i = 0; i < items; i++) Work(i, ws.Scores[0]);
            return;
        }
        int workers = Math.Min(ws.Scores.Length, items);
        Parallel.For(0, workers, w =>
        {
            for (int i = w; i < items; i += workers) Work(i, ws.Scores[w]);
        });
    }

    // Segments visible from a query at `position` (inclusive), with the end of each visible range.
    private static IEnumerable<(KvSegment Segment, int End)> Visible(InferenceSequence seq, int position)
    {
        foreach (var view in seq.Shared) yield return (view.Segment, view.End);
        yield return (seq.Own, position + 1);
    }
}
