using System.Globalization;
using Ponder.Compute;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.Studies.Sweeps;

/// <summary>
/// A task a sweep runs over: its problems, how a solution is graded, and the text format the strategies need (answer
/// key, step delimiter, solution stops, revision prompt, solution length). Made by <c>ArithStrategies.CreateTask</c> for
/// the built-in testbed and <c>BenchmarkStrategies.CreateTask</c> for the benchmark files a user brings.
/// </summary>
/// <remarks>Immutable (change a copy with <c>with</c>); thread-safe when its grader is.</remarks>
public sealed record StudyTask
{
    /// <summary>The metadata key of a problem's difficulty level (an integer).</summary>
    public const string LevelKey = "level";

    /// <summary>The task's name as the command line writes it: <c>arith</c>, <c>gsm8k</c>, <c>math</c>, ….</summary>
    public required string Name { get; init; }

    /// <summary>The problems, in sweep order (a problem's index derives its seed); each with its level under
    /// <see cref="LevelKey"/> when the task has levels, and the task's own representation in <see cref="Problem.Source"/>.</summary>
    public required IReadOnlyList<Problem> Problems { get; init; }

    /// <summary>Extracts and compares final answers, for voting.</summary>
    public required IAnswerKey AnswerKey { get; init; }

    /// <summary>Decides whether a solution is right.</summary>
    public required ISolutionGrader Grader { get; init; }

    /// <summary>What separates steps: newline for arith, a blank line for benchmark text.</summary>
    public required string StepDelimiter { get; init; }

    /// <summary>Strings that end a whole solution (<see cref="StrategyContext.SolutionStops"/>); empty for most tasks.</summary>
    public IReadOnlyList<string> SolutionStops { get; init; } = [];

    /// <summary>Whether a solution is finished before end-of-sequence (<see cref="StrategyContext.IsFinished"/>); null: only
    /// end-of-sequence or the token limit finish one.</summary>
    public Func<string, bool>? IsFinished { get; init; }

    /// <summary>The prompt for another attempt after earlier ones (<see cref="StrategyContext.RevisionPrompt"/>); null when
    /// the task has none, and then <c>revision</c> cannot run on it.</summary>
    public Func<Problem, IReadOnlyList<string>, string>? RevisionPrompt { get; init; }

    /// <summary>The steps of a complete pool sample that a PRM scores (for best-of-N over the pool).</summary>
    public required Func<Problem, string, IReadOnlyList<string>> StepsToScore { get; init; }

    /// <summary>Most tokens of one sample of a problem's pool.</summary>
    public required int PoolMaxTokens { get; init; }

    /// <summary>Most tokens of a whole solution for the strategies run per budget (their options' <c>MaxTokens</c>); null
    /// leaves the strategies' default, which arith's stored options rely on by leaving it out.</summary>
    public int? StrategyMaxTokens { get; init; }

    /// <summary>A strategy context for this task with <paramref name="policy"/>, optionally a PRM, and the hardware profile
    /// for idealized runtime (default <see cref="HardwareProfile.Cpu2CoreAvx2"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    public StrategyContext Context(ITextGenerator policy, IStepScorer? prm = null, HardwareProfile? hardware = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new StrategyContext
        {
            Policy = policy,
            AnswerKey = AnswerKey,
            StepScorer = prm,
            StepDelimiter = StepDelimiter,
            SolutionStops = SolutionStops,
            IsFinished = IsFinished,
            RevisionPrompt = RevisionPrompt,
            Hardware = hardware ?? HardwareProfile.Cpu2CoreAvx2,
        };
    }

    /// <summary>The problem's level (<see cref="LevelKey"/>), or 0 when it has none (GSM8K, AIME, code).</summary>
    public static int LevelOf(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Metadata is { } metadata && metadata.TryGetValue(LevelKey, out string? level)
            ? int.Parse(level, CultureInfo.InvariantCulture)
            : 0;
    }
}
