namespace Ponder.Tasks.Arith;

/// <summary>An arithmetic operation of the <c>arith</c> task. Division is left out: exact division would need operands
/// chosen backwards from the result, and multiplication already supplies the hard steps.</summary>
public enum ArithOp
{
    /// <summary>Addition, written <c>+</c>.</summary>
    Add,
    /// <summary>Subtraction, written <c>-</c>.</summary>
    Subtract,
    /// <summary>Multiplication, written <c>*</c>.</summary>
    Multiply,
}

/// <summary>Symbols and evaluation of <see cref="ArithOp"/>.</summary>
public static class ArithOpExtensions
{
    /// <summary>The character that writes <paramref name="op"/>: <c>+</c>, <c>-</c> or <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="op"/> is not a defined value.</exception>
    public static char Symbol(this ArithOp op) => op switch
    {
        ArithOp.Add => '+',
        ArithOp.Subtract => '-',
        ArithOp.Multiply => '*',
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown operation"),
    };

    /// <summary>The operation written by <paramref name="symbol"/>, or null when it writes none.</summary>
    public static ArithOp? FromSymbol(char symbol) => symbol switch
    {
        '+' => ArithOp.Add,
        '-' => ArithOp.Subtract,
        '*' => ArithOp.Multiply,
        _ => null,
    };

    /// <summary><paramref name="left"/> <paramref name="op"/> <paramref name="right"/>, computed in 64 bits so that any two
    /// written operands (at most 9 digits each) cannot overflow.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="op"/> is not a defined value.</exception>
    public static long Apply(this ArithOp op, long left, long right) => op switch
    {
        ArithOp.Add => left + right,
        ArithOp.Subtract => left - right,
        ArithOp.Multiply => left * right,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown operation"),
    };
}
