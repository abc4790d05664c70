namespace Ponder.Tasks.Benchmarks;

/// <summary>One problem of a benchmark file, with the prompt a model is given and what grades its answer.</summary>
/// <remarks>Immutable and safe to share between threads. Exactly one of <see cref="ReferenceAnswer"/> (math kinds) and
/// <see cref="Tests"/> (code kinds) is set.</remarks>
public sealed record BenchmarkProblem
{
    /// <summary>The file's own id (<c>unique_id</c>, <c>task_id</c> or <c>id</c>) when it has one, else
    /// <c>{kind}-{16 hex digits}</c> from a stable hash of the problem text, so that ids survive reordering the file.</summary>
    public required string Id { get; init; }

    /// <summary>The format the problem was read as.</summary>
    public required BenchmarkKind Kind { get; init; }

    /// <summary>The problem statement as the file gives it (the question, problem, task text or function prompt).</summary>
    public required string Statement { get; init; }

    /// <summary>The text given to the model, built from <see cref="Statement"/> by <see cref="BenchmarkPrompts"/>.</summary>
    public required string Prompt { get; init; }

    /// <summary>Strings at which generation should stop (empty when the answer ends on its own).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>The final answer, for the math kinds (GSM8K's <c>####</c> value, MATH's <c>answer</c> or boxed value,
    /// AIME's <c>answer</c>); null for code kinds.</summary>
    public string? ReferenceAnswer { get; init; }

    /// <summary>The file's worked solution or canonical code, when it has one.</summary>
    public string? ReferenceSolution { get; init; }

    /// <summary>The tests a candidate program must pass, for the code kinds; null for math kinds.</summary>
    public CodeTestSuite? Tests { get; init; }

    /// <summary>Difficulty level when the file gives one (MATH's <c>"Level 3"</c> or <c>3</c>), else null.</summary>
    public int? Level { get; init; }

    /// <summary>Subject when the file gives one (MATH's <c>subject</c> or <c>type</c>), else null.</summary>
    public string? Subject { get; init; }

    /// <summary>The file's other scalar fields (strings, numbers, booleans) by name, as text: e.g. <c>year</c>,
    /// <c>url</c>, <c>entry_point</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>1-based line of the file the problem was read from.</summary>
    public required int LineNumber { get; init; }
}
