namespace Ponder.Strategies;

/// <summary>A problem to solve: what the policy continues and what grading needs.</summary>
/// <param name="Id">Stable identifier (for stores and seeds).</param>
/// <param name="Prompt">The raw prefix the policy continues (a chat template, if any, already applied); solutions are
/// the generated text after it, and step-level search continues <c>Prompt + steps so far</c>.</param>
public sealed record Problem(string Id, string Prompt)
{
    /// <summary>The correct final answer when known: strategies then mark candidates correct or not (an oracle for coverage). Never used to choose, except by <c>sampling</c>, whose choice is coverage.</summary>
    public string? ReferenceAnswer { get; init; }

    /// <summary>Free-form facts about the problem (difficulty level, split, source).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The task's own representation of the problem (e.g. an arith problem), for task-provided functions such as a study's step checker.</summary>
    public object? Source { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the id or prompt is missing.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Id)) throw new ArgumentException("a problem needs an id");
        if (Prompt is null) throw new ArgumentException($"problem {Id} has no prompt");
    }
}
