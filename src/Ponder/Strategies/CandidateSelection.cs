using Ponder.Scoring;

namespace Ponder.Strategies;

/// <summary>
/// The selection rules the strategies use, for reuse on any list of candidates (e.g. majority@k and weighted best-of-k
/// over random subsets of a pool of samples): majority vote, weighted vote and highest score. Ties always go to what
/// was seen first, so a selection depends only on the candidates and their order.
/// </summary>
/// <remarks>Pure functions; thread-safe when the answer key is.</remarks>
public static class CandidateSelection
{
    /// <summary>Candidates with equivalent answers, in order of first appearance; candidates without an answer are left out.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<IReadOnlyList<Candidate>> GroupByAnswer(IEnumerable<Candidate> candidates, IAnswerKey key)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(key);
        var groups = new List<List<Candidate>>();
        foreach (var candidate in candidates)
        {
            if (candidate.Answer is not { } answer) continue;
            var group = groups.FirstOrDefault(g => key.AreEquivalent(g[0].Answer!, answer));
            if (group is null) groups.Add([candidate]);
            else group.Add(candidate);
        }
        return groups.ToArray();
    }

    /// <summary>
    /// Whether choosing among <paramref name="candidates"/> by score needs their scores: not for a lone candidate, which is
    /// the choice whatever it scores (best-of-1 pays no verifier).
    /// </summary>
    public static bool NeedsScores(int candidates) => candidates > 1;

    /// <summary>The first candidate of the most frequent answer (ties to the answer seen first); null when no candidate has an answer.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Candidate? Majority(IEnumerable<Candidate> candidates, IAnswerKey key)
    {
        IReadOnlyList<Candidate>? best = null;
        foreach (var group in GroupByAnswer(candidates, key))
            if (best is null || group.Count > best.Count) best = group;
        return best?[0];
    }

    /// <summary>
    /// Weighted best-of-N: the answer whose candidates' scores sum highest (ties to the answer seen first), represented by
    /// its highest-scored candidate (ties to the earliest); null when no candidate has an answer. Unscored candidates weigh 0.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Candidate? Weighted(IEnumerable<Candidate> candidates, IAnswerKey key)
    {
        IReadOnlyList<Candidate>? best = null;
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
    /// <exception cref="ArgumentNullException"><paramref name="candidates"/> is null.</exception>
    public static Candidate? Highest(IEnumerable<Candidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
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
