using Ponder.Scoring;

namespace Ponder.Tasks.Arith;

/// <summary>The arith task's answers: the integer on the first complete <c>A:</c> line; equal integers are equivalent.</summary>
public sealed class ArithAnswerKey : IAnswerKey
{
    /// <summary>The one instance (the key has no state).</summary>
    public static ArithAnswerKey Instance { get; } = new();

    /// <inheritdoc />
    public string? ExtractAnswer(string solution) =>
        ArithTask.ExtractAnswer(solution) is { } answer ? answer.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <inheritdoc />
    public bool AreEquivalent(string first, string second) =>
        int.TryParse(first, System.Globalization.CultureInfo.InvariantCulture, out int a)
        && int.TryParse(second, System.Globalization.CultureInfo.InvariantCulture, out int b) && a == b;
}
