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
    /// <see cref="ArithLevelProfile.MulShare"/>, else + or - evenly), then the operands, uniformly from the profile's ranges
    /// narrowed to keep each result in [1, <see cref="ArithLevelProfile.ResultMax"/>]. When a step has no such operand, the
    /// operands are drawn again for the same operations, so the operations keep exactly their intended distribution.
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

        var chain = new (ArithOp Op, int Operand)[ops.Length];
        for (int draw = 0; draw < MaxOperandDraws; draw++)
        {
            int first = rng.NextInt(2, profile.FirstMax);
            if (TryDrawOperands(profile, ops, first, chain, rng)) return ArithProblem.Create(profile.Level, first, chain);
        }
        throw new InvalidOperationException(
            $"level {profile.Level}: no operands keep the operations {string.Concat(ops.Select(o => o.Symbol()))} in range after {MaxOperandDraws} draws; widen FirstMax or ResultMax");
    }

    private static bool TryDrawOperands(ArithLevelProfile profile, ArithOp[] ops, int first, (ArithOp, int)[] chain, SplitMix64 rng)
    {
        int value = first;
        for (int i = 0; i < ops.Length; i++)
        {
            // The largest operand keeping the result in [1, ResultMax]; the smallest is 1 for ± and 2 for *.
            var (min, max) = ops[i] switch
            {
                ArithOp.Add => (1, Math.Min(profile.AddSubMax, profile.ResultMax - value)),
                ArithOp.Subtract => (1, Math.Min(profile.AddSubMax, value - 1)),
                _ => (2, Math.Min(profile.MulMax, profile.ResultMax / value)),
            };
            if (max < min) return false;
            int operand = rng.NextInt(min, max);
            chain[i] = (ops[i], operand);
            value = (int)ops[i].Apply(value, operand);
        }
        return true;
    }
}
