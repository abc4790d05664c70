using System.Globalization;
using Ponder.Scoring;
using Ponder.Strategies;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Benchmarks;
using Ponder.Tasks.CodeExecution;
using Ponder.Tasks.Grading;

namespace Ponder.Studies.Benchmarks;

/// <summary>How the strategies meet the benchmark files a user brings (GSM8K, MATH, AIME, HumanEval, MBPP).</summary>
public static class BenchmarkStrategies
{
    /// <summary>What separates the steps of benchmark solutions: a blank line, as in MATH-style worked solutions.</summary>
    public const string StepDelimiter = "\n\n";

    /// <summary>The strategy-facing form of <paramref name="problem"/>: its prompt, its reference answer (math kinds), its
    /// level and subject when the file gives them, and the benchmark problem itself as the source.</summary>
    public static Problem ToProblem(BenchmarkProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (problem.Level is { } level) metadata[StudyTask.LevelKey] = level.ToString(CultureInfo.InvariantCulture);
        if (problem.Subject is { } subject) metadata["subject"] = subject;
        return new Problem(problem.Id, problem.Prompt) { ReferenceAnswer = problem.ReferenceAnswer, Metadata = metadata, Source = problem };
    }

    /// <summary>
    /// The task over <paramref name="problems"/> of <paramref name="kind"/>. Math kinds vote and grade with
    /// <see cref="MathAnswerKey"/>; code kinds vote over the programs written (<see cref="CodeAnswerKey"/>), stop at the
    /// kind's stop strings and are graded by running their tests in <paramref name="sandbox"/>. No kind has a revision
    /// prompt.
    /// </summary>
    /// <exception cref="ArgumentException">A problem is of another kind, or a code kind has no sandbox.</exception>
    public static StudyTask CreateTask(BenchmarkKind kind, IReadOnlyList<BenchmarkProblem> problems, PythonSandbox? sandbox = null)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.FirstOrDefault(p => p.Kind != kind) is { } other)
            throw new ArgumentException($"problem {other.Id} is a {other.Kind.Name()} problem, not {kind.Name()}");
        IReadOnlyList<string> stops = kind switch
        {
            BenchmarkKind.HumanEval => BenchmarkPrompts.HumanEvalStops,
            BenchmarkKind.Mbpp => BenchmarkPrompts.MbppStops,
            _ => [],
        };
        IAnswerKey answerKey = kind.IsCode() ? new CodeAnswerKey(stops) : MathAnswerKey.Instance;
        ISolutionGrader grader = kind.IsCode()
            ? new SandboxGrader(sandbox ?? throw new ArgumentException($"{kind.Name()} is graded by running code: it needs a sandbox"))
            : new ReferenceAnswerGrader(answerKey);
        int maxTokens = MaxSolutionTokens(kind);
        return new StudyTask
        {
            Name = kind.Name(),
            Problems = problems.Select(ToProblem).ToArray(),
            AnswerKey = answerKey,
            Grader = grader,
            StepDelimiter = StepDelimiter,
            SolutionStops = stops,
            // A step that ran into a stop string ends the solution, although its generation stopped rather than ended.
            IsFinished = stops.Count == 0 ? null : text => stops.Any(stop => text.Contains(stop, StringComparison.Ordinal)),
            StepsToScore = (_, solution) => SolutionSteps.Split(solution, StepDelimiter),
            PoolMaxTokens = maxTokens,
            StrategyMaxTokens = maxTokens,
        };
    }

    // Room for a worked solution by an instruct model: GSM8K's are a few sentences, MATH's longer, AIME's longest; a code
    // completion is one function.
    private static int MaxSolutionTokens(BenchmarkKind kind) => kind switch
    {
        BenchmarkKind.Gsm8k => 512,
        BenchmarkKind.Math => 1024,
        BenchmarkKind.Aime => 2048,
        _ => 512,
    };
}
