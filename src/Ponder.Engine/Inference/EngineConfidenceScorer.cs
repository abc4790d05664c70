// A verifier that needs no training: a language model's own confidence in the solution. A step's score is the lowest
// probability the model gives any token of the solution up to and including that step, so it reads like a PRM's
// "the solution so far is error-free". Run with the policy itself, this is the token confidence that DeepConf
// (Fu et al., 2025) weights and filters votes with, and the self-certainty Kang et al. (2025) select best-of-N by.
// The minimum, not the mean, because a slip is one unlikely token among many certain ones: a mean dilutes it away.
// Why it works where a same-size PRM struggles: the model's prediction of a token is formed in its last layer, at the
// position before it, and no later position can read it back; a PRM judging at a tag after the step must redo the
// step's arithmetic and the comparison inside one position. Reading the prediction straight from the logits costs one
// forward pass over the text, charged as verifier compute like a PRM's.

using Ponder.Engine.Model;

namespace Ponder.Engine.Inference;

/// <summary>Scores every step of a (partial) solution by an engine model's confidence in it. Safe to call concurrently.</summary>
public sealed class EngineConfidenceScorer : EngineScorer
{
    /// <summary>Prefix of the scorer's name: confidence:MODEL, so that stores and reports tell it from the model as a policy.</summary>
    public const string NamePrefix = "confidence:";

    /// <summary>Scores with <paramref name="model"/>'s next-token probabilities (typically the policy's own).</summary>
    public EngineConfidenceScorer(EngineModel model) : base(model, NamePrefix + model?.Name) { }

    // Steps keep their delimiters: their concatenation is exactly the text the model reads after the prompt.
    private protected override float[] Score(string prompt, IReadOnlyList<string> steps, PrefixCache cache, out int tokenCount, out int cached)
    {
        (tokenCount, cached) = (0, 0);
        if (steps.Count == 0) return [];
        var tokenizer = Model.Tokenizer;
        var stepTokens = steps.Select(s => tokenizer.Encode(s)).ToArray();
        int[] prefix = [.. tokenizer.AddBos ? [tokenizer.Bos] : Array.Empty<int>(), .. tokenizer.Encode(prompt)];
        if (prefix.Length == 0) throw new ArgumentException("the model has no beginning-of-sequence token and the prompt is empty: the first token has no prediction");
        int[] tokens = [.. prefix, .. stepTokens.SelectMany(t => t)];
        tokenCount = tokens.Length;
        var logits = Logits(cache, tokens, "the solution", out cached);
        int vocab = Model.Model.Config.VocabularySize;
        var scores = new float[steps.Count];
        float lowest = 1f;
        int position = prefix.Length;
        for (int step = 0; step < steps.Count; step++)
        {
            foreach (int token in stepTokens[step])
            {
                // the prediction of the token at `position` is read at the position before it, as the generator reports it
                lowest = MathF.Min(lowest, MathF.Exp(Sampler.LogProbability(logits.AsSpan((position - 1) * vocab, vocab), token)));
                position++;
            }
            scores[step] = lowest;
        }
        return scores;
    }
}
