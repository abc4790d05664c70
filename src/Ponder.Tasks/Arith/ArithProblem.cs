using System.Text;

namespace Ponder.Tasks.Arith;

/// <summary>
/// A problem of the <c>arith</c> task: a left-nested chain of operations whose parentheses fix the order, such as
/// <c>((17*4)+39)-8</c>. Step <c>i</c> applies the <c>i</c>-th operator to the result of step <c>i-1</c> (the first operand
/// for step 0) and the next operand, which is always on the right.
/// </summary>
/// <remarks>
/// Only <see cref="Level"/> and <see cref="Expression"/> are independent: everything else is derived from them, so two
/// problems are equal when those two are. Instances are immutable and safe to share between threads.
/// </remarks>
public sealed record ArithProblem
{
    /// <summary>Stable identifier, <c>arith-L{level}-{16 hex digits}</c>, from a hash of the level and the expression
    /// that does not change between runs or machines.</summary>
    public string Id => _id ??= $"arith-L{Level}-{StableHash.Of($"{Level}:{Expression}"):x16}";

    // Computed on first use: most generated training problems never need a name.
    private string? _id;

    /// <summary>Difficulty level (1 = easiest); see <see cref="ArithDifficulty"/>.</summary>
    public int Level { get; }

    /// <summary>The expression, e.g. <c>((17*4)+39)-8</c>: decimal operands without sign or leading zeros, no spaces.</summary>
    public string Expression { get; }

    /// <summary>The value of the expression: the result of the last step.</summary>
    public int Answer { get; }

    /// <summary>The canonical steps, in the order the parentheses fix.</summary>
    public IReadOnlyList<ArithStep> Steps { get; }

    private ArithProblem(int level, string expression, IReadOnlyList<ArithStep> steps)
    {
        Level = level;
        Expression = expression;
        Steps = steps;
        Answer = steps[^1].Result;
    }

    /// <summary>Builds the problem that starts at <paramref name="first"/> and applies <paramref name="chain"/> in order.</summary>
    /// <exception cref="ArgumentException">The chain is empty, or an operand or intermediate result is negative or above
    /// 999,999,999 (the most digits a solution line may write).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is below 1.</exception>
    public static ArithProblem Create(int level, int first, IReadOnlyList<(ArithOp Op, int Operand)> chain)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0) throw new ArgumentException("a problem needs at least one operation", nameof(chain));
        RequireWritable(first, "the first operand");

        var steps = new ArithStep[chain.Count];
        var expression = new StringBuilder();
        expression.Append('(', chain.Count - 1).Append(first);
        int value = first;
        for (int i = 0; i < chain.Count; i++)
        {
            var (op, operand) = chain[i];
            RequireWritable(operand, $"operand {i + 1}");
            long result = op.Apply(value, operand);
            RequireWritable(result, $"the result of step {i + 1} ({value}{op.Symbol()}{operand})");
            steps[i] = new ArithStep(value, op, operand, (int)result);
            value = (int)result;
            if (i > 0) expression.Append(')');
            expression.Append(op.Symbol()).Append(operand);
        }
        return new ArithProblem(level, expression.ToString(), steps);
    }

    /// <summary>Reads an expression in the form this task writes, e.g. <c>((17*4)+39)-8</c> or <c>17*4</c>.</summary>
    /// <exception cref="FormatException">The text is not a left-nested chain of at least one operation, written exactly as
    /// <see cref="Expression"/> documents.</exception>
    /// <exception cref="ArgumentException">An intermediate result is negative or too large (see <see cref="Create"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is below 1.</exception>
    public static ArithProblem Parse(string expression, int level)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ReadOnlySpan<char> rest = expression;
        int opens = 0;
        while (opens < rest.Length && rest[opens] == '(') opens++;
        rest = rest[opens..];
        if (!ArithText.TryReadNumber(ref rest, out int first)) throw BadExpression(expression, "expected the first operand");

        var chain = new List<(ArithOp, int)>();
        for (int i = 0; i <= opens; i++)
        {
            if (rest.IsEmpty || ArithOpExtensions.FromSymbol(rest[0]) is not { } op) throw BadExpression(expression, "expected an operator");
            rest = rest[1..];
            if (!ArithText.TryReadNumber(ref rest, out int operand)) throw BadExpression(expression, "expected an operand");
            chain.Add((op, operand));
            if (i < opens)
            {
                if (rest.IsEmpty || rest[0] != ')') throw BadExpression(expression, "expected ')'");
                rest = rest[1..];
            }
        }
        if (!rest.IsEmpty) throw BadExpression(expression, "unexpected text after the last operand");
        return Create(level, first, chain);
    }

    /// <summary>Equal when <see cref="Level"/> and <see cref="Expression"/> are (everything else derives from them).</summary>
    public bool Equals(ArithProblem? other) =>
        other is not null && Level == other.Level && string.Equals(Expression, other.Expression, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Level, StringComparer.Ordinal.GetHashCode(Expression));

    /// <summary>E.g. <c>arith-L3-… ((17*4)+39)-8 = 99</c>.</summary>
    public override string ToString() => $"{Id} {Expression} = {Answer}";

    private static void RequireWritable(long value, string what)
    {
        if (value is < 0 or > ArithText.MaxNumber)
            throw new ArgumentException($"{what} is {value}; the task writes only whole numbers in [0, {ArithText.MaxNumber}]");
    }

    private static FormatException BadExpression(string expression, string problem) =>
        new($"'{expression}' is not an arith expression: {problem} (expected a form like ((17*4)+39)-8)");
}
