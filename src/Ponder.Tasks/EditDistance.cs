namespace Ponder.Tasks;

/// <summary>Edit distances between short texts (solutions of a few hundred characters).</summary>
internal static class EditDistance
{
    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions and substitutions that turn
    /// <paramref name="a"/> into <paramref name="b"/>. O(|a|·|b|) time, O(|b|) memory.</summary>
    public static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
