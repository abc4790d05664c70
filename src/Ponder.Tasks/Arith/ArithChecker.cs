namespace Ponder.Tasks.Arith;

/// <summary>What is wrong with a solution line. See <see cref="ArithChecker"/> for the exact rules.</summary>
public enum ArithErrorKind
{
    /// <summary>The right operation on the right operands, computed wrong (<c>17*4=67</c>).</summary>
    ArithmeticSlip,
    /// <summary>A left operand that is not the previous result, a right operand that is not the expression's next one, or
    /// the wrong operator — and not explained as a skipped step.</summary>
    WrongOperand,
    /// <summary>The line leaves out the step due: it applies a later step's operation and operand, or its (correct)
    /// arithmetic jumps to a later step's result, or it is the answer line and steps are still missing.</summary>
    SkippedStep,
    /// <summary>The line is neither a step line nor an answer line as the format writes them (including an answer line
    /// whose number is unreadable).</summary>
    Malformed,
    /// <summary>The answer line, after all steps, states a number other than the last step's result.</summary>
    WrongAnswer,
    /// <summary>A step line where the answer line is due: all steps were written and the solution carries on.</summary>
    ExtraStep,
}

/// <summary>The verdict on one complete line of a solution.</summary>
/// <param name="Index">0-based line number within the solution (the prompt is not counted).</param>
/// <param name="Text">The line without its newline.</param>
/// <param name="Error">What is wrong with this line judged against the line before it, or null when it is a right
/// continuation of it.</param>
/// <param name="PrefixCorrect">Whether the solution up to and including this line is free of errors: the label a process
/// reward model learns for this step.</param>
public sealed record ArithLineVerdict(int Index, string Text, ArithErrorKind? Error, bool PrefixCorrect);

/// <summary>The result of <see cref="ArithChecker.Check"/>.</summary>
/// <param name="Lines">A verdict per complete line, up to and including the answer line; lines after the answer line and
/// an unterminated last line are not judged.</param>
/// <param name="Complete">Whether the solution has an answer line (a complete line starting with <c>A:</c>).</param>
/// <param name="FinalAnswer">The number on the answer line, or null when there is none or it is unreadable; equals
/// <see cref="ArithTask.ExtractAnswer"/>.</param>
/// <param name="AnswerCorrect">Whether <paramref name="FinalAnswer"/> is the problem's answer, however it was reached (the
/// outcome label).</param>
public sealed record ArithCheckResult(IReadOnlyList<ArithLineVerdict> Lines, bool Complete, int? FinalAnswer, bool AnswerCorrect)
{
    /// <summary>Index of the first wrong line, or null when every judged line is right.</summary>
    public int? FirstErrorIndex => Lines.FirstOrDefault(l => l.Error is not null)?.Index;

    /// <summary>The judged lines as a step scorer's steps: each with its newline, so that they concatenate to the solution
    /// up to and including its answer line (a model that reads the text, like a confidence scorer, must see it as it was
    /// written).</summary>
    public IReadOnlyList<string> Steps => Lines.Select(l => l.Text + "\n").ToArray();

    /// <summary>Kind of the first wrong line, or null when every judged line is right.</summary>
    public ArithErrorKind? FirstErrorKind => Lines.FirstOrDefault(l => l.Error is not null)?.Error;

    /// <summary>Whether the solution is complete and every line is right (the process label). Implies
    /// <see cref="AnswerCorrect"/>.</summary>
    public bool IsCorrect => Complete && FirstErrorIndex is null;
}

/// <summary>
/// Checks <c>arith</c> solutions line by line, exactly.
/// </summary>
/// <remarks>
/// <para>The solution is the text after <see cref="ArithTask.Prompt"/> (or after a revision prompt's <c>R:</c> line). It is
/// split at newlines; only complete (newline-terminated) lines are judged, so a partial solution can be checked while it
/// is generated. Judging stops at the first line that starts with <c>A:</c> (the answer line ends a solution). A missing
/// answer line is not a line error, because a prefix cannot be told from a truncated solution: it shows as
/// <see cref="ArithCheckResult.Complete"/> false, and <see cref="ArithCheckResult.IsCorrect"/> requires it.</para>
/// <para>Each line is judged against the one before it, so an error is counted where it is made, not again on every line
/// that correctly builds on it. The <em>carried value</em> is the result written on the previous step line; before the
/// first line it is the first operand, and after a malformed line it is the canonical result of the step that line stood
/// for. Line <c>i</c> of an <c>n</c>-step problem, with canonical step <c>i</c> = (op<sub>i</sub>, b<sub>i</sub>,
/// c<sub>i</sub>), is judged by the first rule that applies:</para>
/// <list type="number">
/// <item>A line starting with <c>A:</c> whose number is unreadable: <see cref="ArithErrorKind.Malformed"/>. Otherwise,
/// when <c>i &lt; n</c>: <see cref="ArithErrorKind.SkippedStep"/>; when <c>i ≥ n</c>: right if its number is the carried
/// value, else <see cref="ArithErrorKind.WrongAnswer"/>.</item>
/// <item>A line that is not exactly <c>{x}{op}{y}={z}</c> (numbers as the format writes them):
/// <see cref="ArithErrorKind.Malformed"/>.</item>
/// <item>A step line when <c>i ≥ n</c>: <see cref="ArithErrorKind.ExtraStep"/>.</item>
/// <item>x is the carried value, op = op<sub>i</sub> and y = b<sub>i</sub>: right if z = x op y, else
/// <see cref="ArithErrorKind.ArithmeticSlip"/>.</item>
/// <item>(op, y) ≠ (op<sub>i</sub>, b<sub>i</sub>) but equals (op<sub>j</sub>, b<sub>j</sub>) for a later step j, or
/// z = x op y and z = c<sub>j</sub> for a later step j: <see cref="ArithErrorKind.SkippedStep"/> (this covers steps done
/// out of order and steps merged into one).</item>
/// <item>Otherwise: <see cref="ArithErrorKind.WrongOperand"/>.</item>
/// </list>
/// <para>The parentheses fix one canonical order, so a line that reaches a right value another way — commuted operands
/// (<c>4*17=68</c>) or a reordered chain — is judged by these rules (here: a wrong operand), not accepted.</para>
/// <para>Thread-safe: a pure function.</para>
/// </remarks>
public static class ArithChecker
{
    /// <summary>Judges <paramref name="solutionText"/> as a solution of <paramref name="problem"/>; see the class remarks.</summary>
    public static ArithCheckResult Check(ArithProblem problem, string solutionText)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solutionText);
        var steps = problem.Steps;
        var verdicts = new List<ArithLineVerdict>();
        long carried = steps[0].Left;
        bool prefixCorrect = true;
        bool complete = false;
        int? finalAnswer = null;

        foreach (string line in ArithTask.CompleteLines(solutionText))
        {
            int index = verdicts.Count;
            ArithErrorKind? error;
            if (line.StartsWith(ArithTask.AnswerMarker, StringComparison.Ordinal))
            {
                complete = true;
                if (ArithText.TryParseNumber(line.AsSpan(ArithTask.AnswerMarker.Length), out int answer))
                {
                    finalAnswer = answer;
                    error = index < steps.Count ? ArithErrorKind.SkippedStep : answer == carried ? null : ArithErrorKind.WrongAnswer;
                }
                else
                {
                    error = ArithErrorKind.Malformed;
                }
            }
            else if (TryParseStep(line, out int x, out ArithOp op, out int y, out int z))
            {
                error = index < steps.Count ? JudgeStep(steps, index, carried, x, op, y, z) : ArithErrorKind.ExtraStep;
                carried = z;
            }
            else
            {
                error = ArithErrorKind.Malformed;
                if (index < steps.Count) carried = steps[index].Result;
            }

            prefixCorrect &= error is null;
            verdicts.Add(new ArithLineVerdict(index, line, error, prefixCorrect));
            if (complete) break;
        }
        return new ArithCheckResult(verdicts, complete, finalAnswer, finalAnswer == problem.Answer);
    }

    private static ArithErrorKind? JudgeStep(IReadOnlyList<ArithStep> steps, int i, long carried, int x, ArithOp op, int y, int z)
    {
        var due = steps[i];
        bool dueOperation = op == due.Op && y == due.Right;
        if (dueOperation && x == carried) return op.Apply(x, y) == z ? null : ArithErrorKind.ArithmeticSlip;

        bool arithmeticRight = op.Apply(x, y) == z;
        for (int j = i + 1; j < steps.Count; j++)
        {
            if (!dueOperation && op == steps[j].Op && y == steps[j].Right) return ArithErrorKind.SkippedStep;
            if (arithmeticRight && z == steps[j].Result) return ArithErrorKind.SkippedStep;
        }
        return ArithErrorKind.WrongOperand;
    }

    /// <summary>Reads <c>{x}{op}{y}={z}</c> and nothing else.</summary>
    private static bool TryParseStep(string line, out int x, out ArithOp op, out int y, out int z)
    {
        ReadOnlySpan<char> rest = line;
        op = default;
        y = z = 0;
        if (!ArithText.TryReadNumber(ref rest, out x) || rest.IsEmpty || ArithOpExtensions.FromSymbol(rest[0]) is not { } parsedOp)
            return false;
        op = parsedOp;
        rest = rest[1..];
        if (!ArithText.TryReadNumber(ref rest, out y) || rest.IsEmpty || rest[0] != '=') return false;
        rest = rest[1..];
        return ArithText.TryParseNumber(rest, out z);
    }
}
