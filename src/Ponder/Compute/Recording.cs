using System.Diagnostics;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.Compute;

/// <summary>
/// A generator that records every call of the generator it wraps in a <see cref="ComputeLedger"/>: one sequence per
/// continuation, with the inner generator's model card and the call's wall time. Calls that throw are not recorded.
/// </summary>
/// <remarks>Safe to call concurrently when the inner generator is. The call index is taken when the call starts.</remarks>
public sealed class RecordingTextGenerator : ITextGenerator
{
    private readonly ITextGenerator _inner;
    private readonly ComputeLedger _ledger;
    private readonly ComputeRole _role;

    /// <summary>Records the calls of <paramref name="inner"/> in <paramref name="ledger"/> under <paramref name="role"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> or <paramref name="ledger"/> is null.</exception>
    public RecordingTextGenerator(ITextGenerator inner, ComputeLedger ledger, ComputeRole role = ComputeRole.Policy)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(ledger);
        _inner = inner;
        _ledger = ledger;
        _role = role;
    }

    /// <inheritdoc />
    public ModelCard? Card => _inner.Card;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The inner generator returned a different number of continuations than asked for.</exception>
    public async Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        long callIndex = _ledger.NextCallIndex();
        var clock = Stopwatch.StartNew();
        var result = await _inner.GenerateAsync(request, cancellationToken).ConfigureAwait(false);
        if (result.Continuations.Count != request.Count)
            throw new InvalidOperationException($"the generator returned {result.Continuations.Count} continuations for a request of {request.Count}");
        _ledger.Add(new ComputeRecord
        {
            CallIndex = callIndex,
            Role = _role,
            Operation = ComputeOperation.Generate,
            Card = _inner.Card,
            Sequences = result.Continuations.Select(c => new SequenceUsage(c.PromptTokens, c.CachedPromptTokens, c.GeneratedTokens)).ToArray(),
            WallTime = clock.Elapsed,
        });
        return result;
    }
}

/// <summary>An outcome scorer that records every call of the scorer it wraps in a <see cref="ComputeLedger"/>.</summary>
/// <remarks>Safe to call concurrently when the inner scorer is. Calls that throw are not recorded.</remarks>
public sealed class RecordingOutcomeScorer : IOutcomeScorer
{
    private readonly IOutcomeScorer _inner;
    private readonly ComputeLedger _ledger;

    /// <summary>Records the calls of <paramref name="inner"/> in <paramref name="ledger"/> as verifier compute.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public RecordingOutcomeScorer(IOutcomeScorer inner, ComputeLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(ledger);
        _inner = inner;
        _ledger = ledger;
    }

    /// <inheritdoc />
    public ModelCard? Card => _inner.Card;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The inner scorer returned a score outside [0, 1].</exception>
    public async Task<OutcomeScore> ScoreAsync(Problem problem, string solution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solution);
        long callIndex = _ledger.NextCallIndex();
        var clock = Stopwatch.StartNew();
        var score = await _inner.ScoreAsync(problem, solution, cancellationToken).ConfigureAwait(false);
        if (!(score.Score is >= 0 and <= 1)) throw new InvalidOperationException($"outcome scores must be in [0, 1], got {score.Score}");
        _ledger.Add(new ComputeRecord
        {
            CallIndex = callIndex,
            Role = ComputeRole.Verifier,
            Operation = ComputeOperation.ScoreOutcome,
            Card = _inner.Card,
            Sequences = [score.Usage],
            WallTime = clock.Elapsed,
        });
        return score;
    }
}

/// <summary>A step scorer that records every call of the scorer it wraps in a <see cref="ComputeLedger"/>.</summary>
/// <remarks>Safe to call concurrently when the inner scorer is. Calls that throw are not recorded.</remarks>
public sealed class RecordingStepScorer : IStepScorer
{
    private readonly IStepScorer _inner;
    private readonly ComputeLedger _ledger;

    /// <summary>Records the calls of <paramref name="inner"/> in <paramref name="ledger"/> as verifier compute.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public RecordingStepScorer(IStepScorer inner, ComputeLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(ledger);
        _inner = inner;
        _ledger = ledger;
    }

    /// <inheritdoc />
    public ModelCard? Card => _inner.Card;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The inner scorer returned a score per step of the wrong count or outside [0, 1].</exception>
    public async Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(steps);
        long callIndex = _ledger.NextCallIndex();
        var clock = Stopwatch.StartNew();
        var scores = await _inner.ScoreStepsAsync(problem, steps, cancellationToken).ConfigureAwait(false);
        if (scores.Scores.Count != steps.Count)
            throw new InvalidOperationException($"the step scorer returned {scores.Scores.Count} scores for {steps.Count} steps");
        if (scores.Scores.Any(s => !(s is >= 0 and <= 1)))
            throw new InvalidOperationException("step scores must be in [0, 1]");
        _ledger.Add(new ComputeRecord
        {
            CallIndex = callIndex,
            Role = ComputeRole.Verifier,
            Operation = ComputeOperation.ScoreSteps,
            Card = _inner.Card,
            Sequences = [scores.Usage],
            WallTime = clock.Elapsed,
        });
        return scores;
    }
}
