// A sweep of strategies × budgets over a task's problems, every result kept in the sample store. Sampling strategies
// (sampling, majority, best-of-n, weighted-best-of-n) at every budget ≤ N derive from one pool of N samples per problem:
// their figure is the expectation over random size-b subsets of the pool (DESIGN.md §5). Search strategies run per budget.
// Every random choice derives from the sweep seed and the problem's index, so a resumed sweep equals an uninterrupted one.
// Correctness is the task's grader's (exact answers, math equivalence, or code run in the sandbox); a problem whose
// generation or grading fails is recorded as failed and counted wrong, and the sweep goes on (DESIGN.md §10).

using System.Text.Json;
using System.Text.Json.Serialization;
using Ponder.Analysis;
using Ponder.Compute;
using Ponder.Generation;
using Ponder.Strategies;
using Ponder.Studies.Reports;
using Ponder.Studies.Store;

namespace Ponder.Studies.Sweeps;

/// <summary>What a sweep runs.</summary>
/// <param name="Strategies">Strategy names (see <see cref="StrategyRegistry"/>).</param>
/// <param name="Budgets">Budgets in generations.</param>
/// <param name="Seed">Seed of every random choice.</param>
/// <param name="Temperature">Sampling temperature of every strategy.</param>
/// <param name="Subsets">Random subsets of the pool averaged per budget for the sampling strategies.</param>
public sealed record SweepOptions(IReadOnlyList<string> Strategies, IReadOnlyList<int> Budgets, ulong Seed, float Temperature = 0.8f, int Subsets = 64)
{
    /// <summary>The strategies whose results derive from one pool of samples per problem.</summary>
    public static IReadOnlyList<string> PoolStrategies { get; } = ["sampling", "majority", "best-of-n", "weighted-best-of-n"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending value, or a strategy that
    /// <paramref name="task"/> or the models (a PRM or not) cannot run.</summary>
    public void Validate(StudyTask task, bool hasStepScorer)
    {
        ArgumentNullException.ThrowIfNull(task);
        var known = StrategyRegistry.CreateDefault().Names;
        if (Strategies.Count == 0) throw new ArgumentException("no strategies to run");
        if (Strategies.FirstOrDefault(s => !known.Contains(s)) is { } unknown)
            throw new ArgumentException($"unknown strategy \"{unknown}\"; known: {string.Join(", ", known)}");
        if (Strategies.Contains(ComputeOptimalStrategy.StrategyName))
            throw new ArgumentException("compute-optimal applies a policy learned from a sweep (ponder report writes it); it is not swept itself");
        if (!hasStepScorer && Strategies.FirstOrDefault(NeedsVerifier) is { } needs)
            throw new ArgumentException($"strategy {needs} needs a process reward model (--prm)");
        if (task.RevisionPrompt is null && Strategies.Contains(RevisionStrategy.StrategyName))
            throw new ArgumentException($"strategy revision needs a revision prompt, which task {task.Name} does not have");
        if (Budgets.Count == 0 || Budgets.Any(b => b < 1)) throw new ArgumentException($"budgets must be ≥ 1, got {string.Join(",", Budgets)}");
        if (Subsets < 1) throw new ArgumentException($"subsets must be ≥ 1, got {Subsets}");
        // Checked here, not at the first generation: there a bad temperature fails every result, which counts as wrong.
        if (!(Temperature >= 0) || !float.IsFinite(Temperature)) throw new ArgumentException($"temperature must be a finite number ≥ 0, got {Temperature}");
    }

    /// <summary>The strategies <c>--strategies all</c> sweeps: every registered one that <paramref name="task"/> and the
    /// models can run, but compute-optimal, which applies what a sweep learns.</summary>
    public static IReadOnlyList<string> Sweepable(StudyTask task, bool hasStepScorer)
    {
        ArgumentNullException.ThrowIfNull(task);
        return StrategyRegistry.CreateDefault().Names.Where(n => n != ComputeOptimalStrategy.StrategyName && (hasStepScorer || !NeedsVerifier(n))
            && (task.RevisionPrompt is not null || n != RevisionStrategy.StrategyName)).ToArray();
    }

    /// <summary>Whether <paramref name="strategy"/> needs a process reward model.</summary>
    public static bool NeedsVerifier(string strategy) =>
        strategy is "best-of-n" or "weighted-best-of-n" or "resample-until-accepted" or "beam" or "dvts" or "lookahead" or "early-rejection"
            or "compute-optimal";
}

/// <summary>One line of a sweep's summary: a strategy at a budget, averaged over problems.</summary>
public sealed record SweepSummary(
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("budget")] int Budget,
    [property: JsonPropertyName("problems")] int Problems,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("ci_low")] double CiLow,
    [property: JsonPropertyName("ci_high")] double CiHigh,
    [property: JsonPropertyName("mean_tokens")] double MeanTokens,
    [property: JsonPropertyName("mean_policy_flops")] double MeanPolicyFlops,
    [property: JsonPropertyName("mean_verifier_flops")] double MeanVerifierFlops,
    [property: JsonPropertyName("mean_idealized_seconds")] double MeanIdealizedSeconds);

/// <summary>Runs strategies over a <see cref="StudyTask"/>'s problems into a <see cref="SampleStore"/>. Not thread-safe.</summary>
/// <param name="task">The problems and how they are graded.</param>
/// <param name="context">The models, as <see cref="StudyTask.Context"/> makes them for <paramref name="task"/>.</param>
/// <param name="store">Where samples and results go; cells already there are skipped.</param>
/// <param name="options">Strategies, budgets and seed.</param>
public sealed class Sweep(StudyTask task, StrategyContext context, SampleStore store, SweepOptions options)
{
    private static readonly JsonSerializerOptions OptionsJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Result rows that failed in this session: a strategy, a pool's generation or its grading (recorded as wrong,
    /// with the reason in their trace).</summary>
    public int Failures { get; private set; }

    /// <summary>Cells skipped because a strategy is not defined at a budget (e.g. lookahead at an odd budget).</summary>
    public List<string> Skipped { get; } = [];

    /// <summary>Solves every problem of the task with every strategy and budget not yet in the store; reports the number of
    /// problems done.</summary>
    /// <exception cref="ArgumentException">The options name a strategy the task or the models cannot run.</exception>
    public async Task RunAsync(IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate(task, context.StepScorer is not null);
        var registry = StrategyRegistry.CreateDefault();
        var problems = task.Problems;
        for (int i = 0; i < problems.Count; i++)
        {
            var problem = problems[i];
            ulong seed = SplitMix64.Derive(options.Seed, (ulong)i);
            if (options.Strategies.Any(SweepOptions.PoolStrategies.Contains))
                await RunPoolStrategiesAsync(problem, seed, cancellationToken);
            foreach (string strategy in options.Strategies.Where(s => !SweepOptions.PoolStrategies.Contains(s)))
                foreach (int budget in options.Budgets)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (OptionsFor(strategy, budget) is not { } strategyOptions)
                    {
                        if (i == 0) Skipped.Add($"{strategy} at budget {budget}");
                        continue;
                    }
                    string optionsKey = JsonSerializer.Serialize(strategyOptions, strategyOptions.GetType(), OptionsJson);
                    if (store.HasResult(problem.Id, strategy, optionsKey, budget, seed)) continue;
                    ResultRow row;
                    try
                    {
                        var result = await registry.Create(strategy, context, strategyOptions).SolveAsync(problem, Budget.OfGenerations(budget), seed, cancellationToken);
                        bool correct = result.Solution is { } solution && await task.Grader.IsCorrectAsync(problem, solution, cancellationToken);
                        row = Row(problem, strategy, optionsKey, budget, seed, correct ? 1 : 0, result.Compute, result.Elapsed.TotalSeconds,
                            result.Answer, string.Join("\n", result.Trace));
                    }
                    catch (Exception e) when (e is ArgumentException or GradingException)
                    {
                        // A problem the strategy cannot solve (say, a revision prompt longer than the context) or grading
                        // that cannot run is recorded as failed, counted as wrong, and the sweep goes on (DESIGN.md §10).
                        row = Row(problem, strategy, optionsKey, budget, seed, 0, ComputeTotals.Empty, 0, null, "failed: " + e.Message);
                        Failures++;
                    }
                    store.Write([], [row]);
                }
            progress?.Report(i + 1);
        }
    }

    // Options that make a search strategy valid at a budget (beam width dividing the budget), or null when none does.
    private StrategyOptions? OptionsFor(string strategy, int budget)
    {
        int Width(int n) => new[] { 4, 2, 1 }.First(m => n % m == 0);
        float t = options.Temperature;
        int? maxTokens = task.StrategyMaxTokens;
        return strategy switch
        {
            "beam" => new BeamSearchOptions { Temperature = t, MaxTokens = maxTokens, BeamWidth = Width(budget) },
            "dvts" => new DvtsOptions { Temperature = t, MaxTokens = maxTokens, BeamWidth = Width(budget) },
            "early-rejection" => new EarlyRejectionOptions { Temperature = t, MaxTokens = maxTokens, BeamWidth = Width(budget) },
            "lookahead" => budget % 2 == 0 ? new LookaheadOptions { Temperature = t, MaxTokens = maxTokens, Depth = 1, BeamWidth = Width(budget / 2) } : null,
            "revision" => new RevisionOptions { Temperature = t, MaxTokens = maxTokens },
            "adaptive-consistency" => new AdaptiveConsistencyOptions { Temperature = t, MaxTokens = maxTokens },
            "resample-until-accepted" => new ResampleUntilAcceptedOptions { Temperature = t, MaxTokens = maxTokens },
            _ => throw new ArgumentException($"no sweep options for strategy {strategy}"),
        };
    }

    private async Task RunPoolStrategiesAsync(Problem problem, ulong seed, CancellationToken cancellationToken)
    {
        int n = options.Budgets.Max();
        string poolKey = PoolKey(options.Temperature, n);
        var pool = store.Pool(problem.Id, poolKey);
        var fresh = new List<PoolSample>();
        var cells = options.Strategies.Where(SweepOptions.PoolStrategies.Contains).SelectMany(strategy => options.Budgets.Select(budget => (strategy, budget))).ToArray();
        if (pool.Count < n)
        {
            try
            {
                pool = fresh = await DrawPoolAsync(problem, poolKey, n, seed, cancellationToken);
            }
            catch (Exception e) when (e is ArgumentException or GradingException)
            {
                // No samples are kept from a pool that could not be drawn or graded; its cells are recorded as failed.
                var failed = cells.Where(c => !store.HasResult(problem.Id, c.strategy, poolKey, c.budget, seed))
                    .Select(c => Row(problem, c.strategy, poolKey, c.budget, seed, 0, ComputeTotals.Empty, 0, null, "failed: " + e.Message)).ToArray();
                Failures += failed.Length;
                store.Write([], failed);
                return;
            }
        }
        var rows = new List<ResultRow>();
        foreach (var (strategy, budget) in cells)
            if (fresh.Count > 0 || !store.HasResult(problem.Id, strategy, poolKey, budget, seed))
                rows.Add(FromPool(problem, strategy, poolKey, budget, seed, pool));
        store.Write(fresh, rows);
    }

    private async Task<List<PoolSample>> DrawPoolAsync(Problem problem, string poolKey, int n, ulong seed, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var generated = await context.Policy.GenerateAsync(new GenerationRequest
        {
            Prefix = problem.Prompt, Count = n, MaxTokens = task.PoolMaxTokens, Stop = task.SolutionStops,
            Sampling = new SamplingOptions { Temperature = options.Temperature, Seed = seed },
        }, cancellationToken);
        double wall = watch.Elapsed.TotalSeconds / n;
        var samples = new List<PoolSample>(n);
        var scorer = context.StepScorer?.BeginRun();
        foreach (var (c, index) in generated.Continuations.Select((c, index) => (c, index)))
        {
            string? answer = context.AnswerKey.ExtractAnswer(c.Text);
            double? score = null;
            int verifierTokens = 0;
            if (scorer is not null)
            {
                var scored = await scorer.ScoreStepsAsync(problem, task.StepsToScore(problem, c.Text), cancellationToken);
                score = scored.Scores.Count > 0 ? scored.Scores[^1] : 0;
                verifierTokens = scored.Usage.PromptTokens;
            }
            bool correct = await task.Grader.IsCorrectAsync(problem, c.Text, cancellationToken);
            samples.Add(new PoolSample(problem.Id, poolKey, index, c.Text, answer, correct, c.PromptTokens, c.CachedPromptTokens, c.GeneratedTokens, score, verifierTokens, wall));
        }
        return samples;
    }

    // The expectation, over random size-b subsets of the pool, of the strategy's correctness and cost.
    private ResultRow FromPool(Problem problem, string strategy, string poolKey, int budget, ulong seed, IReadOnlyList<PoolSample> pool)
    {
        double accuracy = 0, prompt = 0, generated = 0, policyFlops = 0, verifierFlops = 0, idealized = 0, wall = 0;
        var rule = PoolEstimators.RuleOf(strategy) ?? throw new ArgumentException($"{strategy} is not a pool strategy");
        var subsets = PoolSubsets.Draw(pool.Count, budget, options.Subsets, seed);
        foreach (var chosen in subsets)
        {
            var subset = chosen.Select(k => pool[k]).ToArray();
            var candidates = subset.Select((p, k) => p.AsCandidate(k)).ToArray();
            bool correct = PoolEstimators.Solves(candidates, rule, context.AnswerKey);
            var records = new List<ComputeRecord> { PoolPricing.GenerationRecord(subset, context.Policy.Card) };
            if (strategy is "best-of-n" or "weighted-best-of-n" && CandidateSelection.NeedsScores(subset.Length) && context.StepScorer is { } prm)
                records.AddRange(PoolPricing.ScoringRecords(subset, prm.Card));
            var totals = ComputeTotals.From(records, context.Hardware);
            accuracy += correct ? 1 : 0;
            prompt += totals.Policy.PromptTokens;
            generated += totals.Policy.GeneratedTokens;
            policyFlops += totals.Policy.Flops ?? 0;
            verifierFlops += totals.Verifier.Flops ?? 0;
            idealized += totals.IdealizedSeconds ?? 0;
            wall += subset.Sum(p => p.WallSeconds);
        }
        int count = subsets.Count;
        return new ResultRow(problem.Id, StudyTask.LevelOf(problem), strategy, poolKey, budget, seed, accuracy / count, prompt / count, generated / count,
            policyFlops / count, verifierFlops / count, idealized / count, wall / count, null, $"mean over {count} subsets of {budget} of the pool of {pool.Count}");
    }

    private static ResultRow Row(Problem problem, string strategy, string options, int budget, ulong seed, double accuracy, ComputeTotals compute,
        double wall, string? answer, string trace) =>
        new(problem.Id, StudyTask.LevelOf(problem), strategy, options, budget, seed, accuracy, compute.Policy.PromptTokens, compute.Policy.GeneratedTokens,
            compute.Policy.Flops ?? 0, compute.Verifier.Flops ?? 0, compute.IdealizedSeconds ?? 0, wall, answer, trace);

    /// <summary>The key of a pool of <paramref name="samples"/> samples at <paramref name="temperature"/>, e.g. <c>t=0.8;n=16</c>; the stored options of the pool strategies.</summary>
    public static string PoolKey(float temperature, int samples) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"t={temperature:R};n={samples}");

    /// <summary>
    /// The options behind a result row's stored options key, as the JSON object <see cref="StrategyRegistry"/> reads:
    /// search strategies store that JSON itself; pool strategies store their <see cref="PoolKey"/>, whose temperature is
    /// their only option.
    /// </summary>
    /// <exception cref="FormatException">A pool strategy's key is not a pool key.</exception>
    public static string RegistryOptions(string strategy, string storedOptions)
    {
        ArgumentNullException.ThrowIfNull(storedOptions);
        if (!SweepOptions.PoolStrategies.Contains(strategy)) return storedOptions;
        string temperature = storedOptions.Split(';').FirstOrDefault(part => part.StartsWith("t=", StringComparison.Ordinal))?[2..]
            ?? throw new FormatException($"{strategy}: stored options \"{storedOptions}\" are not a pool key like t=0.8;n=16");
        float t = float.Parse(temperature, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        return JsonSerializer.Serialize(new MajorityVoteOptions { Temperature = t }, OptionsJson);
    }

    /// <summary>
    /// Per strategy and budget: mean accuracy over problems with a 95 % bootstrap interval over problems, and mean
    /// tokens, FLOPs and idealized runtime.
    /// </summary>
    public static IReadOnlyList<SweepSummary> Summarize(IReadOnlyList<ResultRow> rows, ulong seed, int resamples = 1000) =>
        rows.GroupBy(r => (r.Strategy, r.Budget)).OrderBy(g => g.Key.Strategy, StringComparer.Ordinal).ThenBy(g => g.Key.Budget).Select(g =>
        {
            var accuracy = Bootstrap.Mean(g.Select(r => r.Accuracy).ToArray(), seed, resamples);
            return new SweepSummary(g.Key.Strategy, g.Key.Budget, g.Count(), accuracy.Estimate, accuracy.Low, accuracy.High,
                g.Average(r => r.PromptTokens + r.GeneratedTokens), g.Average(r => r.PolicyFlops), g.Average(r => r.VerifierFlops),
                g.Average(r => r.IdealizedSeconds));
        }).ToArray();
}
