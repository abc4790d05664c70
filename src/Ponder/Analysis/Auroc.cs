namespace Ponder.Analysis;

/// <summary>Area under the ROC curve of scores against binary labels.</summary>
public static class Auroc
{
    /// <summary>
    /// P(score of a random positive &gt; score of a random negative), ties counting one half (the Mann–Whitney U
    /// statistic divided by n₊·n₋). NaN when either class is empty.
    /// </summary>
    public static double Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        if (scores.Count != labels.Count) throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels");
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        // Average ranks over ties, then U = Σ ranks of positives − n₊(n₊+1)/2.
        double rankSum = 0;
        long positives = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++)
                if (labels[order[i]]) { rankSum += rank; positives++; }
            start = end + 1;
        }
        long negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
