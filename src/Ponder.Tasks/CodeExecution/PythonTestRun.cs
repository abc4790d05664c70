namespace Ponder.Tasks.CodeExecution;

/// <summary>One test of a candidate program: a named piece of Python run after the program, e.g. an <c>assert</c>.</summary>
/// <param name="Name">How results name the test, e.g. <c>test 2</c> or <c>check(add)</c>.</param>
/// <param name="Source">Python source run in the program's namespace; the test fails when it raises.</param>
public sealed record PythonTest(string Name, string Source);

/// <summary>A candidate program and the tests it must pass, as <see cref="PythonSandbox.RunAsync"/> runs them: the
/// program, then <paramref name="Setup"/>, then each test in order, all in one namespace (as HumanEval's and MBPP's
/// harnesses do); the first exception ends the run.</summary>
/// <param name="Program">The candidate's complete source.</param>
/// <param name="Setup">Source run between the program and the tests ("" for none), e.g. HumanEval's <c>check</c>.</param>
/// <param name="Tests">The tests, in order.</param>
public sealed record PythonTestRun(string Program, string Setup, IReadOnlyList<PythonTest> Tests);

/// <summary>How a sandboxed run ended.</summary>
public enum PythonTestVerdict
{
    /// <summary>The program, the setup and every test ran without raising.</summary>
    Passed,
    /// <summary>The program, the setup or a test raised (including <c>SystemExit</c>); see
    /// <see cref="PythonTestResult.FailedUnit"/>.</summary>
    Failed,
    /// <summary>The run passed the wall-clock timeout and was killed.</summary>
    TimedOut,
    /// <summary>A process used up its CPU-time limit and was killed by <c>SIGXCPU</c>.</summary>
    CpuLimitExceeded,
    /// <summary>An allocation failed at the memory limit (<c>MemoryError</c>).</summary>
    MemoryLimitExceeded,
    /// <summary>The run wrote more output than allowed and was killed.</summary>
    OutputLimitExceeded,
    /// <summary>The run ended without a verdict: killed by a signal (e.g. <c>SIGKILL</c> at the hard CPU limit) or an
    /// early <c>os._exit</c>; see <see cref="PythonTestResult.Error"/>.</summary>
    Crashed,
}

/// <summary>What a sandboxed run used.</summary>
/// <param name="WallTime">From start to the end of cleanup's kill.</param>
/// <param name="CpuTime">User plus system CPU time of the harness and its reaped children; null when the run was killed
/// before it could report.</param>
/// <param name="PeakMemoryBytes">Largest resident set of the harness or a reaped child; null when killed.</param>
/// <param name="OutputBytes">Bytes the program wrote to stdout and stderr (counted up to the limit).</param>
public sealed record SandboxResourceUse(TimeSpan WallTime, TimeSpan? CpuTime, long? PeakMemoryBytes, long OutputBytes);

/// <summary>The outcome of <see cref="PythonSandbox.RunAsync"/>. Immutable.</summary>
public sealed record PythonTestResult
{
    /// <summary>How the run ended.</summary>
    public required PythonTestVerdict Verdict { get; init; }

    /// <summary>Whether every test passed.</summary>
    public bool Passed => Verdict == PythonTestVerdict.Passed;

    /// <summary>Tests that passed before the run ended.</summary>
    public required int TestsPassed { get; init; }

    /// <summary>Tests in the run.</summary>
    public required int TestCount { get; init; }

    /// <summary>What raised: a test's name, <c>program</c> or <c>setup</c>; null unless <see cref="Verdict"/> is
    /// <see cref="PythonTestVerdict.Failed"/> or <see cref="PythonTestVerdict.MemoryLimitExceeded"/>.</summary>
    public string? FailedUnit { get; init; }

    /// <summary>Whether <see cref="FailedUnit"/> is a test (rather than the program or the setup).</summary>
    public bool FailedInTest { get; init; }

    /// <summary>Where the innermost frame of the traceback in the program, setup or tests was, e.g.
    /// <c>&lt;setup&gt;:12</c> for a failing assert inside HumanEval's <c>check</c>; null when unknown.</summary>
    public string? FailureLocation { get; init; }

    /// <summary>The source line at <see cref="FailureLocation"/>, e.g. <c>assert candidate(2) == 4</c>.</summary>
    public string? FailedLine { get; init; }

    /// <summary>The exception (<c>AssertionError</c>, <c>ZeroDivisionError: division by zero</c>) or why the run was
    /// stopped; null when it passed.</summary>
    public string? Error { get; init; }

    /// <summary>The program's stdout and stderr, interleaved, cut at 16 KiB.</summary>
    public required string Output { get; init; }

    /// <summary>Resources the run used.</summary>
    public required SandboxResourceUse Resources { get; init; }

    /// <summary>The uid the run's processes had on this machine: a fresh one per run when Ponder runs as root, else
    /// Ponder's own. No process with this uid outlives a root-mode run.</summary>
    public required int SandboxUserId { get; init; }
}
