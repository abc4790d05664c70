using Ponder;
using System.Text;

namespace Ponder.Tasks.Arith;

/// <summary>
/// The text formats of the <c>arith</c> task, compact for a character-level model. Every line ends with <c>\n</c>.
/// </summary>
/// <remarks>
/// <para><b>Prompt</b>: <c>Q:</c>, the expression, newline — <c>"Q:((17*4)+39)-8\n"</c>.</para>
/// <para><b>Solution</b>: one line per step, <c>{left}{op}{right}={result}</c>, where left is the previous step's result
/// (the first operand for the first step) and right is the next operand of the expression; then the answer line
/// <c>A:{answer}</c>. The answer line ends the solution; a model then emits its end-of-sequence token —
/// <c>"17*4=68\n68+39=107\n107-8=99\nA:99\n"</c>. Numbers are decimal, unsigned, without leading zeros or spaces.</para>
/// <para><b>Revision prompt</b> (sequential revision, Snell et al. 2024): the prompt, then each previous wrong attempt as
/// a line <c>W:</c> followed by the attempt's lines, oldest first, then a line <c>R:</c> after which the corrected solution
/// is written in the solution format:
/// <c>"Q:(7+5)-3\nW:\n7+5=12\n12-3=8\nA:8\nR:\n"</c> is continued by <c>"7+5=12\n12-3=9\nA:9\n"</c>. With no previous
/// attempts the revision prompt is the plain prompt, so a plain solution is a revision with zero attempts.</para>
/// <para>Lengths: a level-5 prompt takes at most about 66 characters and its solution at most about 133 (nine lines of up to
/// four-digit numbers and the answer line); a revision prompt with one or two level-5 attempts fits a context of 512, one
/// with four does not, and the policies' training truncates such documents at the row length.</para>
/// <para>All members are pure functions and thread-safe.</para>
/// </remarks>
public static class ArithTask
{
    /// <summary>The task's name.</summary>
    public const string Name = "arith";

    /// <summary>Starts the prompt line.</summary>
    public const string QuestionMarker = "Q:";

    /// <summary>Starts the answer line, which ends a solution.</summary>
    public const string AnswerMarker = "A:";

    /// <summary>The line that introduces a previous wrong attempt in a revision prompt.</summary>
    public const string AttemptMarker = "W:";

    /// <summary>The line after which a revision prompt's corrected solution is written.</summary>
    public const string RevisionMarker = "R:";

    /// <summary>Most previous attempts a revision prompt shows (the most recent ones), as in Snell et al.</summary>
    public const int MaxRevisionAttempts = 4;

    /// <summary>The prompt, e.g. <c>"Q:((17*4)+39)-8\n"</c>.</summary>
    public static string Prompt(ArithProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return $"{QuestionMarker}{problem.Expression}\n";
    }

    /// <summary>The canonical solution, e.g. <c>"17*4=68\n68+39=107\n107-8=99\nA:99\n"</c>.</summary>
    public static string Solution(ArithProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var text = new StringBuilder();
        foreach (var step in problem.Steps) text.Append(step).Append('\n');
        return text.Append(AnswerMarker).Append(problem.Answer).Append('\n').ToString();
    }

    /// <summary>The prompt followed by the canonical solution: one training document (before the end-of-sequence token).</summary>
    public static string Format(ArithProblem problem) => Prompt(problem) + Solution(problem);

    /// <summary>
    /// The answer of a solution: the number on its first line that starts with <c>A:</c>, or null when there is no such
    /// complete (newline-terminated) line or its number is not written in the task's format.
    /// </summary>
    /// <remarks>
    /// An unterminated last line is ignored because it may still be growing (<c>"A:9"</c> may become <c>"A:99"</c>).
    /// Pass only the generated solution, not the prompt before it: a revision prompt holds earlier answers.
    /// Agrees with <see cref="ArithCheckResult.FinalAnswer"/>.
    /// </remarks>
    public static int? ExtractAnswer(string solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        foreach (var line in CompleteLines(solution))
        {
            if (line.StartsWith(AnswerMarker, StringComparison.Ordinal))
                return ArithText.TryParseNumber(line.AsSpan(AnswerMarker.Length), out int answer) ? answer : null;
        }
        return null;
    }

    /// <summary>
    /// The revision prompt for <paramref name="problem"/> after <paramref name="previousWrongAttempts"/> (oldest first; only
    /// the last <see cref="MaxRevisionAttempts"/> are shown). See the class remarks for the format.
    /// </summary>
    /// <remarks>
    /// Attempts are model output and may be anything, so each is first cut to a well-delimited block: it ends after its
    /// first answer line (as a solution does) or before its first line that starts with a marker (<c>Q:</c>, <c>W:</c>,
    /// <c>R:</c>), which would otherwise make the prompt ambiguous; a missing final newline is added.
    /// </remarks>
    public static string RevisionPrompt(ArithProblem problem, IReadOnlyList<string> previousWrongAttempts)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return RevisionPrompt(Prompt(problem), previousWrongAttempts);
    }

    /// <summary>
    /// The revision prompt after the question prompt <paramref name="prompt"/> (e.g. <c>"Q:(7+5)-3\n"</c>) and
    /// <paramref name="previousWrongAttempts"/>, as <see cref="RevisionPrompt(ArithProblem, IReadOnlyList{string})"/> writes it,
    /// for a problem known only by its prompt (a request to <c>ponder serve</c>).
    /// </summary>
    public static string RevisionPrompt(string prompt, IReadOnlyList<string> previousWrongAttempts)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(previousWrongAttempts);
        var text = new StringBuilder(prompt);
        if (previousWrongAttempts.Count == 0) return text.ToString();
        foreach (var attempt in previousWrongAttempts.Skip(Math.Max(0, previousWrongAttempts.Count - MaxRevisionAttempts)))
        {
            ArgumentNullException.ThrowIfNull(attempt, nameof(previousWrongAttempts));
            text.Append(AttemptMarker).Append('\n');
            AppendAttempt(text, attempt);
        }
        return text.Append(RevisionMarker).Append('\n').ToString();
    }

    /// <summary>
    /// A synthetic revision training example: 0–<see cref="MaxRevisionAttempts"/> (uniformly) distinct wrong attempts made
    /// by <see cref="ArithCorruptor"/> — arithmetic slips and wrong operands most often, also skipped steps, malformed lines,
    /// wrong answers, extra steps and truncated solutions — ordered so that the attempt nearest the correct solution by edit
    /// distance comes last (as Snell et al. order them), then the canonical solution as the completion.
    /// </summary>
    /// <remarks>The same problem and generator state give the same example. Rarely an example holds fewer attempts than
    /// drawn, when redraws keep repeating an attempt already chosen.</remarks>
    public static ArithRevisionExample RevisionExample(ArithProblem problem, SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(rng);
        string solution = Solution(problem);
        int count = rng.NextInt(0, MaxRevisionAttempts);
        var attempts = new List<string>(count);
        // Short problems have few distinct corruptions; a bounded number of redraws keeps this from spinning.
        for (int draw = 0; attempts.Count < count && draw < 8 * MaxRevisionAttempts; draw++)
        {
            string attempt = WrongAttempt(problem, rng);
            if (!attempts.Contains(attempt, StringComparer.Ordinal)) attempts.Add(attempt);
        }
        var ordered = attempts
            .Select((attempt, index) => (attempt, index, distance: EditDistance.Levenshtein(attempt, solution)))
            .OrderByDescending(a => a.distance).ThenBy(a => a.index)
            .Select(a => a.attempt)
            .ToList();
        return new ArithRevisionExample(problem, ordered, RevisionPrompt(problem, ordered), solution);
    }

    // Relative frequencies of the wrong attempts in revision examples; null stands for a truncated solution. Slips and
    // wrong operands dominate because they are the mistakes expected of a small policy; reweight once real samples of
    // the trained policy show its actual error mix.
    private static readonly (ArithErrorKind? Kind, int Weight)[] AttemptMix =
    [
        (ArithErrorKind.ArithmeticSlip, 4),
        (ArithErrorKind.WrongOperand, 3),
        (ArithErrorKind.SkippedStep, 1),
        (ArithErrorKind.Malformed, 1),
        (ArithErrorKind.WrongAnswer, 1),
        (ArithErrorKind.ExtraStep, 1),
        (null, 1),
    ];

    private static string WrongAttempt(ArithProblem problem, SplitMix64 rng)
    {
        int pick = rng.NextInt(0, AttemptMix.Sum(m => m.Weight) - 1);
        foreach (var (kind, weight) in AttemptMix)
        {
            if (pick < weight)
                return kind is { } k ? ArithCorruptor.Corrupt(problem, k, rng).Text : ArithCorruptor.Truncate(problem, rng);
            pick -= weight;
        }
        throw new InvalidOperationException("unreachable: the pick is below the total weight");
    }

    private static void AppendAttempt(StringBuilder text, string attempt)
    {
        foreach (var line in Lines(attempt))
        {
            if (line.StartsWith(QuestionMarker, StringComparison.Ordinal) || line.StartsWith(AttemptMarker, StringComparison.Ordinal)
                || line.StartsWith(RevisionMarker, StringComparison.Ordinal))
                return;
            text.Append(line).Append('\n');
            if (line.StartsWith(AnswerMarker, StringComparison.Ordinal)) return;
        }
    }

    /// <summary>The newline-terminated lines of <paramref name="text"/>, without their newlines; an unterminated tail is left out.</summary>
    internal static IEnumerable<string> CompleteLines(string text)
    {
        int start = 0;
        for (int end = text.IndexOf('\n'); end >= 0; start = end + 1, end = text.IndexOf('\n', start))
            yield return text[start..end];
    }

    /// <summary>All lines of <paramref name="text"/>, an unterminated non-empty tail included.</summary>
    private static IEnumerable<string> Lines(string text)
    {
        int start = 0;
        foreach (var line in CompleteLines(text))
        {
            start += line.Length + 1;
            yield return line;
        }
        if (start < text.Length) yield return text[start..];
    }
}

/// <summary>A revision training example: <see cref="Prompt"/> is continued by <see cref="Completion"/>.</summary>
/// <param name="Problem">The problem.</param>
/// <param name="WrongAttempts">The wrong attempts shown, in prompt order (nearest the correct solution last).</param>
/// <param name="Prompt"><see cref="ArithTask.RevisionPrompt(ArithProblem, IReadOnlyList{string})"/> of the problem and the attempts.</param>
/// <param name="Completion">The canonical solution.</param>
public sealed record ArithRevisionExample(ArithProblem Problem, IReadOnlyList<string> WrongAttempts, string Prompt, string Completion);
