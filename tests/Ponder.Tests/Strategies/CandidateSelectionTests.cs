using Ponder.Generation;
using Ponder.Strategies;

namespace Ponder.Tests.Strategies;

public sealed class CandidateSelectionTests
{
    private static readonly LineAnswerKey Key = new();

    private static Candidate[] Candidates(params (string? Answer, double? Score)[] items) =>
        items.Select((x, i) => new Candidate(i, $"A:{x.Answer}\n", x.Answer, x.Score, null, FinishReason.EndOfSequence, null, null)).ToArray();

    [Fact]
    public void GroupsFollowFirstAppearanceAndSkipMissingAnswers()
    {
        var groups = CandidateSelection.GroupByAnswer(Candidates(("b", 1), (null, 1), ("a", 1), ("b", 1)), Key);
        Assert.Equal(["b", "a"], groups.Select(g => g[0].Answer));
        Assert.Equal([2, 1], groups.Select(g => g.Count));
    }

    [Fact]
    public void TiesGoToWhatWasSeenFirst()
    {
        Assert.Equal(1, CandidateSelection.Majority(Candidates((null, 0), ("x", 0), ("y", 0), ("y", 0), ("x", 0)), Key)!.Index);
        // Weighted: x and y both sum to 1; x seen first; its representative is its best-scored candidate.
        Assert.Equal(0, CandidateSelection.Weighted(Candidates(("y", 0.5), ("x", 0.25), ("x", 0.75), ("y", 0.5)), Key)!.Index);
        Assert.Equal("x", CandidateSelection.Weighted(Candidates(("x", 0.25), ("y", 0.5), ("x", 0.75), ("y", 0.5)), Key)!.Answer);
        Assert.Equal(1, CandidateSelection.Highest(Candidates(("x", 0.25), ("y", 0.75), ("z", 0.75)))!.Index);
    }

    [Fact]
    public void HighestPrefersAnsweredCandidates()
    {
        Assert.Equal(1, CandidateSelection.Highest(Candidates((null, 0.9), ("x", 0.1)))!.Index);
        Assert.Equal(1, CandidateSelection.Highest(Candidates((null, 0.2), (null, 0.9)))!.Index);
        Assert.Null(CandidateSelection.Highest([]));
        Assert.Null(CandidateSelection.Majority(Candidates((null, 1)), Key));
        Assert.Null(CandidateSelection.Weighted([], Key));
    }
}
