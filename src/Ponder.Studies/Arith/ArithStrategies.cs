using Ponder.Compute;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Arith;

/// <summary>How the strategies meet the arith testbed: its problems, answers, step format and revision prompt.</summary>
public static class ArithStrategies
{
    /// <summary>The strategy-facing form of <paramref name="problem"/>: prompt, reference answer, level.</summary>
    public static Problem ToProblem(ArithProblem problem) => new(problem.Id, ArithTask.Prompt(problem))
    {
        ReferenceAnswer = problem.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Metadata = new Dictionary<string, string> { ["level"] = problem.Level.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Source = problem,
    };

    /// <summary>A context for solving arith problems with <paramref name="policy"/> and, optionally, a PRM.</summary>
    public static StrategyContext Context(ITextGenerator policy, IStepScorer? prm = null, HardwareProfile? hardware = null) => new()
    {
        Policy = policy,
        AnswerKey = ArithAnswerKey.Instance,
        StepScorer = prm,
        StepDelimiter = "\n",
        // A solution ends with its answer line; recognising it saves a round that would only emit end-of-sequence.
        IsFinished = solution => ArithTask.ExtractAnswer(solution) is not null,
        RevisionPrompt = (problem, attempts) => ArithTask.RevisionPrompt((ArithProblem)problem.Source!, attempts),
        Hardware = hardware ?? HardwareProfile.Cpu2CoreAvx2,
    };
}
