// Small-vector kernels for attention: dot products and scaled adds over one head (hs floats, typically 16–64).
// Attention calls these once per (query, key) pair, millions of times per step, so call overhead matters more than
// bandwidth: the kernels are inlined pointer loops with Vector256 FMA, a scalar tail for hs not divisible by 8.
// Limits: results differ from TensorPrimitives in rounding (different summation order) but are deterministic.

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Engine.Kernels;

internal static unsafe class VectorKernels
{
    /// <summary>Σ a[i]·b[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        float sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), acc1);
            }
            if (i + 8 <= n)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
                i += 8;
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        return sum;
    }

    /// <summary>y[i] += alpha·x[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float* y, float* x, float alpha, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(alpha);
            for (; i + 8 <= n; i += 8)
                Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(x + i), va, Vector256.Load(y + i)), y + i);
        }
        for (; i < n; i++) y[i] = MathF.FusedMultiplyAdd(x[i], alpha, y[i]);
    }

    /// <summary>
    /// scores[j] = scale · q·keys[j] for <paramref name="count"/> keys spaced <paramref name="stride"/> floats apart.
    /// Eight keys at a time: eight accumulators are reduced together by horizontal adds, which costs far less than
    /// eight separate reductions.
    /// </summary>
    public static void Scores(float* q, float* keys, int stride, int count, int hs, float scale, float* scores)
    {
        int j = 0;
        if (Avx.IsSupported && Fma.IsSupported && hs % 8 == 0)
        {
            for (; j + 8 <= count; j += 8)
            {
                float* k0 = keys + (nint)j * stride;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (int c = 0; c < hs; c += 8)
                {
                    var qc = Avx.LoadVector256(q + c);
                    float* kc = k0 + c;
                    a0 = Fma.MultiplyAdd(qc, Avx.LoadVector256(kc), a0);
                    a1 = Fma.MultiplyAdd(qc, Avx.LoadVector256(kc + stride), a1);
                    a2 = Fma.MultiplyAdd(qc, Avx.LoadVector256(kc + 2 * stride), a2);
                    a3 = Fma.MultiplyAdd(qc, Avx.LoadVector256(kc + 3 * stride), a3);
                    a4 = Fma.MultiplyAdd(qc, Avx.LoadVector256(kc + 4 * stride), a4);
                    a5 = Fma.MultiplyAdd(qc, Avx.LoadVector256(kc + 5 * stride), a5);
                    a6 = Fma.MultiplyAdd(qc, Avx.LoadVector256(kc + 6 * stride), a6);
                    a7 = Fma.MultiplyAdd(qc, Avx.LoadVector256(kc + 7 * stride), a7);
                }
                // [Σa0 … Σa7]: pairwise horizontal adds within 128-bit lanes, then the two lanes added.
                var h0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
                var h4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(a4, a5), Avx.HorizontalAdd(a6, a7));
                var sums = Avx.Add(Avx.Permute2x128(h0123, h4567, 0x20), Avx.Permute2x128(h0123, h4567, 0x31));
                Avx.Store(scores + j, Avx.Multiply(sums, Vector256.Create(scale)));
            }
        }
        for (; j < count; j++) scores[j] = Dot(q, keys + (nint)j * stride, hs) * scale;
    }

    /// <summary>
    /// output[0..hs) += Σ_j weights[j] · values[j] for <paramref name="count"/> value rows spaced <paramref name="stride"/>
    /// floats apart; each 8-float chunk of the output stays in a register across all rows.
    /// </summary>
    public static void WeightedSum(float* output, float* values, int stride, int count, int hs, float* weights)
    {
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Four independent accumulator chains per pass hide the FMA latency.
            for (; c + 32 <= hs; c += 32)
            {
                float* o = output + c;
                Vector256<float> a0 = Vector256.Load(o), a1 = Vector256.Load(o + 8), a2 = Vector256.Load(o + 16), a3 = Vector256.Load(o + 24);
                float* v = values + c;
                for (int j = 0; j < count; j++, v += stride)
                {
                    var w = Vector256.Create(weights[j]);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(v), w, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 8), w, a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 16), w, a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 24), w, a3);
                }
                Vector256.Store(a0, o); Vector256.Store(a1, o + 8); Vector256.Store(a2, o + 16); Vector256.Store(a3, o + 24);
            }
            for (; c + 16 <= hs; c += 16)
            {
                float* o = output + c;
                Vector256<float> a0 = Vector256.Load(o), a1 = Vector256.Load(o + 8);
                float* v = values + c;
                for (int j = 0; j < count; j++, v += stride)
                {
                    var w = Vector256.Create(weights[j]);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(v), w, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 8), w, a1);
                }
                Vector256.Store(a0, o); Vector256.Store(a1, o + 8);
            }
            for (; c + 8 <= hs; c += 8)
            {
                var acc = Vector256.Load(output + c);
                float* v = values + c;
                for (int j = 0; j < count; j++, v += stride)
                    acc = Vector256.FusedMultiplyAdd(Vector256.Load(v), Vector256.Create(weights[j]), acc);
                Vector256.Store(acc, output + c);
            }
        }
        for (; c < hs; c++)
        {
            float acc = output[c];
            for (int j = 0; j < count; j++) acc = MathF.FusedMultiplyAdd(values[(nint)j * stride + c], weights[j], acc);
            output[c] = acc;
        }
    }

    /// <summary>In-place softmax of <paramref name="count"/> scores, vectorised (exp dominates attention otherwise).</summary>
    public static void Softmax(float* scores, int count)
    {
        var span = new Span<float>(scores, count);
        float max = System.Numerics.Tensors.TensorPrimitives.Max((ReadOnlySpan<float>)span);
        System.Numerics.Tensors.TensorPrimitives.Subtract(span, max, span);
        System.Numerics.Tensors.TensorPrimitives.Exp(span, span);
        float sum = System.Numerics.Tensors.TensorPrimitives.Sum((ReadOnlySpan<float>)span);
        System.Numerics.Tensors.TensorPrimitives.Multiply(span, 1f / sum, span);
    }
}
