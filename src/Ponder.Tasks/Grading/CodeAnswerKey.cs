using Ponder.Scoring;
using Ponder.Tasks.Benchmarks;

namespace Ponder.Tasks.Grading;

/// <summary>
/// Programs as an <see cref="IAnswerKey"/>, so that voting strategies run on code tasks (HumanEval, MBPP): a completion's
/// answer is the code it wrote (<see cref="CodeTestSuite.WrittenCode"/>) with trailing spaces and blank lines dropped, and
/// two answers are equivalent when that text is identical. Majority vote then picks the program written most often.
/// Whether a program is right is decided by running its tests, never by this key.
/// </summary>
/// <remarks>Immutable; thread-safe.</remarks>
public sealed class CodeAnswerKey : IAnswerKey
{
    private readonly IReadOnlyList<string> _stopStrings;

    /// <summary>A key for completions that end at <paramref name="stopStrings"/> (e.g.
    /// <see cref="BenchmarkPrompts.HumanEvalStops"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stopStrings"/> is null.</exception>
    public CodeAnswerKey(IReadOnlyList<string> stopStrings)
    {
        ArgumentNullException.ThrowIfNull(stopStrings);
        _stopStrings = stopStrings.ToArray();
    }

    /// <inheritdoc />
    /// <returns>The normalised code, or null when the completion wrote none.</returns>
    public string? ExtractAnswer(string solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        var lines = CodeTestSuite.WrittenCode(solution, _stopStrings).Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0);
        string code = string.Join("\n", lines);
        return code.Length > 0 ? code : null;
    }

    /// <inheritdoc />
    public bool AreEquivalent(string first, string second) => string.Equals(first, second, StringComparison.Ordinal);
}
