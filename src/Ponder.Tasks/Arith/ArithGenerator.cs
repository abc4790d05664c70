using Ponder;
namespace Ponder.Tasks.Arith;

/// <summary>
/// Draws <c>arith</c> problems. Deterministic: the same level and seed give the same problems on every machine, because
/// all randomness comes from <see cref="SplitMix64"/>.
/// </summary>
/// <remarks>Thread-safe: it holds no state; each enumeration owns its generator.</remarks>
public static class ArithGenerator
{
    // A valid profile always has operands that fit (see ArithLevelProfile.Validate), so this bound is only reached by a
    // profile whose feasible operands are astronomically unlikely; it turns an endless loop into an error.
    private const int MaxOperandDraws = 1_000_000;

    /// <summary>An endless stream of problems of <paramref name="level"/> (drawn with replacement, so repeats occur).
    /// Streams of different levels under one seed are independent.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not a level of <see cref="ArithDifficulty"/>.</exception>
    public static IEnumerable<ArithProblem> Generate(int level, ulong seed)
    {
        var profile = ArithDifficulty.ForLevel(level);
        return Stream(profile, new SplitMix64(SplitMix64.Derive(seed, (ulong)level)));

        static IEnumerable<ArithProblem> Stream(ArithLevelProfile profile, SplitMix64 rng)
        {
            while (true) yield return Sample(profile, rng);
        }
    }

    /// <summary>
    /// Draws one problem of <paramref name="profile"/>: first the operations (each a multiplication with probability
    /// <see cref="ArithLevelProfile.MulShare"/>, else + or - evenly), then the first operand and the operands in order, each
    /// uniformly from the profile's range narrowed so that its result stays within the bounds from which the remaining
    /// operations can still keep every result in [1, <see cref="ArithLevelProfile.ResultMax"/>]. The operations keep exactly
    /// their intended distribution; without the look-ahead, long chains of multiplications would almost never fit.
    /// </summary>
    /// <remarks>Use this to try a candidate profile while recalibrating; otherwise use <see cref="Generate"/>.</remarks>
    /// <exception cref="ArgumentException">The profile is invalid (see <see cref="ArithLevelProfile.Validate"/>).</exception>
    public static ArithProblem Sample(ArithLevelProfile profile, SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(rng);
        profile.Validate();

        var ops = new ArithOp[profile.Steps];
        for (int i = 0; i < ops.Length; i++)
            ops[i] = rng.NextBool(profile.MulShare) ? ArithOp.Multiply : rng.NextBool(0.5) ? ArithOp.Add : ArithOp.Subtract;
        var (low, high) = ReachableBounds(profile, ops);

        var chain = new (ArithOp Op, int Operand)[ops.Length];
        for (int draw = 0; draw < MaxOperandDraws; draw++)
        {
            int first = rng.NextInt(Math.Max(2, low[0]), Math.Min(profile.FirstMax, high[0]));
            if (TryDrawOperands(profile, ops, first, low, high, chain, rng)) return ArithProblem.Create(profile.Level, first, chain);
        }
        throw new InvalidOperationException(
            $"level {profile.Level}: no operands keep the operations {string.Concat(ops.Select(o => o.Symbol()))} in range after {MaxOperandDraws} draws; widen FirstMax or ResultMax");
    }

    /// <summary>
    /// For each step <c>i</c> (and the end, index <c>Steps</c>), the bounds on the value entering it from which the rest of
    /// the chain can still stay in range: the upper bound assumes the smallest operands (1 for ±, 2 for *), the lower bound
    /// the most helpful ones. Drawing every result inside the next bounds rarely leaves a dead end; the few that remain (the
    /// two bounds assume different operands) are redrawn.
    /// </summary>
    private static (int[] Low, int[] High) ReachableBounds(ArithLevelProfile profile, ArithOp[] ops)
    {
        var low = new int[ops.Length + 1];
        var high = new int[ops.Length + 1];
        (low[^1], high[^1]) = (1, profile.ResultMax);
        for (int i = ops.Length - 1; i >= 0; i--)
        {
            (low[i], high[i]) = ops[i] switch
            {
                ArithOp.Add => (Math.Max(1, low[i + 1] - profile.AddSubMax), high[i + 1] - 1),
                ArithOp.Subtract => (low[i + 1] + 1, Math.Min(profile.ResultMax, high[i + 1] + profile.AddSubMax)),
                _ => ((low[i + 1] + profile.MulMax - 1) / profile.MulMax, high[i + 1] / 2),
            };
        }
        return (low, high);
    }

    private static bool TryDrawOperands(
        ArithLevelProfile profile, ArithOp[] ops, int first, int[] low, int[] high, (ArithOp, int)[] chain, SplitMix64 rng)
    {
        int value = first;
        for (int i = 0; i < ops.Length; i++)
        {
            // Operands whose result lands in [low[i+1], high[i+1]]; the smallest operand is 1 for ± and 2 for *.
            var (lo, hi) = (low[i + 1], high[i + 1]);
            var (min, max) = ops[i] switch
            {
                ArithOp.Add => (Math.Max(1, lo - value), Math.Min(profile.AddSubMax, hi - value)),
                ArithOp.Subtract => (Math.Max(1, value - hi), Math.Min(profile.AddSubMax, value - lo)),
                _ => (Math.Max(2, (lo + value - 1) / value), Math.Min(profile.MulMax, hi / value)),
            };
            if (max < min) return false;
            int operand = rng.NextInt(min, max);
            chain[i] = (ops[i], operand);
            value = (int)ops[i].Apply(value, operand);
        }
        return true;
    }
}
