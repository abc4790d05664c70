// Layers of the Llama transformer, one forward/backward pair each, in the style of llm.c.
// Every function works on flat row-major spans; shapes are given in comments with the letters of LlamaConfig
// (N rows = tokens, C width, V vocabulary, NH/NKV heads, hs head size, F MLP width, T sequence length).
// Backward functions accumulate into their gradient outputs (+=); zeroing is the caller's job.
// Limits: FP32 only; attention here is the training form (whole sequences of equal length T); inference attention
// over a KV cache lives in Inference/.

using System.Numerics.Tensors;
using Ponder.Engine.Kernels;

namespace Ponder.Engine.Model;

internal static class Layers
{
    // ----------------------------------------------------------------------------------------------------------------
    // embedding

    // out[N,C] = wte[tokens[n], :]
    public static void EmbeddingForward(Span<float> output, ReadOnlySpan<int> tokens, ReadOnlySpan<float> wte, int c)
    {
        for (int n = 0; n < tokens.Length; n++)
            wte.Slice(tokens[n] * c, c).CopyTo(output.Slice(n * c, c));
    }

    // dwte[tokens[n], :] += dout[n, :]
    public static void EmbeddingBackward(Span<float> dwte, ReadOnlySpan<float> doutput, ReadOnlySpan<int> tokens, int c)
    {
        for (int n = 0; n < tokens.Length; n++)
        {
            var row = dwte.Slice(tokens[n] * c, c);
            TensorPrimitives.Add(row, doutput.Slice(n * c, c), row);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // RMSNorm: out = (x · rstd) · w with rstd = 1/sqrt(mean(x²) + eps); the mean is accumulated in double like llama.cpp.

    // out[N,C], rstd[N] <- x[N,C], w[C]
    public static void RmsNormForward(Span<float> output, Span<float> rstd, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int n, int c, float eps)
    {
        for (int i = 0; i < n; i++)
        {
            var xi = x.Slice(i * c, c);
            double sum = 0;
            for (int j = 0; j < c; j++) sum += (double)xi[j] * xi[j];
            float r = 1f / MathF.Sqrt((float)(sum / c) + eps);
            rstd[i] = r;
            var oi = output.Slice(i * c, c);
            for (int j = 0; j < c; j++) oi[j] = xi[j] * r * w[j];
        }
    }

    // dx[N,C] += rstd·(w·dout) − x·rstd³·Σ(w·dout·x)/C ;  dw[C] += Σ_n dout·x·rstd
    public static void RmsNormBackward(Span<float> dx, Span<float> dw, ReadOnlySpan<float> dout, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> rstd, int n, int c)
    {
        for (int i = 0; i < n; i++)
        {
            var xi = x.Slice(i * c, c);
            var gi = dout.Slice(i * c, c);
            var dxi = dx.Slice(i * c, c);
            float r = rstd[i];
            double dot = 0;
            for (int j = 0; j < c; j++) dot += (double)gi[j] * w[j] * xi[j];
            float coef = (float)(dot / c) * r * r * r;
            for (int j = 0; j < c; j++)
            {
                dxi[j] += r * w[j] * gi[j] - coef * xi[j];
                dw[j] += gi[j] * xi[j] * r;
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // linear (no bias): weights stored [OC, IC] like PyTorch

    // out[N,OC] = x[N,IC] · w[OC,IC]ᵀ
    public static void LinearForward(Span<float> output, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int n, int ic, int oc)
        => MatMul.Gemm(false, true, n, oc, ic, x, w, output, accumulate: false);

    // dx[N,IC] += dout[N,OC] · w[OC,IC] ;  dw[OC,IC] += dout[N,OC]ᵀ · x[N,IC]
    public static void LinearBackward(Span<float> dx, Span<float> dw, ReadOnlySpan<float> dout, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        int n, int ic, int oc)
    {
        if (!dx.IsEmpty) MatMul.Gemm(false, false, n, ic, oc, dout, w, dx, accumulate: true);
        MatMul.Gemm(true, false, oc, ic, n, dout, x, dw, accumulate: true);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // RoPE on adjacent pairs (2i, 2i+1), llama.cpp's convention for arch "llama": θ_i = pos · base^(−2i/hs).

    /// <summary>cos and sin of θ for every position and pair: tables [T, hs/2].</summary>
    public static (float[] Cos, float[] Sin) RopeTables(int contextLength, int headSize, float ropeBase)
    {
        int half = headSize / 2;
        var cos = new float[contextLength * half];
        var sin = new float[contextLength * half];
        for (int pos = 0; pos < contextLength; pos++)
            for (int i = 0; i < half; i++)
            {
                double theta = pos * Math.Pow(ropeBase, -2.0 * i / headSize);
                cos[pos * half + i] = (float)Math.Cos(theta);
                sin[pos * half + i] = (float)Math.Sin(theta);
            }
        return (cos, sin);
    }

    // x[N, H, hs] rotated in place; row n is at position positions[n]. sign = +1 forward, −1 backward (rotation by −θ).
    public static void Rope(Span<float> x, ReadOnlySpan<int> positions, int heads, int headSize, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, float sign)
    {
        int half = headSize / 2;
        for (int n = 0; n < positions.Length; n++)
        {
            var cs = cos.Slice(positions[n] * half, half);
            var sn = sin.Slice(positions[n] * half, half);
            var row = x.Slice(n * heads * headSize, heads * headSize);
            for (int h = 0; h < heads; h++)
            {
                var v = row.Slice(h * headSize, headSize);
                for (int i = 0; i < half; i++)
                {
                    float x0 = v[2 * i], x1 = v[2 * i + 1], c = cs[i], s = sign * sn[i];
                    v[2 * i] = x0 * c - x1 * s;
                    v[2 * i + 1] = x0 * s + x1 * c;
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // causal multi-head attention over whole sequences (training). Query head h reads key/value head h / (NH/NKV).

    // out[B·T, NH·hs], att[B, NH, T, T] <- q[B·T, NH·hs], k[B·T, NKV·hs], v[B·T, NKV·hs]
    public static unsafe void AttentionForward(float[] output, float[] att, float[] q, float[] k, float[] v, int b, int t, int nh, int nkv, int hs)
    {
        float scale = 1f / MathF.Sqrt(hs);
        int qDim = nh * hs, kvDim = nkv * hs, group = nh / nkv;
        Parallel.For(0, b * nh, bh =>
        {
            int bi = bh / nh, h = bh % nh, hk = h / group;
            fixed (float* pq = q, pk = k, pv = v, pout = output, patt = att)
            {
                float* kBase = pk + bi * t * kvDim + hk * hs, vBase = pv + bi * t * kvDim + hk * hs;
                for (int ti = 0; ti < t; ti++)
                {
                    float* qv = pq + (bi * t + ti) * qDim + h * hs;
                    float* row = patt + ((bi * nh + h) * t + ti) * t;
                    VectorKernels.Scores(qv, kBase, kvDim, ti + 1, hs, scale, row);
                    VectorKernels.Softmax(row, ti + 1);
                    new Span<float>(row + ti + 1, t - ti - 1).Clear();
                    float* ov = pout + (bi * t + ti) * qDim + h * hs;
                    new Span<float>(ov, hs).Clear();
                    VectorKernels.WeightedSum(ov, vBase, kvDim, ti + 1, hs, row);
                }
            }
        });
    }

    // dq, dk, dv += gradients of AttentionForward given dout[B·T, NH·hs].
    // Two passes per head so that every sum runs in registers: query-major for dq (and the score gradients), then
    // key-major for dk and dv, reading the probability and score-gradient columns gathered into a contiguous buffer.
    public static unsafe void AttentionBackward(float[] dq, float[] dk, float[] dv, float[] dout, float[] att, float[] q, float[] k, float[] v,
        int b, int t, int nh, int nkv, int hs)
    {
        float scale = 1f / MathF.Sqrt(hs);
        int qDim = nh * hs, kvDim = nkv * hs, group = nh / nkv;
        // One worker per (batch, key/value head): all query heads of a group write the same dk/dv rows.
        Parallel.For(0, b * nkv, () => new float[t * t + t], (bk, _, scratch) =>
        {
            int bi = bk / nkv, hk = bk % nkv;
            fixed (float* pq = q, pk = k, pv = v, pdq = dq, pdk = dk, pdv = dv, pdout = dout, patt = att, pscratch = scratch)
            {
                float* dscores = pscratch;      // [T, T] d(score)·scale for this head, row = query
                float* column = pscratch + t * t; // [T] one column of att or dscores, gathered
                int kvBase = bi * t * kvDim + hk * hs;
                for (int h = hk * group; h < (hk + 1) * group; h++)
                {
                    float* probs = patt + (bi * nh + h) * t * t;
                    int qBase = bi * t * qDim + h * hs;
                    for (int ti = 0; ti < t; ti++)
                    {
                        float* row = probs + ti * t, drow = dscores + ti * t;
                        VectorKernels.Scores(pdout + qBase + ti * qDim, pv + kvBase, kvDim, ti + 1, hs, 1f, drow);
                        float weighted = 0;
                        for (int t2 = 0; t2 <= ti; t2++) weighted += drow[t2] * row[t2];
                        for (int t2 = 0; t2 <= ti; t2++) drow[t2] = row[t2] * (drow[t2] - weighted) * scale;
                        VectorKernels.WeightedSum(pdq + qBase + ti * qDim, pk + kvBase, kvDim, ti + 1, hs, drow);
                    }
                    for (int t2 = 0; t2 < t; t2++)
                    {
                        int queries = t - t2; // queries t2..T-1 see key t2
                        for (int i = 0; i < queries; i++) column[i] = probs[(t2 + i) * t + t2];
                        VectorKernels.WeightedSum(pdv + kvBase + t2 * kvDim, pdout + qBase + t2 * qDim, qDim, queries, hs, column);
                        for (int i = 0; i < queries; i++) column[i] = dscores[(t2 + i) * t + t2];
                        VectorKernels.WeightedSum(pdk + kvBase + t2 * kvDim, pq + qBase + t2 * qDim, qDim, queries, hs, column);
                    }
                }
            }
            return scratch;
        }, _ => { });
    }

    // ----------------------------------------------------------------------------------------------------------------
    // SwiGLU: h = silu(gate) · up, silu(g) = g·σ(g)

    // h[N·F] <- gate[N·F], up[N·F]
    public static void SwiGluForward(Span<float> h, ReadOnlySpan<float> gate, ReadOnlySpan<float> up)
    {
        gate = gate[..h.Length];
        TensorPrimitives.Sigmoid(gate, h);
        TensorPrimitives.Multiply(h, gate, h);
        TensorPrimitives.Multiply(h, up[..h.Length], h);
    }

    // dgate, dup += from dh
    public static void SwiGluBackward(Span<float> dgate, Span<float> dup, ReadOnlySpan<float> dh, ReadOnlySpan<float> gate, ReadOnlySpan<float> up)
    {
        for (int i = 0; i < dh.Length; i++)
        {
            float g = gate[i];
            float sig = 1f / (1f + MathF.Exp(-g));
            float silu = g * sig;
            dup[i] += dh[i] * silu;
            dgate[i] += dh[i] * up[i] * sig * (1f + g * (1f - sig));
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // softmax + masked cross-entropy, fused: logits are overwritten with probabilities.

    // probs[N,V] <- logits[N,V] in place; returns Σ over masked rows of −log p[target] and their count.
    public static (double LossSum, int Count) SoftmaxCrossEntropyForward(Span<float> logitsToProbs, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask, int n, int vocab)
    {
        double loss = 0;
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            var row = logitsToProbs.Slice(i * vocab, vocab);
            float max = TensorPrimitives.Max(row);
            float sum = 0;
            for (int j = 0; j < vocab; j++) { float e = MathF.Exp(row[j] - max); row[j] = e; sum += e; }
            TensorPrimitives.Multiply(row, 1f / sum, row);
            if (mask[i] != 0)
            {
                loss -= Math.Log(Math.Max(row[targets[i]], 1e-30f)) * mask[i];
                count++;
            }
        }
        return (loss, count);
    }

    // dlogits[N,V] = mask·(probs − onehot(target)) / normalizer
    public static void SoftmaxCrossEntropyBackward(Span<float> dlogits, ReadOnlySpan<float> probs, ReadOnlySpan<int> targets, ReadOnlySpan<float> mask,
        int n, int vocab, float normalizer)
    {
        for (int i = 0; i < n; i++)
        {
            var d = dlogits.Slice(i * vocab, vocab);
            float scale = mask[i] / normalizer;
            if (scale == 0) { d.Clear(); continue; }
            TensorPrimitives.Multiply(probs.Slice(i * vocab, vocab), scale, d);
            d[targets[i]] -= scale;
        }
    }
}
