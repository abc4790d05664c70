using System.Diagnostics;
using System.Globalization;
using Ponder.Compute;
using Ponder.Generation;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>
/// One strategy run on one problem: the recorded models, the trace, budget checks and the result. Strategies do their
/// search; this class does the bookkeeping every strategy shares.
/// </summary>
internal sealed class SolveSession
{
    private readonly List<string> _trace = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public SolveSession(string strategy, StrategyContext context, Problem problem, Budget budget, ulong seed, CancellationToken cancellationToken)
    {
        Strategy = strategy;
        Context = context;
        Problem = problem;
        Budget = budget;
        Seed = seed;
        CancellationToken = cancellationToken;
        var policy = context.Policy.BeginRun();
        _policyKeepsState = !ReferenceEquals(policy, context.Policy);
        Policy = new RecordingTextGenerator(policy, Ledger);
        if (context.StepScorer?.BeginRun() is { } stepScorer)
        {
            _stepScorerKeepsState = !ReferenceEquals(stepScorer, context.StepScorer);
            StepScorer = new RecordingStepScorer(stepScorer, Ledger);
        }
        if (context.OutcomeScorer is not null) OutcomeScorer = new RecordingOutcomeScorer(context.OutcomeScorer, Ledger);
    }

    public string Strategy { get; }
    public StrategyContext Context { get; }
    public Problem Problem { get; }
    public Budget Budget { get; }
    public ulong Seed { get; }
    public CancellationToken CancellationToken { get; }
    public ComputeLedger Ledger { get; } = new();
    public ITextGenerator Policy { get; }
    public IStepScorer? StepScorer { get; }
    public IOutcomeScorer? OutcomeScorer { get; }

    public void Trace(string line) => _trace.Add(line);

    // Whether the run's generator or step scorer shares state between its calls (a prefix cache): then what a call
    // reuses, and so what it is charged, would depend on which of several concurrent calls finished first.
    private readonly bool _policyKeepsState, _stepScorerKeepsState;

    /// <summary>
    /// Runs independent policy calls, <paramref name="call"/>(item, index) for each of <paramref name="items"/>:
    /// concurrently when the run's generator keeps no state between requests (a remote server gains from it), one after
    /// another in order when it does, so that what each reuses from the ones before it, and so the compute charged, is
    /// the same on every run.
    /// </summary>
    public Task<TResult[]> AllAsync<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, int, Task<TResult>> call) =>
        InOrderOrConcurrentlyAsync(_policyKeepsState, items, call);

    private static async Task<TResult[]> InOrderOrConcurrentlyAsync<TItem, TResult>(bool inOrder, IEnumerable<TItem> items, Func<TItem, int, Task<TResult>> call)
    {
        if (!inOrder) return await Task.WhenAll(items.Select(call)).ConfigureAwait(false);
        var results = new List<TResult>();
        foreach (var (item, index) in items.Select((item, index) => (item, index))) results.Add(await call(item, index).ConfigureAwait(false));
        return [.. results];
    }

    /// <summary>
    /// <paramref name="count"/> continuations of <paramref name="prompt"/> (default: the problem's prompt) followed by
    /// <paramref name="solutionSoFar"/>, stopping at the context's solution stops, and at the step delimiter when
    /// <paramref name="stopAtStep"/>.
    /// </summary>
    public async Task<IReadOnlyList<Continuation>> GenerateAsync(
        string solutionSoFar, int count, ulong seed, StrategyOptions options, int maxTokens, bool stopAtStep, float? temperature = null,
        string? prompt = null)
    {
        var request = new GenerationRequest
        {
            Prefix = (prompt ?? Problem.Prompt) + solutionSoFar,
            Count = count,
            Sampling = options.Sampling(seed, temperature),
            Stop = Stops(stopAtStep),
            MaxTokens = maxTokens,
        };
        var result = await Policy.GenerateAsync(request, CancellationToken).ConfigureAwait(false);
        return result.Continuations;
    }

    /// <summary>The strings a generation stops after: the solution stops, and the step delimiter when <paramref name="stopAtStep"/>.</summary>
    public IReadOnlyList<string> Stops(bool stopAtStep) => stopAtStep ? [Context.StepDelimiter, .. Context.SolutionStops] : Context.SolutionStops;

    /// <summary>The PRM's scores for the steps of <paramref name="solution"/>.</summary>
    public async Task<IReadOnlyList<double>> ScoreStepsAsync(string solution)
    {
        var scorer = StepScorer ?? throw new InvalidOperationException($"{Strategy} needs a step scorer");
        var steps = SolutionSteps.Split(solution, Context.StepDelimiter);
        var scores = await scorer.ScoreStepsAsync(Problem, steps, CancellationToken).ConfigureAwait(false);
        return scores.Scores;
    }

    /// <summary>Scores a complete solution with the chosen verifier.</summary>
    public async Task<Verdict> ScoreAsync(string solution, VerifierKind verifier, ScoreAggregation aggregation)
    {
        if (verifier == VerifierKind.Steps)
        {
            var steps = await ScoreStepsAsync(solution).ConfigureAwait(false);
            return new Verdict(aggregation.Aggregate(steps), steps);
        }
        var scorer = OutcomeScorer ?? throw new InvalidOperationException($"{Strategy} needs an outcome scorer");
        var score = await scorer.ScoreAsync(Problem, solution, CancellationToken).ConfigureAwait(false);
        return new Verdict(score.Score, null);
    }

    /// <summary>
    /// Scores every solution: one after another in order when the run's step scorer keeps state (a prefix cache, which
    /// then reuses for each what the ones before it share with it: the prompt, a common first step), concurrently
    /// otherwise (calls start in list order, so the ledger's order is deterministic).
    /// </summary>
    public Task<Verdict[]> ScoreAllAsync(IEnumerable<string> solutions, VerifierKind verifier, ScoreAggregation aggregation) =>
        InOrderOrConcurrentlyAsync(verifier == VerifierKind.Steps && _stepScorerKeepsState, solutions, (s, _) => ScoreAsync(s, verifier, aggregation));

    /// <summary>
    /// The verdicts a selection among <paramref name="samples"/> needs: every sample scored (<see cref="ScoreAllAsync"/>),
    /// except that a lone sample is chosen whatever its score, so it is left unscored (null) and costs no verifier call.
    /// </summary>
    public async Task<Verdict?[]> ScoreToChooseAsync(IReadOnlyList<Generation.Continuation> samples, VerifierKind verifier, ScoreAggregation aggregation) =>
        !CandidateSelection.NeedsScores(samples.Count) ? new Verdict?[samples.Count]
            : (await ScoreAllAsync(samples.Select(s => s.Text), verifier, aggregation).ConfigureAwait(false)).Select(v => (Verdict?)v).ToArray();

    /// <summary>A candidate with its answer extracted and graded against the reference answer.</summary>
    public Candidate NewCandidate(int index, string solution, FinishReason finish, Verdict? verdict = null, int? group = null)
    {
        string? answer = Context.AnswerKey.ExtractAnswer(solution);
        bool? correct = Problem.ReferenceAnswer is { } reference ? answer is not null && Context.AnswerKey.AreEquivalent(answer, reference) : null;
        return new Candidate(index, solution, answer, verdict?.Score, verdict?.StepScores, finish, group, correct);
    }

    /// <summary>
    /// How many more complete samples (each optionally scored by <paramref name="verifier"/>) fit in the budget, at most
    /// <paramref name="wanted"/>. For a FLOP budget the cost of a sample is bounded from above: the policy processes at
    /// most <c>prompt + max tokens</c> positions (the context length while the prompt's length is unknown), uncached, and a
    /// model verifier at most its context length. The samples drawn so far keep their scoring reserved, since strategies
    /// score after sampling ends, unless <paramref name="drawnAreScored"/> (their scoring is spent already).
    /// </summary>
    public int SamplesThatFit(int wanted, int samplesSoFar, int? promptTokens, int maxTokens, VerifierKind? verifier, bool drawnAreScored = false)
    {
        if (Budget.Generations is { } generations) return Math.Clamp(generations - samplesSoFar, 0, wanted);
        double spent = Ledger.TotalFlops ?? throw new InvalidOperationException(
            "a FLOP budget needs every model's card, but a call was made with an unknown model");
        var card = Policy.Card ?? throw new InvalidOperationException("a FLOP budget needs the policy's model card");
        int end = promptTokens is { } p ? Math.Min(p + maxTokens, card.ContextLength) : card.ContextLength;
        double perSample = card.ForwardFlops(0, end);
        ModelCard? verifierCard = verifier switch
        {
            VerifierKind.Steps => StepScorer?.Card,
            VerifierKind.Outcome => OutcomeScorer?.Card,
            _ => null,
        };
        if (verifierCard is not null)
        {
            double scoring = verifierCard.ForwardFlops(0, verifierCard.ContextLength);
            perSample += scoring;
            if (!drawnAreScored) spent += samplesSoFar * scoring;
        }
        double fit = Math.Floor((Budget.Flops!.Value - spent) / perSample);
        return (int)Math.Clamp(fit, 0, wanted);
    }

    /// <summary>Most samples one request asks for under a FLOP budget (a generation budget asks for all N at once).</summary>
    private const int FlopBudgetBatch = 64;

    /// <summary>
    /// Complete samples of the problem until the budget is spent: all N in one request for a generation budget; batches
    /// of whatever still fits for a FLOP budget, reserving a worst-case scoring by <paramref name="verifier"/> for each.
    /// Batch b uses seed Derive(seed, b), so with a generation budget sample i always has seed Derive(Derive(seed, 0), i).
    /// </summary>
    public async Task<List<Generation.Continuation>> SampleSolutionsAsync(StrategyOptions options, VerifierKind? verifier)
    {
        var samples = new List<Generation.Continuation>();
        int? promptTokens = null;
        int maxTokens = options.MaxTokensOrDefault;
        for (ulong batch = 0; ; batch++)
        {
            int count = SamplesThatFit(Budget.Generations ?? FlopBudgetBatch, samples.Count, promptTokens, maxTokens, verifier);
            if (count == 0) return samples;
            var continuations = await GenerateAsync("", count, SplitMix64.Derive(Seed, batch), options, maxTokens, stopAtStep: false).ConfigureAwait(false);
            samples.AddRange(continuations);
            promptTokens = continuations[0].PromptTokens;
        }
    }

    /// <summary>Checks the budget and assembles the result.</summary>
    /// <exception cref="InvalidOperationException">The strategy exceeded its budget (a bug in the strategy).</exception>
    public StrategyResult Finish(IReadOnlyList<Candidate> candidates, Candidate? chosen, int generationsUsed, bool? isCorrect = null)
    {
        var calls = Ledger.Records;
        var compute = ComputeTotals.From(calls, Context.Hardware, Context.Prices);
        if (Budget.Generations is { } n && generationsUsed > n)
            throw new InvalidOperationException($"{Strategy} used {generationsUsed} generations of a budget of {n}");
        if (Budget.Flops is { } flops && !(compute.Flops <= flops))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{Strategy} used {compute.Flops:G4} FLOPs of a budget of {flops:G4}"));
        for (int i = 0; i < candidates.Count; i++)
            Debug.Assert(candidates[i].Index == i, "candidate indices are their positions");
        return new StrategyResult
        {
            Strategy = Strategy,
            ProblemId = Problem.Id,
            Budget = Budget,
            Seed = Seed,
            Answer = chosen?.Answer,
            Solution = chosen?.Solution,
            ChosenIndex = chosen?.Index,
            IsCorrect = isCorrect ?? (Problem.ReferenceAnswer is null ? null : chosen?.IsCorrect ?? false),
            Candidates = candidates,
            GenerationsUsed = generationsUsed,
            Compute = compute,
            Calls = calls,
            Elapsed = _clock.Elapsed,
            Trace = _trace.ToArray(),
        };
    }

    /// <summary>Validates the arguments every strategy's <c>SolveAsync</c> takes.</summary>
    public static void ValidateArguments(Problem problem, Budget budget, StrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(budget);
        problem.Validate();
        options.Validate(budget);
    }
}

/// <summary>A verifier's score of a solution, with the PRM's step scores when a PRM gave it.</summary>
internal sealed record Verdict(double Score, IReadOnlyList<double>? StepScores);
