using Ponder.Compute;
using Ponder.Engine.Model;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.Engine.Inference;

/// <summary>
/// A step scorer that reads the prompt and the whole solution in one forward pass of an engine model and derives every
/// step's score from the logits: a PRM's judgements (<see cref="EngineStepScorer"/>) or the model's confidence
/// (<see cref="EngineConfidenceScorer"/>). Calls made directly compute every text in full; the scorer that
/// <see cref="BeginRun"/> returns for one strategy run reuses the longest prefix a text shares with one the run scored
/// before (the partial solution scored at the previous step of a search, the prompt) and reports those tokens as
/// cached, so a verifier is charged only for what it computes. Safe to call concurrently.
/// </summary>
public abstract class EngineScorer : IStepScorer
{
    private readonly InferenceEngine _engine;
    private readonly PrefixCache _noCache;

    private protected EngineScorer(EngineModel model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Card = model.Model.Card(name);
        _engine = new InferenceEngine(model.Model);
        _noCache = new PrefixCache(_engine, capacityBytes: 0);
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
    public Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default) =>
        ScoreStepsAsync(problem, steps, _noCache, cancellationToken);

    /// <summary>A scorer for one strategy run, with its own prefix cache.</summary>
    public IStepScorer BeginRun() => new Run(this, new PrefixCache(_engine));

    private Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, PrefixCache cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(steps);
        var scored = ScoredSteps(steps);
        return Task.Run(() =>
        {
            var scores = Score(problem.Prompt, scored, cache, out int tokenCount, out int cached);
            return new StepScores(scores.Select(x => (double)x).ToArray(), new SequenceUsage(tokenCount, cached, 0));
        }, cancellationToken);
    }

    private sealed class Run(EngineScorer scorer, PrefixCache cache) : IStepScorer
    {
        public ModelCard? Card => scorer.Card;

        public Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default) =>
            scorer.ScoreStepsAsync(problem, steps, cache, cancellationToken);
    }

    /// <summary>One score in [0, 1] per step of <paramref name="steps"/>, in the form <see cref="ScoredSteps"/> gives them.</summary>
    /// <exception cref="ArgumentException">The text does not fit the model's context.</exception>
    public float[] Score(string prompt, IReadOnlyList<string> steps) => Score(prompt, steps, _noCache, out _, out _);

    /// <summary>The steps as <see cref="Score(string, IReadOnlyList{string})"/> takes them, from steps that keep their delimiters.</summary>
    private protected virtual IReadOnlyList<string> ScoredSteps(IReadOnlyList<string> steps) => steps;

    /// <summary>Scores the steps, reading logits through <paramref name="cache"/>; <paramref name="tokenCount"/> is how many
    /// tokens the model read and <paramref name="cached"/> how many of them the cache served.</summary>
    private protected abstract float[] Score(string prompt, IReadOnlyList<string> steps, PrefixCache cache, out int tokenCount, out int cached);

    /// <summary>Logits [T, V] at every position of <paramref name="tokens"/>, which must fit the context;
    /// <paramref name="cached"/> leading positions were reused rather than computed.</summary>
    private protected float[] Logits(PrefixCache cache, int[] tokens, string text, out int cached)
    {
        int context = Model.Model.Config.ContextLength;
        if (tokens.Length > context)
            throw new ArgumentException($"{text} has {tokens.Length} tokens; {Model.Name}'s context length is {context}");
        return cache.AllLogits(tokens, out cached);
    }
}
