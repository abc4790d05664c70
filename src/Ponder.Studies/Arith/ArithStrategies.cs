using Ponder.Compute;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Arith;

/// <summary>How the strategies meet the arith testbed: its problems, answers, step format and revision prompt.</summary>
public static class ArithStrategies
{
    /// <summary>The strategy-facing form of <paramref name="problem"/>: prompt, reference answer, level.</summary>
    public static Problem ToProblem(ArithProblem problem) => new(problem.Id, ArithTask.Prompt(problem))
    {
        ReferenceAnswer = problem.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Metadata = new Dictionary<string, string> { [StudyTask.LevelKey] = problem.Level.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Source = problem,
    };

    /// <summary>
    /// The arith task over <paramref name="problems"/>: graded by exact answer, newline-separated steps, a solution ends
    /// with its answer line, arith's revision prompt, and the PRM scores the lines the exact checker judges.
    /// </summary>
    public static StudyTask CreateTask(IReadOnlyList<ArithProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return new StudyTask
        {
            Name = ArithTask.Name,
            Problems = problems.Select(ToProblem).ToArray(),
            AnswerKey = ArithAnswerKey.Instance,
            Grader = new ReferenceAnswerGrader(ArithAnswerKey.Instance),
            StepDelimiter = "\n",
            // A solution ends with its answer line; recognising it saves a round that would only emit end-of-sequence.
            IsFinished = solution => ArithTask.ExtractAnswer(solution) is not null,
            // From the prompt, not Source: a problem that reaches ponder serve as text has no ArithProblem behind it.
            RevisionPrompt = (problem, attempts) => ArithTask.RevisionPrompt(problem.Prompt, attempts),
            StepsToScore = (problem, solution) => ArithChecker.Check((ArithProblem)problem.Source!, solution).Steps,
            PoolMaxTokens = Evaluation.ArithEvaluation.MaxSolutionTokens,
        };
    }

    /// <summary>A context for solving arith problems with <paramref name="policy"/> and, optionally, a PRM.</summary>
    public static StrategyContext Context(ITextGenerator policy, IStepScorer? prm = null, HardwareProfile? hardware = null) =>
        CreateTask([]).Context(policy, prm, hardware);
}
