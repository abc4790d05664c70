namespace Ponder.Scoring;

/// <summary>
/// Extracts the final answer of a solution and decides when two answers are the same, for voting and grading.
/// Implementations are pure and safe to call concurrently.
/// </summary>
public interface IAnswerKey
{
    /// <summary>The final answer of <paramref name="solution"/> (the generated text after the prompt), or null when it has none.</summary>
    string? ExtractAnswer(string solution);

    /// <summary>Whether <paramref name="first"/> and <paramref name="second"/> are the same answer.</summary>
    /// <remarks>Voting groups candidates with the first earlier answer they are equivalent to, so a relation that is not
    /// transitive (a numeric tolerance) still gives one well-defined grouping.</remarks>
    bool AreEquivalent(string first, string second);
}
