namespace Ponder.Scoring;

/// <summary>Splits solutions into steps at the task's step delimiter (newline for arith, blank line for MATH-style text).</summary>
public static class SolutionSteps
{
    /// <summary>
    /// The steps of <paramref name="solution"/>: each ends with <paramref name="delimiter"/> except possibly the last (an
    /// unfinished step), so concatenating them gives the solution back. The empty solution has no steps.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="delimiter"/> is empty.</exception>
    public static IReadOnlyList<string> Split(string solution, string delimiter)
    {
        ArgumentNullException.ThrowIfNull(solution);
        ArgumentException.ThrowIfNullOrEmpty(delimiter);
        var steps = new List<string>();
        int start = 0;
        while (start < solution.Length)
        {
            int at = solution.IndexOf(delimiter, start, StringComparison.Ordinal);
            int end = at < 0 ? solution.Length : at + delimiter.Length;
            steps.Add(solution[start..end]);
            start = end;
        }
        return steps;
    }
}
