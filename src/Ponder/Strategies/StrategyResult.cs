using Ponder.Compute;
using Ponder.Generation;

namespace Ponder.Strategies;

/// <summary>A complete solution a strategy considered.</summary>
/// <param name="Index">Position in <see cref="StrategyResult.Candidates"/>.</param>
/// <param name="Solution">The generated text after the problem's prompt.</param>
/// <param name="Answer">The final answer the answer key extracted, or null.</param>
/// <param name="Score">The verifier's (aggregated) score, or null when the strategy scored nothing.</param>
/// <param name="StepScores">The PRM's score per step when a PRM scored it, else null.</param>
/// <param name="Finish">Why the last generation of the solution ended.</param>
/// <param name="Group">The revision chain or DVTS subtree it came from; null for strategies without groups.</param>
/// <param name="IsCorrect">Whether <see cref="Answer"/> matches the problem's reference answer; null when there is none.</param>
public sealed record Candidate(
    int Index,
    string Solution,
    string? Answer,
    double? Score,
    IReadOnlyList<double>? StepScores,
    FinishReason Finish,
    int? Group,
    bool? IsCorrect);

/// <summary>What a strategy returns for one problem.</summary>
public sealed record StrategyResult
{
    /// <summary>The strategy's registered name.</summary>
    public required string Strategy { get; init; }

    /// <summary>The problem's id.</summary>
    public required string ProblemId { get; init; }

    /// <summary>The budget the strategy was given.</summary>
    public required Budget Budget { get; init; }

    /// <summary>The seed every random choice derived from.</summary>
    public required ulong Seed { get; init; }

    /// <summary>The chosen final answer, or null when no candidate had one.</summary>
    public required string? Answer { get; init; }

    /// <summary>The chosen solution (a candidate with the chosen answer), or null when there is no candidate.</summary>
    public required string? Solution { get; init; }

    /// <summary>Index of the chosen candidate in <see cref="Candidates"/>, or null.</summary>
    public required int? ChosenIndex { get; init; }

    /// <summary>
    /// Whether the strategy solved the problem, when it has a reference answer: the chosen answer is correct — or, for
    /// <c>sampling</c>, any candidate is (coverage). Null without a reference answer.
    /// </summary>
    public required bool? IsCorrect { get; init; }

    /// <summary>Every complete solution considered, with its score.</summary>
    public required IReadOnlyList<Candidate> Candidates { get; init; }

    /// <summary>
    /// Budget units used, in the unit of <see cref="Budget.Generations"/>: complete samples for the sampling strategies;
    /// the per-round width N for beam search, DVTS and early rejection (each round samples N steps, so N rounds' worth of
    /// steps cost about N solutions); N·(k+1) for lookahead; chains × chain length for revision.
    /// </summary>
    public required int GenerationsUsed { get; init; }

    /// <summary>Compute totals, policy and verifier separately.</summary>
    public required ComputeTotals Compute { get; init; }

    /// <summary>Every generator and scorer call, in the order they started.</summary>
    public required IReadOnlyList<ComputeRecord> Calls { get; init; }

    /// <summary>Measured wall time of the whole solve.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>A short human-readable account of what the strategy did (one line per round or phase).</summary>
    public required IReadOnlyList<string> Trace { get; init; }
}
