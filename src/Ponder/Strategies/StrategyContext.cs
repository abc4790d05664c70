using Ponder.Compute;
using Ponder.Generation;
using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>
/// The models and task knowledge a strategy works with: the policy, the verifiers, the answer key and the task's text
/// format. Strategies take it at construction and wrap the models in a fresh <see cref="ComputeLedger"/> per solve.
/// </summary>
public sealed record StrategyContext
{
    /// <summary>The policy that writes solutions by continuing raw prefixes.</summary>
    public required ITextGenerator Policy { get; init; }

    /// <summary>Extracts and compares final answers.</summary>
    public required IAnswerKey AnswerKey { get; init; }

    /// <summary>The process reward model; needed by step-level search, and by best-of-N unless an outcome scorer is used.</summary>
    public IStepScorer? StepScorer { get; init; }

    /// <summary>The outcome reward model or checker; an alternative verifier for best-of-N and revision.</summary>
    public IOutcomeScorer? OutcomeScorer { get; init; }

    /// <summary>What separates steps: newline for arith, a blank line for MATH-style text. Step-level search stops generation after it.</summary>
    public string StepDelimiter { get; init; } = "\n";

    /// <summary>
    /// Whether a solution is finished although its last generation stopped at a step delimiter (for arith: it has an
    /// answer line, after which the policy would only emit end-of-sequence). Null: only end-of-sequence, a solution stop, the
    /// token limit or an empty step finishes a solution. Lets step-level search move finished solutions to its pool a round earlier.
    /// </summary>
    public Func<string, bool>? IsFinished { get; init; }

    /// <summary>
    /// Strings after which a whole solution ends although the model would write on (HumanEval: the start of the next
    /// top-level statement; MBPP: <c>[DONE]</c>). Every generation stops after them, keeping them at the end of its text.
    /// Empty (the default) for tasks whose solutions end with end-of-sequence.
    /// </summary>
    public IReadOnlyList<string> SolutionStops { get; init; } = [];

    /// <summary>
    /// The prefix for another attempt at a problem given earlier attempts (oldest first; the strategy passes at most the 4
    /// most recent), e.g. arith's revision prompt. Needed by <c>revision</c>.
    /// </summary>
    public Func<Problem, IReadOnlyList<string>, string>? RevisionPrompt { get; init; }

    /// <summary>When set, results carry idealized runtime on this hardware.</summary>
    public HardwareProfile? Hardware { get; init; }

    /// <summary>When set, results carry money for the priced models.</summary>
    public PriceTable? Prices { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a required member is missing, the delimiter is empty or a solution stop is.</summary>
    public void Validate()
    {
        if (Policy is null) throw new ArgumentException("the strategy context needs a policy generator");
        if (AnswerKey is null) throw new ArgumentException("the strategy context needs an answer key");
        if (string.IsNullOrEmpty(StepDelimiter)) throw new ArgumentException("the step delimiter must not be empty");
        if (SolutionStops is null || SolutionStops.Any(string.IsNullOrEmpty)) throw new ArgumentException("solution stops must be a list of non-empty strings");
        Hardware?.Validate();
    }
}
