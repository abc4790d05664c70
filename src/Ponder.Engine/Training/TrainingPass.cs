// Forward and backward pass of the whole model over a batch of B sequences of T tokens (llm.c's gpt2_forward /
// gpt2_backward). Activations are kept per layer for the backward pass; gradients go to one buffer laid out like the
// parameters. Limits: fixed B and T per instance; all sequences start at position 0.

using Ponder.Engine.Model;
using static Ponder.Engine.Model.Layers;

namespace Ponder.Engine.Training;

/// <summary>Activation and gradient buffers for training one model on batches of shape [B, T].</summary>
public sealed class TrainingPass
{
    private readonly LlamaModel _model;
    private readonly int _b, _t, _n;
    private readonly float[] _ropeCos, _ropeSin;
    private readonly int[] _positions;
    private int[] _inputs = [], _targets = [];
    private float[] _mask = [];
    private float _maskSum;

    // per-layer activations, each [L][...]
    private readonly float[][] _residual;   // [L+1][N·C] input of each layer; [L] is the final residual stream
    private readonly float[][] _ln1, _ln2;  // [L][N·C]
    private readonly float[][] _rstd1, _rstd2; // [L][N]
    private readonly float[][] _q, _k, _v;  // [L][N·NH·hs], [L][N·NKV·hs] after RoPE
    private readonly float[][] _att;        // [L][B·NH·T·T]
    private readonly float[][] _attY;       // [L][N·NH·hs]
    private readonly float[][] _residual2;  // [L][N·C] after attention
    private readonly float[][] _gate, _up, _h; // [L][N·F]
    private readonly float[] _lnf, _rstdf;  // [N·C], [N]
    private readonly float[] _probs;        // [N·V] logits, then probabilities, then dlogits

    // backward scratch
    private readonly float[] _dResidual, _dLn, _dAttY, _dq, _dk, _dv, _dH, _dGate, _dUp;

    /// <summary>Allocates buffers for batches of <paramref name="batch"/> sequences of <paramref name="length"/> tokens.</summary>
    public TrainingPass(LlamaModel model, int batch, int length)
    {
        var cfg = model.Config;
        if (batch < 1) throw new ArgumentException($"batch size must be ≥ 1, got {batch}");
        if (length < 1 || length > cfg.ContextLength)
            throw new ArgumentException($"sequence length must be in [1, {cfg.ContextLength}], got {length}");
        _model = model;
        _b = batch; _t = length; _n = batch * length;
        (_ropeCos, _ropeSin) = RopeTables(length, cfg.HeadSize, cfg.RopeBase);
        _positions = Enumerable.Range(0, _n).Select(i => i % length).ToArray();
        Gradients = new float[model.Layout.Count];

        int l = cfg.Layers, c = cfg.ModelDim, f = cfg.FeedForwardDim, qd = cfg.AttentionDim, kvd = cfg.KeyValueDim;
        float[][] PerLayer(int count, int size) => Enumerable.Range(0, count).Select(_ => new float[size]).ToArray();
        _residual = PerLayer(l + 1, _n * c);
        _ln1 = PerLayer(l, _n * c); _ln2 = PerLayer(l, _n * c);
        _rstd1 = PerLayer(l, _n); _rstd2 = PerLayer(l, _n);
        _q = PerLayer(l, _n * qd); _k = PerLayer(l, _n * kvd); _v = PerLayer(l, _n * kvd);
        _att = PerLayer(l, batch * cfg.Heads * length * length);
        _attY = PerLayer(l, _n * qd);
        _residual2 = PerLayer(l, _n * c);
        _gate = PerLayer(l, _n * f); _up = PerLayer(l, _n * f); _h = PerLayer(l, _n * f);
        _lnf = new float[_n * c]; _rstdf = new float[_n];
        _probs = new float[_n * cfg.VocabularySize];
        _dResidual = new float[_n * c]; _dLn = new float[_n * c];
        _dAttY = new float[_n * qd]; _dq = new float[_n * qd]; _dk = new float[_n * kvd]; _dv = new float[_n * kvd];
        _dH = new float[_n * f]; _dGate = new float[_n * f]; _dUp = new float[_n * f];
    }

    /// <summary>Gradients of the last <see cref="Backward"/>, laid out like the parameters. Accumulated; see <see cref="ZeroGradients"/>.</summary>
    public float[] Gradients { get; }

    /// <summary>Batch size B.</summary>
    public int BatchSize => _b;
    /// <summary>Sequence length T.</summary>
    public int SequenceLength => _t;

    /// <summary>Output probabilities [B·T, V] of the last forward pass (valid until <see cref="Backward"/>).</summary>
    public ReadOnlySpan<float> Probabilities => _probs;

    /// <summary>The mean loss of the last forward pass in double precision (for gradient checks).</summary>
    internal double LastLoss { get; private set; }

    /// <summary>Sets all gradients to zero.</summary>
    public void ZeroGradients() => Array.Clear(Gradients);

    /// <summary>
    /// Runs the model on <paramref name="inputs"/> [B·T] and returns the mean cross-entropy of predicting
    /// <paramref name="targets"/> [B·T] over positions whose <paramref name="mask"/> is non-zero (mask weights the loss).
    /// </summary>
    public float Forward(int[] inputs, int[] targets, float[] mask)
    {
        var cfg = _model.Config;
        var lay = _model.Layout;
        if (inputs.Length != _n || targets.Length != _n || mask.Length != _n)
            throw new ArgumentException($"inputs, targets and mask must each hold B·T = {_n} entries");
        foreach (int tok in inputs)
            if ((uint)tok >= (uint)cfg.VocabularySize) throw new ArgumentException($"token {tok} outside the vocabulary of {cfg.VocabularySize}");
        foreach (int tok in targets)
            if ((uint)tok >= (uint)cfg.VocabularySize) throw new ArgumentException($"target {tok} outside the vocabulary of {cfg.VocabularySize}");
        _inputs = inputs; _targets = targets; _mask = mask;

        int c = cfg.ModelDim, f = cfg.FeedForwardDim, qd = cfg.AttentionDim, kvd = cfg.KeyValueDim, hs = cfg.HeadSize;
        EmbeddingForward(_residual[0], inputs, _model[lay.TokenEmbedding], c);
        for (int l = 0; l < cfg.Layers; l++)
        {
            var blk = lay.Blocks[l];
            RmsNormForward(_ln1[l], _rstd1[l], _residual[l], _model[blk.AttentionNorm], _n, c, cfg.NormEpsilon);
            LinearForward(_q[l], _ln1[l], _model[blk.Query], _n, c, qd);
            LinearForward(_k[l], _ln1[l], _model[blk.Key], _n, c, kvd);
            LinearForward(_v[l], _ln1[l], _model[blk.Value], _n, c, kvd);
            Rope(_q[l], _positions, cfg.Heads, hs, _ropeCos, _ropeSin, 1f);
            Rope(_k[l], _positions, cfg.KeyValueHeads, hs, _ropeCos, _ropeSin, 1f);
            AttentionForward(_attY[l], _att[l], _q[l], _k[l], _v[l], _b, _t, cfg.Heads, cfg.KeyValueHeads, hs);
            LinearForward(_residual2[l], _attY[l], _model[blk.AttentionOutput], _n, qd, c);
            AddInPlace(_residual2[l], _residual[l]);
            RmsNormForward(_ln2[l], _rstd2[l], _residual2[l], _model[blk.FeedForwardNorm], _n, c, cfg.NormEpsilon);
            LinearForward(_gate[l], _ln2[l], _model[blk.Gate], _n, c, f);
            LinearForward(_up[l], _ln2[l], _model[blk.Up], _n, c, f);
            SwiGluForward(_h[l], _gate[l], _up[l]);
            LinearForward(_residual[l + 1], _h[l], _model[blk.Down], _n, f, c);
            AddInPlace(_residual[l + 1], _residual2[l]);
        }
        RmsNormForward(_lnf, _rstdf, _residual[cfg.Layers], _model[lay.OutputNorm], _n, c, cfg.NormEpsilon);
        LinearForward(_probs, _lnf, _model[lay.Output], _n, c, cfg.VocabularySize);
        var (lossSum, _) = SoftmaxCrossEntropyForward(_probs, targets, mask, _n, cfg.VocabularySize);
        _maskSum = 0;
        foreach (float m in mask) _maskSum += m;
        LastLoss = _maskSum > 0 ? lossSum / _maskSum : 0;
        return (float)LastLoss;
    }

    /// <summary>Accumulates into <see cref="Gradients"/> the gradient of the mean loss of the last <see cref="Forward"/>.</summary>
    public void Backward()
    {
        if (_inputs.Length == 0) throw new InvalidOperationException("Backward needs a Forward first");
        var cfg = _model.Config;
        var lay = _model.Layout;
        int c = cfg.ModelDim, f = cfg.FeedForwardDim, qd = cfg.AttentionDim, kvd = cfg.KeyValueDim, hs = cfg.HeadSize;
        Span<float> G(ParameterTensor t) => Gradients.AsSpan((int)t.Offset, t.Length);

        // logits: dlogits overwrite the probabilities
        SoftmaxCrossEntropyBackward(_probs, _probs, _targets, _mask, _n, cfg.VocabularySize, Math.Max(_maskSum, 1e-30f));
        Array.Clear(_dLn);
        LinearBackward(_dLn, G(lay.Output), _probs, _lnf, _model[lay.Output], _n, c, cfg.VocabularySize);
        Array.Clear(_dResidual);
        RmsNormBackward(_dResidual, G(lay.OutputNorm), _dLn, _residual[cfg.Layers], _model[lay.OutputNorm], _rstdf, _n, c);

        for (int l = cfg.Layers - 1; l >= 0; l--)
        {
            var blk = lay.Blocks[l];
            // MLP: _dResidual is the gradient of this layer's output, which is residual2 + down(h)
            Array.Clear(_dH);
            LinearBackward(_dH, G(blk.Down), _dResidual, _h[l], _model[blk.Down], _n, f, c);
            Array.Clear(_dGate); Array.Clear(_dUp);
            SwiGluBackward(_dGate, _dUp, _dH, _gate[l], _up[l]);
            Array.Clear(_dLn);
            LinearBackward(_dLn, G(blk.Gate), _dGate, _ln2[l], _model[blk.Gate], _n, c, f);
            LinearBackward(_dLn, G(blk.Up), _dUp, _ln2[l], _model[blk.Up], _n, c, f);
            RmsNormBackward(_dResidual, G(blk.FeedForwardNorm), _dLn, _residual2[l], _model[blk.FeedForwardNorm], _rstd2[l], _n, c);

            // attention: _dResidual is now the gradient of residual2 = residual + attn_output(attY)
            Array.Clear(_dAttY);
            LinearBackward(_dAttY, G(blk.AttentionOutput), _dResidual, _attY[l], _model[blk.AttentionOutput], _n, qd, c);
            Array.Clear(_dq); Array.Clear(_dk); Array.Clear(_dv);
            AttentionBackward(_dq, _dk, _dv, _dAttY, _att[l], _q[l], _k[l], _v[l], _b, _t, cfg.Heads, cfg.KeyValueHeads, hs);
            Rope(_dq, _positions, cfg.Heads, hs, _ropeCos, _ropeSin, -1f);
            Rope(_dk, _positions, cfg.KeyValueHeads, hs, _ropeCos, _ropeSin, -1f);
            Array.Clear(_dLn);
            LinearBackward(_dLn, G(blk.Query), _dq, _ln1[l], _model[blk.Query], _n, c, qd);
            LinearBackward(_dLn, G(blk.Key), _dk, _ln1[l], _model[blk.Key], _n, c, kvd);
            LinearBackward(_dLn, G(blk.Value), _dv, _ln1[l], _model[blk.Value], _n, c, kvd);
            RmsNormBackward(_dResidual, G(blk.AttentionNorm), _dLn, _residual[l], _model[blk.AttentionNorm], _rstd1[l], _n, c);
        }
        EmbeddingBackward(G(lay.TokenEmbedding), _dResidual, _inputs, c);
        _inputs = [];
    }

    private static void AddInPlace(float[] target, float[] addend) =>
        System.Numerics.Tensors.TensorPrimitives.Add(target, addend, target);

    /// <summary>Forward FLOPs of one batch: matmuls 2·N_weights per token plus causal attention (QKᵀ and PV).</summary>
    public double ForwardFlopsPerBatch()
    {
        var cfg = _model.Config;
        double perToken = 2.0 * (_model.Layout.NonEmbeddingCount + (long)cfg.ModelDim * cfg.VocabularySize);
        // Σ_t (t+1) keys per query, 2 matmuls (scores and values) of 2 FLOPs per multiply-add.
        double attention = 4.0 * cfg.Layers * cfg.AttentionDim * (_t * (_t + 1) / 2.0);
        return _b * (_t * perToken + attention);
    }
}
