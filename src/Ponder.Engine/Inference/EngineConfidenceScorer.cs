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
using Ponder.Compute;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.Engine.Inference;

/// <summary>Scores every step of a (partial) solution by an engine model's confidence in it. Safe to call concurrently.</summary>
public sealed class EngineConfidenceScorer : IStepScorer
{
    private readonly InferenceEngine _engine;

    /// <summary>Scores with <paramref name="model"/>'s next-token probabilities (typically the policy's own).</summary>
    public EngineConfidenceScorer(EngineModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Card = model.Model.Card(Name + model.Name);
        _engine = new InferenceEngine(model.Model);
    }

    /// <summary>The model whose confidence scores the steps.</summary>
    public EngineModel Model { get; }

    /// <summary>Prefix of the scorer's name: confidence:MODEL, so that stores and reports tell it from the model as a policy.</summary>
    public const string Name = "confidence:";

    /// <summary>The model's size and shape, for compute accounting, named confidence:MODEL.</summary>
    public ModelCard Card { get; }

    ModelCard? IStepScorer.Card => Card;

    /// <summary>
    /// Scores the steps of a (partial) solution of <paramref name="problem"/>; the steps keep their delimiters (as
    /// <see cref="SolutionSteps.Split"/> returns them), so their concatenation is the text the model reads after the prompt.
    /// </summary>
    public Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(steps);
        return Task.Run(() =>
        {
            var scores = Score(problem.Prompt, steps, out int tokens);
            return new StepScores(scores.Select(x => (double)x).ToArray(), new SequenceUsage(tokens, 0, 0));
        }, cancellationToken);
    }

    /// <summary>One score in [0, 1] per step: the lowest probability of any solution token up to the step's end.</summary>
    /// <exception cref="ArgumentException">The text does not fit the model's context.</exception>
    public float[] Score(string prompt, IReadOnlyList<string> steps) => Score(prompt, steps, out _);

    private float[] Score(string prompt, IReadOnlyList<string> steps, out int tokenCount)
    {
        tokenCount = 0;
        if (steps.Count == 0) return [];
        var tokenizer = Model.Tokenizer;
        var stepTokens = steps.Select(s => tokenizer.Encode(s)).ToArray();
        int[] prefix = [.. tokenizer.AddBos ? [tokenizer.Bos] : Array.Empty<int>(), .. tokenizer.Encode(prompt)];
        if (prefix.Length == 0) throw new ArgumentException("the model has no beginning-of-sequence token and the prompt is empty: the first token has no prediction");
        int[] tokens = [.. prefix, .. stepTokens.SelectMany(t => t)];
        tokenCount = tokens.Length;
        if (tokens.Length > Model.Model.Config.ContextLength)
            throw new ArgumentException($"the solution has {tokens.Length} tokens; the model's context length is {Model.Model.Config.ContextLength}");
        var logits = _engine.AllLogits(tokens);
        int vocab = Model.Model.Config.VocabularySize;
        var scores = new float[steps.Count];
        float lowest = 1f;
        int position = prefix.Length;
        for (int step = 0; step < steps.Count; step++)
        {
            foreach (int token in stepTokens[step])
            {
                // the prediction of the token at `position` is read at the position before it
                lowest = MathF.Min(lowest, Probability(logits.AsSpan((position - 1) * vocab, vocab), token));
                position++;
            }
            scores[step] = lowest;
        }
        return scores;
    }

    // softmax(logits)[token], shifted by the maximum for stability
    private static float Probability(ReadOnlySpan<float> logits, int token)
    {
        float max = float.NegativeInfinity;
        foreach (float l in logits) max = MathF.Max(max, l);
        double sum = 0;
        foreach (float l in logits) sum += Math.Exp(l - max);
        return (float)(Math.Exp(logits[token] - max) / sum);
    }
}
