namespace Ponder.Tasks.Benchmarks;

/// <summary>The benchmark file formats Ponder reads (one JSON object per line; see <see cref="BenchmarkLoader"/>).</summary>
public enum BenchmarkKind
{
    /// <summary>GSM8K: <c>question</c>, <c>answer</c> ending in a <c>#### x</c> line.</summary>
    Gsm8k,
    /// <summary>MATH and MATH-500: <c>problem</c>, <c>solution</c>, optional <c>answer</c> (else the solution's last
    /// <c>\boxed{}</c>), <c>level</c>, <c>subject</c> (or <c>type</c>).</summary>
    Math,
    /// <summary>AIME-style: <c>problem</c>, <c>answer</c> (a string or a number).</summary>
    Aime,
    /// <summary>HumanEval: <c>task_id</c>, <c>prompt</c>, <c>canonical_solution</c>, <c>test</c>, <c>entry_point</c>.</summary>
    HumanEval,
    /// <summary>MBPP: <c>text</c>, <c>code</c>, <c>test_list</c>, optional <c>task_id</c> and <c>test_setup_code</c>.</summary>
    Mbpp,
}

/// <summary>Names of <see cref="BenchmarkKind"/> values as the command line writes them (<c>gsm8k</c>, <c>math</c>,
/// <c>aime</c>, <c>humaneval</c>, <c>mbpp</c>).</summary>
public static class BenchmarkKindNames
{
    /// <summary>All names, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = Enum.GetValues<BenchmarkKind>().Select(Name).ToArray();

    /// <summary>The command-line name of <paramref name="kind"/>.</summary>
    public static string Name(this BenchmarkKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The kind named <paramref name="name"/> (case-insensitive; <c>math500</c> and <c>math-500</c> are
    /// <see cref="BenchmarkKind.Math"/>).</summary>
    /// <exception cref="ArgumentException">No kind has that name; the message lists the names.</exception>
    public static BenchmarkKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        if (key is "math500" or "math-500") return BenchmarkKind.Math;
        foreach (var kind in Enum.GetValues<BenchmarkKind>())
            if (kind.Name() == key) return kind;
        throw new ArgumentException($"unknown task '{name}'; expected one of {string.Join(", ", All)}");
    }

    /// <summary>Whether problems of <paramref name="kind"/> are graded by running code (otherwise by the math answer
    /// key).</summary>
    public static bool IsCode(this BenchmarkKind kind) => kind is BenchmarkKind.HumanEval or BenchmarkKind.Mbpp;
}
