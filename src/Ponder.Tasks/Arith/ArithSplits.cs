namespace Ponder.Tasks.Arith;

/// <summary>The three disjoint splits of the <c>arith</c> task.</summary>
public enum ArithSplit
{
    /// <summary>Training data for the policies and the PRM: about 90% of all expressions.</summary>
    Train,
    /// <summary>Held out for calibrating strategies and verifiers: about 5% of all expressions.</summary>
    Calibration,
    /// <summary>Held out for reported results: about 5% of all expressions.</summary>
    Test,
}

/// <summary>
/// Seeded splits of the <c>arith</c> task, disjoint by expression.
/// </summary>
/// <remarks>
/// <para>An expression's split depends only on the expression: a stable hash (FNV-1a, finalised) modulo 100 puts buckets
/// 0–4 in <see cref="ArithSplit.Test"/>, 5–9 in <see cref="ArithSplit.Calibration"/> and the rest in
/// <see cref="ArithSplit.Train"/>. So no seed, level or amount of data can ever move a test or calibration expression into
/// training, and training data can be drawn lazily without materialising the held-out sets. The seed only chooses which
/// problems of each split are drawn.</para>
/// <para>A split's problems of one level are the problems of <see cref="ArithGenerator.Generate"/>(level, seed) that fall
/// into it, in generation order. Thread-safe: no shared state.</para>
/// </remarks>
public static class ArithSplits
{
    /// <summary>Default problems per level for <see cref="ArithSplit.Calibration"/> and <see cref="ArithSplit.Test"/>.</summary>
    public const int DefaultPerLevel = 100;

    private const int Buckets = 100;
    private const int TestBuckets = 5;
    private const int CalibrationBuckets = 5;

    // Load gives up when this many draws in a row bring no new expression: the split of that level has run out of distinct
    // expressions (level 1 holds only a few thousand in all).
    private const int MaxFruitlessDraws = 100_000;

    /// <summary>The split that <paramref name="expression"/> belongs to, whatever its level or seed.</summary>
    public static ArithSplit SplitOf(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        int bucket = (int)(StableHash.Of(expression) % Buckets);
        return bucket < TestBuckets ? ArithSplit.Test
            : bucket < TestBuckets + CalibrationBuckets ? ArithSplit.Calibration
            : ArithSplit.Train;
    }

    /// <summary>An endless stream of <paramref name="split"/>'s problems of <paramref name="level"/>, with repeats (for
    /// training data; use <see cref="Load"/> for a fixed set of distinct problems).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not a level of <see cref="ArithDifficulty"/>,
    /// or <paramref name="split"/> is not a defined value.</exception>
    public static IEnumerable<ArithProblem> Stream(ArithSplit split, int level, ulong seed = 0)
    {
        if (!Enum.IsDefined(split)) throw new ArgumentOutOfRangeException(nameof(split), split, "unknown split");
        return ArithGenerator.Generate(level, seed).Where(p => SplitOf(p.Expression) == split);
    }

    /// <summary>
    /// The first <paramref name="perLevel"/> distinct problems of <paramref name="split"/> at each level, levels in
    /// increasing order. The same arguments always give the same list.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perLevel"/> is below 1, or <paramref name="split"/> is
    /// not a defined value.</exception>
    /// <exception cref="InvalidOperationException">A level's split has fewer distinct expressions than requested.</exception>
    public static IReadOnlyList<ArithProblem> Load(ArithSplit split, int perLevel = DefaultPerLevel, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perLevel, 1);
        var problems = new List<ArithProblem>(perLevel * ArithDifficulty.MaxLevel);
        for (int level = ArithDifficulty.MinLevel; level <= ArithDifficulty.MaxLevel; level++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int fruitless = 0;
            foreach (var problem in Stream(split, level, seed))
            {
                if (seen.Add(problem.Expression))
                {
                    problems.Add(problem);
                    fruitless = 0;
                    if (seen.Count == perLevel) break;
                }
                else if (++fruitless == MaxFruitlessDraws)
                {
                    throw new InvalidOperationException(
                        $"the {split} split of level {level} seems to hold only {seen.Count} distinct expressions, fewer than the {perLevel} requested");
                }
            }
        }
        return problems;
    }
}
