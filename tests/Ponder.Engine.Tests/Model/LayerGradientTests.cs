using Ponder;
using Ponder.Engine.Model;

namespace Ponder.Engine.Tests.Model;

/// <summary>Each layer's backward against central finite differences of L = Σ out ⊙ R for a random R.</summary>
public sealed class LayerGradientTests
{
    private const float H = 1e-2f;

    private static float[] Random(int n, ulong seed, float scale = 1f)
    {
        var rng = new SplitMix64(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.NextGaussian() * scale;
        return a;
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    /// <summary>Checks every entry of <paramref name="analytic"/> against d loss / d input[i].</summary>
    private static void AssertGradient(float[] input, float[] analytic, Func<double> loss, string what)
    {
        for (int i = 0; i < input.Length; i++)
        {
            float saved = input[i];
            input[i] = saved + H; double up = loss();
            input[i] = saved - H; double down = loss();
            input[i] = saved;
            double numeric = (up - down) / (2 * H);
            double tolerance = 2e-3 + 2e-2 * Math.Abs(numeric);
            Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance,
                $"{what}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}");
        }
    }

    [Fact]
    public void RmsNorm()
    {
        int n = 3, c = 8;
        var x = Random(n * c, 1); var w = Random(c, 2); var r = Random(n * c, 3);
        var output = new float[n * c]; var rstd = new float[n];
        double Loss() { Layers.RmsNormForward(output, rstd, x, w, n, c, 1e-5f); return Dot(output, r); }
        Loss();
        var dx = new float[n * c]; var dw = new float[c];
        Layers.RmsNormBackward(dx, dw, r, x, w, rstd, n, c);
        AssertGradient(x, dx, Loss, "dx");
        AssertGradient(w, dw, Loss, "dw");
    }

    [Fact]
    public void Linear()
    {
        int n = 4, ic = 5, oc = 3;
        var x = Random(n * ic, 1); var w = Random(oc * ic, 2); var r = Random(n * oc, 3);
        var output = new float[n * oc];
        double Loss() { Layers.LinearForward(output, x, w, n, ic, oc); return Dot(output, r); }
        var dx = new float[n * ic]; var dw = new float[oc * ic];
        Layers.LinearBackward(dx, dw, r, x, w, n, ic, oc);
        AssertGradient(x, dx, Loss, "dx");
        AssertGradient(w, dw, Loss, "dw");
    }

    [Fact]
    public void SwiGlu()
    {
        int n = 12;
        var g = Random(n, 1, 2f); var u = Random(n, 2); var r = Random(n, 3);
        var h = new float[n];
        double Loss() { Layers.SwiGluForward(h, g, u); return Dot(h, r); }
        var dg = new float[n]; var du = new float[n];
        Layers.SwiGluBackward(dg, du, r, g, u);
        AssertGradient(g, dg, Loss, "dgate");
        AssertGradient(u, du, Loss, "dup");
    }

    [Fact]
    public void Rope()
    {
        int n = 4, heads = 2, hs = 6;
        var positions = new[] { 0, 1, 5, 9 };
        var (cos, sin) = Layers.RopeTables(10, hs, 10000f);
        var x = Random(n * heads * hs, 1); var r = Random(n * heads * hs, 3);
        double Loss() { var y = (float[])x.Clone(); Layers.Rope(y, positions, heads, hs, cos, sin, 1f); return Dot(y, r); }
        var dx = (float[])r.Clone();
        Layers.Rope(dx, positions, heads, hs, cos, sin, -1f);
        AssertGradient(x, dx, Loss, "dx");
    }

    [Fact]
    public void RopeRotatesAdjacentPairsByPositionTimesFrequency()
    {
        int hs = 4;
        var (cos, sin) = Layers.RopeTables(8, hs, 10000f);
        var x = new float[] { 1, 0, 1, 0 };
        Layers.Rope(x, [3], 1, hs, cos, sin, 1f);
        // pair 0: θ = 3, pair 1: θ = 3·10000^(−1/2)
        Assert.Equal(MathF.Cos(3), x[0], 5);
        Assert.Equal(MathF.Sin(3), x[1], 5);
        Assert.Equal(MathF.Cos(0.03f), x[2], 5);
        Assert.Equal(MathF.Sin(0.03f), x[3], 5);
    }

    [Fact]
    public void AttentionWithGroupedKeyValueHeads()
    {
        int b = 2, t = 4, nh = 4, nkv = 2, hs = 3;
        var q = Random(b * t * nh * hs, 1); var k = Random(b * t * nkv * hs, 2); var v = Random(b * t * nkv * hs, 3);
        var r = Random(b * t * nh * hs, 4);
        var output = new float[b * t * nh * hs]; var att = new float[b * nh * t * t];
        double Loss() { Layers.AttentionForward(output, att, q, k, v, b, t, nh, nkv, hs); return Dot(output, r); }
        Loss();
        var dq = new float[q.Length]; var dk = new float[k.Length]; var dv = new float[v.Length];
        Layers.AttentionBackward(dq, dk, dv, r, att, q, k, v, b, t, nh, nkv, hs);
        AssertGradient(q, dq, Loss, "dq");
        AssertGradient(k, dk, Loss, "dk");
        AssertGradient(v, dv, Loss, "dv");
    }

    [Fact]
    public void SoftmaxCrossEntropyWithMask()
    {
        int n = 3, vocab = 5;
        var logits = Random(n * vocab, 1);
        var targets = new[] { 1, 4, 0 };
        var mask = new[] { 1f, 0f, 1f };
        double Loss()
        {
            var probs = (float[])logits.Clone();
            var (sum, count) = Layers.SoftmaxCrossEntropyForward(probs, targets, mask, n, vocab);
            Assert.Equal(2, count);
            return sum / 2;
        }
        var p = (float[])logits.Clone();
        Layers.SoftmaxCrossEntropyForward(p, targets, mask, n, vocab);
        var d = new float[n * vocab];
        Layers.SoftmaxCrossEntropyBackward(d, p, targets, mask, n, vocab, 2f);
        AssertGradient(logits, d, Loss, "dlogits");
        Assert.All(d.AsSpan(vocab, vocab).ToArray(), g => Assert.Equal(0f, g));
    }
}
