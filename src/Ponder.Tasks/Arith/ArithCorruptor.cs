using Ponder;
using System.Text;

namespace Ponder.Tasks.Arith;

/// <summary>A solution with a deliberate error.</summary>
/// <param name="Text">The solution text (complete unless the error itself removes the answer line's marker).</param>
/// <param name="Kind">The kind of its first error, as <see cref="ArithChecker"/> reports it.</param>
/// <param name="LineIndex">The index of its first wrong line, as <see cref="ArithChecker"/> reports it.</param>
public sealed record ArithCorruptedSolution(string Text, ArithErrorKind Kind, int LineIndex);

/// <summary>
/// Makes wrong solutions that look like a small model's mistakes, for revision training data and process-reward-model
/// tests and data. Lines before the error are canonical; after a wrong value the solution goes on computing correctly
/// from it, as a model that does not notice its mistake would, and ends with an answer line for the value it reached.
/// </summary>
/// <remarks>
/// <para>The error variants, per kind, where a near miss of a number is the number off by 1, 10 or 100 or with two
/// adjacent digits swapped: <see cref="ArithErrorKind.ArithmeticSlip"/> — a near miss of the result, or (for *) the
/// result off by one multiple; <see cref="ArithErrorKind.WrongOperand"/> — a near miss or a stale earlier value as the left
/// operand, a right operand off by 1 or taken from elsewhere in the expression, or another operator;
/// <see cref="ArithErrorKind.SkippedStep"/> — a step left out, or the answer line written early (with the value reached,
/// or with the right answer as if guessed); <see cref="ArithErrorKind.Malformed"/> — a line with a character dropped,
/// doubled or followed by a space, a leading zero, its last number missing, or an empty line, after which the solution
/// goes on canonically; <see cref="ArithErrorKind.WrongAnswer"/> — right steps, then a near miss of the answer or an
/// operand of the last step; <see cref="ArithErrorKind.ExtraStep"/> — right steps, then the last or first operation once
/// more, or the last operand added.</para>
/// <para>Every candidate is checked with <see cref="ArithChecker"/> and kept only when the checker reports exactly the
/// intended kind at the intended line, so labels derived from these solutions agree with the checker by construction.
/// The line is drawn uniformly among the lines that admit the kind, then a variant uniformly among those that pass.</para>
/// <para>Deterministic for a given generator state; thread-safe as long as each thread uses its own generator.</para>
/// </remarks>
public static class ArithCorruptor
{
    /// <summary>A solution of <paramref name="problem"/> whose first error is of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public static ArithCorruptedSolution Corrupt(ArithProblem problem, ArithErrorKind kind, SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(rng);
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown error kind");

        // Lines in random order; the first with a variant that passes is then uniform among the lines that admit one, and
        // only its variants are built and checked.
        int n = problem.Steps.Count;
        var lines = kind switch
        {
            ArithErrorKind.WrongAnswer or ArithErrorKind.ExtraStep => [n],
            ArithErrorKind.Malformed => Enumerable.Range(0, n + 1).ToList(),
            _ => Enumerable.Range(0, n).ToList(),
        };
        for (int remaining = lines.Count; remaining > 0; remaining--)
        {
            int pick = rng.NextInt(0, remaining - 1);
            int line = lines[pick];
            lines[pick] = lines[remaining - 1];
            var texts = Candidates(problem, kind, line)
                .Where(text => text is not null && Confirms(problem, text, kind, line))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (texts.Count > 0) return new ArithCorruptedSolution(rng.Pick(texts)!, kind, line);
        }
        // Every kind has a variant that always passes (e.g. the result plus one), so this only fails on a checker bug.
        throw new InvalidOperationException($"no {kind} corruption of {problem} passes the checker");
    }

    /// <summary>
    /// The canonical solution cut off before its answer line is complete: somewhere from after the first character up to
    /// the start of the answer line, possibly mid-line — a solution that ran out of tokens.
    /// </summary>
    public static string Truncate(ArithProblem problem, SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(rng);
        string solution = ArithTask.Solution(problem);
        // Cutting inside "A:99\n" could leave "A:99", which a revision prompt would complete into a right answer line.
        int answerStart = solution.LastIndexOf(ArithTask.AnswerMarker, StringComparison.Ordinal);
        return solution[..rng.NextInt(1, answerStart)];
    }

    private static bool Confirms(ArithProblem problem, string text, ArithErrorKind kind, int line)
    {
        var result = ArithChecker.Check(problem, text);
        return result.FirstErrorKind == kind && result.FirstErrorIndex == line;
    }

    /// <summary>Candidate texts with the error meant to be on line <paramref name="i"/>; null for a variant that cannot be
    /// written.</summary>
    private static IEnumerable<string?> Candidates(ArithProblem problem, ArithErrorKind kind, int i)
    {
        var steps = problem.Steps;
        int n = steps.Count;
        switch (kind)
        {
            case ArithErrorKind.ArithmeticSlip:
            {
                var s = steps[i];
                var wrong = NearMisses(s.Result).ToList();
                if (s.Op == ArithOp.Multiply) wrong.AddRange([s.Result + s.Left, s.Result - s.Left]);
                foreach (long z in wrong) yield return Solution(steps, i, [Line(s.Left, s.Op, s.Right, z)], z, i + 1);
                break;
            }

            case ArithErrorKind.WrongOperand:
            {
                var s = steps[i];
                var lefts = NearMisses(s.Left).ToList();
                if (i >= 1) lefts.Add(steps[i - 1].Left);
                foreach (long x in lefts) yield return Continued(steps, i, x, s.Op, s.Right);
                var rights = new List<long> { s.Right + 1, s.Right - 1, steps[0].Left };
                rights.AddRange(steps.Where((_, k) => k != i).Select(other => (long)other.Right));
                foreach (long y in rights) yield return Continued(steps, i, s.Left, s.Op, y);
                foreach (var op in Enum.GetValues<ArithOp>().Where(op => op != s.Op)) yield return Continued(steps, i, s.Left, op, s.Right);
                break;
            }

            case ArithErrorKind.SkippedStep:
                if (i + 1 < n) yield return Continued(steps, i, steps[i].Left, steps[i + 1].Op, steps[i + 1].Right, resumeAt: i + 2);
                yield return Solution(steps, i, [], steps[i].Left, n);
                yield return Solution(steps, i, [], problem.Answer, n);
                break;

            case ArithErrorKind.Malformed:
            {
                var canonical = ArithTask.Solution(problem).Split('\n')[..^1];
                foreach (string garbled in Garbled(canonical[i]))
                {
                    var lines = (string[])canonical.Clone();
                    lines[i] = garbled;
                    yield return string.Concat(lines.Select(l => l + "\n"));
                }
                break;
            }

            case ArithErrorKind.WrongAnswer:
                foreach (long answer in NearMisses(problem.Answer).Append(steps[^1].Left).Append(steps[^1].Right))
                    yield return Solution(steps, n, [], answer, n);
                break;

            case ArithErrorKind.ExtraStep:
                // Adding the last operand once more always stays writable, unlike repeating a subtraction.
                foreach (var (op, y) in new[] { (steps[^1].Op, steps[^1].Right), (steps[0].Op, steps[0].Right), (ArithOp.Add, steps[^1].Right) })
                {
                    long z = op.Apply(problem.Answer, y);
                    yield return Solution(steps, n, [Line(problem.Answer, op, y, z)], z, n);
                }
                break;
        }
    }

    /// <summary>The typical misses of a written number: off by 1, 10 or 100, and each pair of adjacent digits swapped.</summary>
    private static IEnumerable<long> NearMisses(long value)
    {
        foreach (long delta in new long[] { 1, -1, 10, -10, 100, -100 }) yield return value + delta;
        string digits = value.ToString();
        for (int k = 0; k + 1 < digits.Length; k++)
        {
            var swapped = digits.ToCharArray();
            (swapped[k], swapped[k + 1]) = (swapped[k + 1], swapped[k]);
            yield return long.Parse(swapped);
        }
    }

    /// <summary>Ways a model garbles a line: a character dropped, doubled or followed by a space, a leading zero on the
    /// last number, or nothing at all.</summary>
    private static IEnumerable<string> Garbled(string line)
    {
        for (int k = 0; k < line.Length; k++)
        {
            if (char.IsAsciiDigit(line[k])) continue;
            yield return line.Remove(k, 1);
            yield return line.Insert(k, line[k].ToString());
            yield return line.Insert(k + 1, " ");
        }
        int lastNumber = line.LastIndexOfAny(['=', ':']) + 1;
        yield return line.Insert(lastNumber, "0");
        yield return line[..lastNumber];
        yield return "";
    }

    /// <summary>The solution with line <paramref name="at"/> computed correctly as <c>x op y</c> and then continued.</summary>
    private static string? Continued(IReadOnlyList<ArithStep> steps, int at, long x, ArithOp op, long y, int? resumeAt = null)
    {
        if (x < 0 || y < 0) return null;
        long z = op.Apply(x, y);
        return Solution(steps, at, [Line(x, op, y, z)], z, resumeAt ?? at + 1);
    }

    /// <summary>
    /// Canonical lines before <paramref name="at"/>, then <paramref name="inserted"/>, then the steps from
    /// <paramref name="resumeAt"/> recomputed from <paramref name="value"/>, then the answer line; null when a value leaves
    /// the numbers the format can write (negative or over nine digits).
    /// </summary>
    private static string? Solution(IReadOnlyList<ArithStep> steps, int at, IReadOnlyList<string?> inserted, long value, int resumeAt)
    {
        if (inserted.Any(l => l is null) || !Writable(value)) return null;
        var text = new StringBuilder();
        for (int i = 0; i < at; i++) text.Append(steps[i]).Append('\n');
        foreach (var line in inserted) text.Append(line).Append('\n');
        for (int i = resumeAt; i < steps.Count; i++)
        {
            long next = steps[i].Op.Apply(value, steps[i].Right);
            if (!Writable(next)) return null;
            text.Append(Line(value, steps[i].Op, steps[i].Right, next)).Append('\n');
            value = next;
        }
        return text.Append(ArithTask.AnswerMarker).Append(value).Append('\n').ToString();
    }

    /// <summary>A step line, or null when a number cannot be written.</summary>
    private static string? Line(long x, ArithOp op, long y, long z) =>
        Writable(x) && Writable(y) && Writable(z) ? $"{x}{op.Symbol()}{y}={z}" : null;

    private static bool Writable(long value) => value is >= 0 and <= ArithText.MaxNumber;
}
