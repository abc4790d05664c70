using Ponder.Compute;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.Tests.Strategies;

/// <summary>
/// A scripted generator: one token per character, no BOS. For continuation i of a request, <c>write(prefix, i, seed,
/// temperature)</c> gives the whole text the "model" would write before its end-of-sequence token; the generator then
/// applies stop strings and max tokens as the engine does (stop string kept, EOS counted as a generated token) and
/// reports the prefix as cached for every continuation but the first (prefix sharing).
/// </summary>
internal sealed class ScriptedGenerator(Func<string, int, ulong, float, string> write, ModelCard? card = null, bool sharePrefix = true) : ITextGenerator
{
    private readonly List<GenerationRequest> _requests = [];

    public static ModelCard DefaultCard { get; } = new("policy", 2_000, 1_000, 2, 4, 8, 2, 1, 4096, 10);

    public ModelCard Card { get; } = card ?? DefaultCard;

    public IReadOnlyList<GenerationRequest> Requests { get { lock (_requests) return _requests.ToArray(); } }

    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        request.Validate();
        lock (_requests) _requests.Add(request);
        float temperature = request.Sampling.Temperature ?? 1;
        var continuations = new List<Continuation>();
        for (int i = 0; i < request.Count; i++)
        {
            ulong seed = temperature == 0 ? 0 : SplitMix64.Derive(request.Sampling.Seed ?? 0, (ulong)i);
            string full = write(request.Prefix, i, seed, temperature);
            int stopEnd = request.Stop.Select(s => full.IndexOf(s, StringComparison.Ordinal) is var at and >= 0 ? at + s.Length : int.MaxValue)
                .DefaultIfEmpty(int.MaxValue).Min();
            (string text, FinishReason finish, int generated) =
                stopEnd <= request.MaxTokens ? (full[..stopEnd], FinishReason.Stop, stopEnd)
                : full.Length >= request.MaxTokens ? (full[..request.MaxTokens], FinishReason.Length, request.MaxTokens)
                : (full, FinishReason.EndOfSequence, full.Length + 1);
            int prompt = request.Prefix.Length;
            continuations.Add(new Continuation(text, finish, prompt, sharePrefix && i > 0 ? prompt : 0, generated, null));
        }
        return Task.FromResult(new GenerationResult(continuations));
    }
}

/// <summary>A step scorer from a function of one step; usage: the prompt and all steps as prompt tokens.</summary>
internal sealed class FakeStepScorer(Func<string, double> scoreStep, ModelCard? card = null) : IStepScorer
{
    public static ModelCard DefaultCard { get; } = new("prm", 1_000, 500, 1, 4, 4, 1, 1, 2048, 10);

    public ModelCard? Card { get; } = card;

    public int Calls => _calls;
    private int _calls;

    public Task<StepScores> ScoreStepsAsync(Problem problem, IReadOnlyList<string> steps, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        int tokens = problem.Prompt.Length + steps.Sum(s => s.Length);
        return Task.FromResult(new StepScores(steps.Select(scoreStep).ToArray(), new SequenceUsage(tokens, 0, 0)));
    }
}

/// <summary>An outcome scorer from a function of the solution.</summary>
internal sealed class FakeOutcomeScorer(Func<string, double> score, ModelCard? card = null) : IOutcomeScorer
{
    public ModelCard? Card { get; } = card;

    public Task<OutcomeScore> ScoreAsync(Problem problem, string solution, CancellationToken cancellationToken = default) =>
        Task.FromResult(new OutcomeScore(score(solution), Card is null ? default : new SequenceUsage(problem.Prompt.Length + solution.Length, 0, 0)));
}

/// <summary>The answer is the rest of the first complete line that starts with <c>A:</c>; answers compare ordinally.</summary>
internal sealed class LineAnswerKey : IAnswerKey
{
    public string? ExtractAnswer(string solution)
    {
        foreach (var line in solution.Split('\n').SkipLast(1))
            if (line.StartsWith("A:", StringComparison.Ordinal)) return line[2..];
        return null;
    }

    public bool AreEquivalent(string first, string second) => first == second;
}

/// <summary>
/// A toy multi-step task for step-level search. A solution is <see cref="Steps"/> lines <c>s{d}{pad}\n</c> with a digit d
/// in 0–3, then <c>A:{sum of digits}\n</c>, then end of sequence. Sampling draws each digit from the continuation's seed
/// and the line's position; greedy decoding (temperature 0) writes 3 − the previous digit (3 first). The PRM scores a line
/// with digit d as 0.2 + 0.2·d, an answer line 0.5, a partial line without a digit 0.1.
/// </summary>
internal sealed class StepWorld
{
    public const string Prompt = "Q\n";

    public int Steps { get; init; } = 3;

    /// <summary>Never writes an answer: every solution is endless.</summary>
    public bool Endless { get; init; }

    /// <summary>Characters appended to every step line after the digit.</summary>
    public string Pad { get; init; } = "";

    public static Problem Problem { get; } = new("toy", Prompt);

    public string Write(string prefix, int index, ulong seed, float temperature)
    {
        // Everything after the prompt is the solution so far; its last line may be unfinished (early rejection).
        string solution = prefix[Prompt.Length..];
        int cut = solution.LastIndexOf('\n') + 1;
        string partial = solution[cut..];
        var digits = solution[..cut].Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('s')).Select(l => l[1] - '0').ToList();
        int done = solution[..cut].Count(c => c == '\n');
        int Next(int line) => temperature == 0 ? 3 - (digits.Count == 0 ? 0 : digits[^1]) : (int)(SplitMix64.Derive(seed, (ulong)line) % 4);

        var text = new System.Text.StringBuilder();
        if (partial.StartsWith("A:", StringComparison.Ordinal))
            return Complete(partial, $"A:{digits.Sum()}\n");
        if (partial.Length > 0)
        {
            int d = partial.Length >= 2 ? partial[1] - '0' : Next(done);
            digits.Add(d);
            text.Append(Complete(partial, $"s{d}{Pad}\n"));
            done++;
        }
        int lines = Endless ? done + 60 : Steps;
        for (int j = done; j < lines; j++)
        {
            int d = Next(j);
            digits.Add(d);
            text.Append('s').Append(d).Append(Pad).Append('\n');
        }
        if (!Endless && done <= Steps) text.Append("A:").Append(digits.Sum()).Append('\n');
        return text.ToString();
    }

    // The rest of `line` after the unfinished `partial`, or just a newline when the partial does not match it.
    private static string Complete(string partial, string line) => line.StartsWith(partial, StringComparison.Ordinal) ? line[partial.Length..] : "\n";

    public static double ScoreStep(string step) =>
        step.StartsWith("A:", StringComparison.Ordinal) ? 0.5
        : step.Length >= 2 && step[0] == 's' && char.IsDigit(step[1]) ? 0.2 + 0.2 * (step[1] - '0')
        : 0.1;

    public ScriptedGenerator Generator(ModelCard? card = null) => new(Write, card);

    public StrategyContext Context(ITextGenerator generator, bool finishedTest = true, IStepScorer? scorer = null) => new()
    {
        Policy = generator,
        AnswerKey = new LineAnswerKey(),
        StepScorer = scorer ?? new FakeStepScorer(ScoreStep, FakeStepScorer.DefaultCard),
        IsFinished = finishedTest ? s => s.Contains("A:", StringComparison.Ordinal) : null,
    };
}
