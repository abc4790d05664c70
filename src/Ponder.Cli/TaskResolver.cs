using Ponder.Studies.Benchmarks;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;
using Ponder.Tasks.Benchmarks;
using Ponder.Tasks.CodeExecution;
using Spectre.Console;

namespace Ponder.Cli;

/// <summary>Turns --task and --data into problems: the built-in arith testbed, or a benchmark file the user brings.</summary>
internal static class TaskResolver
{
    /// <summary>The task names --task takes.</summary>
    public static IReadOnlyList<string> Names { get; } = [ArithTask.Name, .. BenchmarkKindNames.All];

    /// <summary>The text of --task help.</summary>
    public static readonly string TaskHelp =
        $"Task: {ArithTask.Name} (built in), or a JSONL file given with --data: {string.Join(", ", BenchmarkKindNames.All)}";

    /// <summary>The text of --data help.</summary>
    public const string DataHelp = "The benchmark's JSONL file (required for every task but arith; nothing is downloaded)";

    /// <summary>The benchmark kind <paramref name="name"/> names, or null for arith; checks that --data is given exactly
    /// when a benchmark needs it.</summary>
    /// <exception cref="UserError">An unknown task, or --data missing or superfluous.</exception>
    public static BenchmarkKind? Parse(string name, FileInfo? data)
    {
        if (name == ArithTask.Name)
        {
            if (data is not null) throw new UserError($"--data applies to the benchmark tasks; {ArithTask.Name} makes its own problems");
            return null;
        }
        BenchmarkKind kind;
        try { kind = BenchmarkKindNames.Parse(name); }
        catch (ArgumentException) { throw new UserError($"unknown task \"{name}\"; known: {string.Join(", ", Names)}"); }
        if (data is null) throw new UserError($"--data is required for --task {kind.Name()}");
        return kind;
    }

    /// <summary>The problems of <paramref name="data"/>, in file order; each line that does not load is reported with its
    /// line number and skipped.</summary>
    /// <exception cref="UserError">The file is missing or unreadable, or holds no problem.</exception>
    public static IReadOnlyList<BenchmarkProblem> Load(BenchmarkKind kind, FileInfo data)
    {
        BenchmarkLoadResult loaded;
        try { loaded = BenchmarkLoader.Load(kind, data.FullName); }
        catch (IOException e) { throw new UserError(e.Message); }
        foreach (var error in loaded.Errors) AnsiConsole.MarkupLineInterpolated($"[yellow]{data.Name} {error}; skipped[/]");
        if (loaded.Problems.Count == 0) throw new UserError($"{data.FullName} holds no {kind.Name()} problem");
        return loaded.Problems;
    }

    /// <summary>The study task of <paramref name="problems"/>, with the code sandbox when <paramref name="kind"/> runs code.</summary>
    /// <exception cref="UserError">A code task on a machine where the sandbox cannot run; the message says what is missing.</exception>
    public static async Task<StudyTask> CreateTaskAsync(BenchmarkKind kind, IReadOnlyList<BenchmarkProblem> problems, CancellationToken cancellationToken)
    {
        PythonSandbox? sandbox = null;
        if (kind.IsCode())
        {
            try { sandbox = await PythonSandbox.CreateAsync(cancellationToken: cancellationToken); }
            catch (PythonSandboxUnavailableException e) { throw new UserError($"{kind.Name()} is graded by running code in the sandbox: {e.Message}"); }
        }
        return BenchmarkStrategies.CreateTask(kind, problems, sandbox);
    }

    /// <summary>Rejects --prm for a benchmark: the only PRMs Ponder loads are embedded arith PRMs, which judge arith steps.</summary>
    /// <exception cref="UserError">A PRM was given for a benchmark task.</exception>
    public static void RequireNoPrm(BenchmarkKind kind, string? prm)
    {
        if (prm is not null)
            throw new UserError($"--prm loads an embedded arith PRM, which judges arith steps only; --task {kind.Name()} runs the strategies that need no verifier");
    }
}
