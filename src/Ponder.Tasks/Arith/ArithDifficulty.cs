namespace Ponder.Tasks.Arith;

/// <summary>
/// How problems of one level are drawn. Every step applies one operation to the previous result: a multiplication with
/// probability <see cref="MulShare"/>, otherwise an addition or a subtraction with equal probability. Operands are drawn
/// uniformly from the ranges below, narrowed so that every result stays in [1, <see cref="ResultMax"/>].
/// </summary>
/// <param name="Level">The level this profile defines (1 = easiest).</param>
/// <param name="Steps">Operations per problem.</param>
/// <param name="FirstMax">The first operand is drawn from [2, FirstMax].</param>
/// <param name="AddSubMax">Operands of + and - are drawn from [1, AddSubMax].</param>
/// <param name="MulMax">Operands of * are drawn from [2, MulMax].</param>
/// <param name="MulShare">Probability that a step is a multiplication; the share of multiplications is exactly this in
/// expectation, because operands (not operations) are redrawn when a result would leave its range.</param>
/// <param name="ResultMax">Largest intermediate result (and answer).</param>
/// <remarks>
/// Results are kept ≥ 1 rather than ≥ 0 because a zero turns every later multiplication into the trivial <c>0*b=0</c>.
/// </remarks>
public sealed record ArithLevelProfile(int Level, int Steps, int FirstMax, int AddSubMax, int MulMax, double MulShare, int ResultMax)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first offending value.</summary>
    /// <remarks>Besides plain ranges it requires that every sequence of operations has operands that keep it in range:
    /// starting at <c>Steps+1</c> and using 1 for ± and 2 for * stays in [1, ResultMax] when
    /// <c>FirstMax ≥ Steps+1</c> and <c>ResultMax ≥ (Steps+1)·2^Steps</c>, so the generator never searches in vain.</remarks>
    public void Validate()
    {
        if (Level < 1) throw new ArgumentException($"level must be ≥ 1, got {Level}");
        if (Steps is < 1 or > 20) throw new ArgumentException($"level {Level}: steps must be in [1, 20], got {Steps}");
        if (AddSubMax < 1) throw new ArgumentException($"level {Level}: AddSubMax must be ≥ 1, got {AddSubMax}");
        if (MulMax < 2) throw new ArgumentException($"level {Level}: MulMax must be ≥ 2, got {MulMax}");
        if (!(MulShare is >= 0 and <= 1)) throw new ArgumentException($"level {Level}: MulShare must be in [0, 1], got {MulShare}");
        if (FirstMax < Steps + 1) throw new ArgumentException($"level {Level}: FirstMax must be ≥ Steps+1 = {Steps + 1} so that any run of subtractions fits, got {FirstMax}");
        long needed = (Steps + 1L) << Steps;
        if (ResultMax < needed || ResultMax < FirstMax || ResultMax > ArithText.MaxNumber)
            throw new ArgumentException($"level {Level}: ResultMax must be in [max(FirstMax, (Steps+1)·2^Steps) = {Math.Max(FirstMax, needed)}, {ArithText.MaxNumber}], got {ResultMax}");
    }
}

/// <summary>
/// The difficulty table of the <c>arith</c> task: five slices of the policies' training distribution
/// (<see cref="ArithTrainingMix"/>), each at least as hard as the one before in every dimension. Difficulty grows with the
/// number of steps and with the operands: one- and two-digit at level 1–2, three-digit additions at level 3, four-digit
/// results and multipliers up to 19 at levels 4–5.
/// </summary>
/// <remarks>
/// Calibrated to the profile of issue 3 on the calibration split (never the test split) with the trained
/// <c>arith-small</c>: its pass@1 at temperature 0.8, measured with 60 problems × 16 samples per level, was
/// 0.98 / 0.69 / 0.56 / 0.29 / 0.15 (target: ≥ 0.75 at level 1, 0.03–0.30 at level 5, decreasing). Because the models
/// train on the fixed mix, not on these rows, a row can be recalibrated without retraining; changing a row changes that
/// level's problems and splits (and the golden test of the test split).
/// <code>
/// level steps first  ±operand  ×operand  ×share  results
///   1     3   2–19    1–9       2–5      0.20    ≤ 99
///   2     5   2–49    1–49      2–9      0.35    ≤ 999
///   3     5   2–99    1–199     2–9      0.35    ≤ 1,999
///   4     5   2–99    1–999     2–19     0.35    ≤ 9,999
///   5     9   2–99    1–999     2–19     0.40    ≤ 9,999
/// </code>
/// </remarks>
public static class ArithDifficulty
{
    /// <summary>The easiest level.</summary>
    public const int MinLevel = 1;

    /// <summary>The hardest level.</summary>
    public const int MaxLevel = 5;

    /// <summary>The profile of each level, index <c>level-1</c>.</summary>
    public static IReadOnlyList<ArithLevelProfile> Levels { get; } =
    [
        new(Level: 1, Steps: 3, FirstMax: 19, AddSubMax: 9, MulMax: 5, MulShare: 0.20, ResultMax: 99),
        new(Level: 2, Steps: 5, FirstMax: 49, AddSubMax: 49, MulMax: 9, MulShare: 0.35, ResultMax: 999),
        new(Level: 3, Steps: 5, FirstMax: 99, AddSubMax: 199, MulMax: 9, MulShare: 0.35, ResultMax: 1_999),
        new(Level: 4, Steps: 5, FirstMax: 99, AddSubMax: 999, MulMax: 19, MulShare: 0.35, ResultMax: 9_999),
        new(Level: 5, Steps: 9, FirstMax: 99, AddSubMax: 999, MulMax: 19, MulShare: 0.40, ResultMax: 9_999),
    ];

    /// <summary>The profile of <paramref name="level"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is outside [<see cref="MinLevel"/>, <see cref="MaxLevel"/>].</exception>
    public static ArithLevelProfile ForLevel(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        return Levels[level - 1];
    }
}
