using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>
/// Selection rules over candidates: majority vote, weighted vote and highest score. Ties always go to what was seen
/// first, so a selection depends only on the candidates' order.
/// </summary>
internal static class Voting
{
    /// <summary>Candidates with equivalent answers, in order of first appearance; candidates without an answer are left out.</summary>
    public static List<List<Candidate>> GroupByAnswer(IEnumerable<Candidate> candidates, IAnswerKey key)
    {
        var groups = new List<List<Candidate>>();
        foreach (var candidate in candidates)
        {
            if (candidate.Answer is not { } answer) continue;
            var group = groups.FirstOrDefault(g => key.AreEquivalent(g[0].Answer!, answer));
            if (group is null) groups.Add([candidate]);
            else group.Add(candidate);
        }
        return groups;
    }

    /// <summary>The first candidate of the most frequent answer (ties to the answer seen first); null when no candidate has an answer.</summary>
    public static Candidate? Majority(IEnumerable<Candidate> candidates, IAnswerKey key)
    {
        List<Candidate>? best = null;
        foreach (var group in GroupByAnswer(candidates, key))
            if (best is null || group.Count > best.Count) best = group;
        return best?[0];
    }

    /// <summary>
    /// Weighted best-of-N: the answer whose candidates' scores sum highest (ties to the answer seen first), represented by
    /// its highest-scored candidate (ties to the earliest); null when no candidate has an answer.
    /// </summary>
    public static Candidate? Weighted(IEnumerable<Candidate> candidates, IAnswerKey key)
    {
        List<Candidate>? best = null;
        double bestSum = double.NegativeInfinity;
        foreach (var group in GroupByAnswer(candidates, key))
        {
            double sum = group.Sum(c => c.Score ?? 0);
            if (best is null || sum > bestSum) (best, bestSum) = (group, sum);
        }
        return best is null ? null : Highest(best);
    }

    /// <summary>
    /// Naive best-of-N: the highest-scored candidate with an answer (ties to the earliest); when none has an answer, the
    /// highest-scored of all; null for no candidates.
    /// </summary>
    public static Candidate? Highest(IEnumerable<Candidate> candidates)
    {
        Candidate? best = null;
        foreach (var c in candidates)
        {
            if (best is null) { best = c; continue; }
            bool answered = c.Answer is not null, bestAnswered = best.Answer is not null;
            if (answered && !bestAnswered || answered == bestAnswered && (c.Score ?? 0) > (best.Score ?? 0)) best = c;
        }
        return best;
    }
}
