using Ponder.Scoring;

namespace Ponder.Tasks.Grading;

/// <summary>
/// Free-form math answers as an <see cref="IAnswerKey"/>: extraction and equivalence by <see cref="MathAnswer"/>, so
/// strategies can vote over the answers of general models (GSM8K, MATH, or any chat model asked a math question).
/// </summary>
public sealed class MathAnswerKey : IAnswerKey
{
    /// <summary>The one instance (the key has no state).</summary>
    public static MathAnswerKey Instance { get; } = new();

    /// <inheritdoc />
    public string? ExtractAnswer(string solution) => MathAnswer.Extract(solution);

    /// <inheritdoc />
    public bool AreEquivalent(string first, string second) => MathAnswer.AreEquivalent(first, second);
}
