namespace Ponder.Tasks.Arith;

/// <summary>One step of a canonical solution: the previous result (or the first operand) combined with the next operand.</summary>
/// <param name="Left">The previous result; for the first step, the expression's first operand.</param>
/// <param name="Op">The operation.</param>
/// <param name="Right">The new operand, taken from the expression.</param>
/// <param name="Result"><paramref name="Left"/> <paramref name="Op"/> <paramref name="Right"/>.</param>
public readonly record struct ArithStep(int Left, ArithOp Op, int Right, int Result)
{
    /// <summary>The step as a solution line without its newline, e.g. <c>17*4=68</c>.</summary>
    public override string ToString() => $"{Left}{Op.Symbol()}{Right}={Result}";
}
