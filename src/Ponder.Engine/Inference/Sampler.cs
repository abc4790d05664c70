using Ponder;
using Ponder.Engine.Model;

namespace Ponder.Engine.Inference;

/// <summary>Resolved sampling settings.</summary>
internal readonly record struct SamplingSettings(float Temperature, float TopP, int TopK);

/// <summary>Draws the next token from logits: greedy at temperature 0, else temperature, top-k and top-p filtering.</summary>
internal static class Sampler
{
    /// <summary>
    /// Returns the chosen token and its log-probability under the model's unfiltered distribution at temperature 1.
    /// <paramref name="scratch"/> holds per-caller buffers of V entries.
    /// </summary>
    public static int Sample(ReadOnlySpan<float> logits, SamplingSettings settings, SplitMix64 rng, Scratch scratch, out float logProb)
    {
        float logNormalizer = LogNormalizer(logits, out float max, out int argmax);
        int chosen = settings.Temperature == 0 ? argmax : Draw(logits, settings, max, rng, scratch);
        logProb = logits[chosen] - logNormalizer;
        return chosen;
    }

    /// <summary>log P(<paramref name="token"/>) under the model's unfiltered distribution at temperature 1, as <see cref="Sample"/> reports it.</summary>
    public static float LogProbability(ReadOnlySpan<float> logits, int token) => logits[token] - LogNormalizer(logits, out _, out _);

    // log Σ exp(logits), shifted by the maximum for stability; also the maximum and its index
    private static float LogNormalizer(ReadOnlySpan<float> logits, out float max, out int argmax)
    {
        max = float.NegativeInfinity;
        argmax = 0;
        for (int i = 0; i < logits.Length; i++)
            if (logits[i] > max) { max = logits[i]; argmax = i; }
        double logSum = 0;
        for (int i = 0; i < logits.Length; i++) logSum += Math.Exp(logits[i] - max);
        return max + (float)Math.Log(logSum);
    }

    /// <summary>Buffers for <see cref="Sample"/>.</summary>
    public sealed class Scratch(int vocabularySize)
    {
        internal readonly float[] Probabilities = new float[vocabularySize];
        internal readonly int[] Order = new int[vocabularySize];
    }

    private static int Draw(ReadOnlySpan<float> logits, SamplingSettings s, float max, SplitMix64 rng, Scratch scratch)
    {
        int vocab = logits.Length;
        var probs = scratch.Probabilities;
        var ids = scratch.Order;
        float sum = 0;
        for (int i = 0; i < vocab; i++) { probs[i] = MathF.Exp((logits[i] - max) / s.Temperature); sum += probs[i]; }

        bool filter = (s.TopK > 0 && s.TopK < vocab) || s.TopP < 1;
        if (!filter)
        {
            float u = rng.NextFloat() * sum;
            for (int i = 0; i < vocab; i++) { u -= probs[i]; if (u < 0) return i; }
            return LastNonZero(probs);
        }

        // Sort token ids by probability, descending; ties keep the lower id first so the order is deterministic.
        for (int i = 0; i < vocab; i++) ids[i] = i;
        Array.Sort(ids, (a, b) => probs[b] != probs[a] ? probs[b].CompareTo(probs[a]) : a.CompareTo(b));
        int keep = s.TopK > 0 ? Math.Min(s.TopK, vocab) : vocab;
        float cumulative = 0;
        for (int r = 0; r < keep; r++)
        {
            cumulative += probs[ids[r]];
            if (cumulative >= s.TopP * sum) { keep = r + 1; break; }
        }
        float kept = 0;
        for (int r = 0; r < keep; r++) kept += probs[ids[r]];
        float draw = rng.NextFloat() * kept;
        for (int r = 0; r < keep; r++) { draw -= probs[ids[r]]; if (draw < 0) return ids[r]; }
        return ids[keep - 1];
    }

    private static int LastNonZero(float[] probs)
    {
        for (int i = probs.Length - 1; i > 0; i--) if (probs[i] > 0) return i;
        return 0;
    }
}
