using Ponder.Scoring;
using Ponder.Strategies;
using Ponder.Tasks.Benchmarks;
using Ponder.Tasks.CodeExecution;

namespace Ponder.Studies.Sweeps;

/// <summary>Decides whether a solution solves its problem: the oracle a study's accuracy is measured with.</summary>
/// <remarks>Implementations are safe to call concurrently.</remarks>
public interface ISolutionGrader
{
    /// <summary>Whether <paramref name="solution"/> (the text generated after the problem's prompt) solves
    /// <paramref name="problem"/>.</summary>
    /// <exception cref="ArgumentException">The problem is not one this grader can grade.</exception>
    /// <exception cref="GradingException">Grading itself failed (say, the sandbox could not run), so whether the
    /// solution is right is unknown.</exception>
    Task<bool> IsCorrectAsync(Problem problem, string solution, CancellationToken cancellationToken = default);
}

/// <summary>Grading failed, not the solution: the sweep records the problem as failed and goes on (DESIGN.md §10).</summary>
public sealed class GradingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Grades by final answer: right when the answer the key extracts is equivalent to the problem's
/// <see cref="Problem.ReferenceAnswer"/> (arith's exact integers, <see cref="Tasks.Grading.MathAnswer"/> for math).</summary>
/// <param name="answerKey">Extracts and compares answers.</param>
public sealed class ReferenceAnswerGrader(IAnswerKey answerKey) : ISolutionGrader
{
    /// <inheritdoc />
    public Task<bool> IsCorrectAsync(Problem problem, string solution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solution);
        string reference = problem.ReferenceAnswer ?? throw new ArgumentException($"problem {problem.Id} has no reference answer to grade against");
        return Task.FromResult(answerKey.ExtractAnswer(solution) is { } answer && answerKey.AreEquivalent(answer, reference));
    }
}

/// <summary>Grades code by running the completion with the problem's tests in the <see cref="PythonSandbox"/>: right when
/// every test passes. A program that fails, crashes, times out or passes a limit is wrong; only a sandbox that cannot run
/// makes grading fail.</summary>
/// <param name="sandbox">Where the programs run.</param>
public sealed class SandboxGrader(PythonSandbox sandbox) : ISolutionGrader
{
    /// <inheritdoc />
    /// <exception cref="ArgumentException">The problem's <see cref="Problem.Source"/> is not a code
    /// <see cref="BenchmarkProblem"/>.</exception>
    public async Task<bool> IsCorrectAsync(Problem problem, string solution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solution);
        var tests = (problem.Source as BenchmarkProblem)?.Tests ?? throw new ArgumentException($"problem {problem.Id} has no code tests");
        try
        {
            var result = await sandbox.RunAsync(tests.ForCompletion(solution), cancellationToken);
            return result.Passed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The sandbox starts processes and writes temporary files: whatever breaks there says nothing about the
            // solution, and must not end a long sweep.
            throw new GradingException($"the code sandbox failed on problem {problem.Id}: {e.Message}", e);
        }
    }
}
