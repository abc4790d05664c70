using Ponder.Compute;
using Ponder.Engine.Model;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.Engine.Inference;

/// <summary>
/// A step scorer that reads the prompt and the whole solution in one forward pass of an engine model and derives every
/// step's score from the logits: a PRM's judgements (<see cref="EngineStepScorer"/>) or the model's confidence
/// (<see cref="EngineConfidenceScorer"/>). Safe to call concurrently.
/// </summary>
public abstract class EngineScorer : IStepScorer
{
    private readonly InferenceEngine _engine;

    private protected EngineScorer(EngineModel model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Card = model.Model.Card(name);
        _engine = new InferenceEngine(model.Model);
    }

    /// <summary>The model that scores.</summary>
    public EngineModel Model { get; }

    /// <summary>The model's size and shape, for compute accounting, under the scorer's name.</summary>
    public ModelCard Card { get; }

    ModelCard? IStepScorer.Card => Card;

    /// <summary>
    /// Scores the steps of a (partial) solution of <paramref name="problem"/>, as <see cref="SolutionSteps.Split"/> returns
    /// them: each with its delimiter, the last one possibly unfinished.
    /// </summary>
    public Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(steps);
        var scored = ScoredSteps(steps);
        return Task.Run(() =>
        {
            var scores = Score(problem.Prompt, scored, out int tokens);
            return new StepScores(scores.Select(x => (double)x).ToArray(), new SequenceUsage(tokens, 0, 0));
        }, cancellationToken);
    }

    /// <summary>One score in [0, 1] per step of <paramref name="steps"/>, in the form <see cref="ScoredSteps"/> gives them.</summary>
    /// <exception cref="ArgumentException">The text does not fit the model's context.</exception>
    public float[] Score(string prompt, IReadOnlyList<string> steps) => Score(prompt, steps, out _);

    /// <summary>The steps as <see cref="Score(string, IReadOnlyList{string})"/> takes them, from steps that keep their delimiters.</summary>
    private protected virtual IReadOnlyList<string> ScoredSteps(IReadOnlyList<string> steps) => steps;

    /// <summary>Scores the steps given the tokens the model reads for them; <paramref name="tokenCount"/> is what was read.</summary>
    private protected abstract float[] Score(string prompt, IReadOnlyList<string> steps, out int tokenCount);

    /// <summary>Logits [T, V] at every position of <paramref name="tokens"/>, which must fit the context.</summary>
    private protected float[] Logits(int[] tokens, string text)
    {
        int context = Model.Model.Config.ContextLength;
        if (tokens.Length > context)
            throw new ArgumentException($"{text} has {tokens.Length} tokens; {Model.Name}'s context length is {context}");
        return _engine.AllLogits(tokens);
    }
}
