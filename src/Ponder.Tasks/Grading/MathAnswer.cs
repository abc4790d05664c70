using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Ponder.Tasks.Grading;

/// <summary>
/// The answer key for math benchmarks (GSM8K, MATH, AIME): extracts the final answer from a written solution and decides
/// whether two answers are the same, the way the graders of the MATH and GSM8K papers do, without a computer-algebra system.
/// </summary>
/// <remarks>
/// <para><b>Extraction</b> (<see cref="Extract"/>), first rule that applies: the last <c>\boxed{…}</c> or <c>\fbox{…}</c>
/// (nested braces allowed); else the text after the last "the answer is" / "the final answer is" up to the end of its
/// sentence or line; else the text after the last <c>####</c> up to the end of its line; else the last number in the text
/// (<c>1,234</c>, <c>-2.5</c>, <c>−2.5</c>, <c>.5</c>, <c>1.5e-3</c> and <c>3/4</c> are single numbers).</para>
/// <para><b>Normalisation</b> (<see cref="Normalize"/>) removes what does not change the value: <c>$</c>, <c>\(</c>
/// <c>\)</c>, <c>\left</c>, <c>\right</c>, LaTeX spacing (<c>\! \, \; \:</c>, <c>\quad</c>, <c>~</c>),
/// <c>\displaystyle</c>, degrees (<c>^\circ</c>, <c>°</c>), percent signs, <c>{,}</c>, <c>\text{…}</c> /
/// <c>\mbox{…}</c> / <c>\mathrm{…}</c> around words (a word after a value is a unit and is dropped; otherwise the
/// command is unwrapped), plain unit words after a number (<c>5 cm</c>, <c>60 km/h</c>), a variable on the left of an equation
/// (<c>x = 5</c> becomes <c>5</c>), thousands separators in a lone number (<c>1,000</c>), and all whitespace. It rewrites
/// <c>\dfrac</c> and <c>\tfrac</c> as <c>\frac</c>, <c>\frac12</c> as <c>\frac{1}{2}</c>, <c>2 1/2</c> as the mixed
/// number <c>2\frac{1}{2}</c>, and <c>\times</c>, <c>\cdot</c>, <c>\div</c>, <c>π</c>, <c>√</c>, <c>∞</c>, <c>−</c> into
/// the forms the evaluator reads.</para>
/// <para><b>Percentages</b>: the percent sign is dropped, so <c>10\%</c> equals <c>10</c> and does <i>not</i> equal
/// <c>0.1</c>. The MATH and GSM8K references write percentages as the number before the sign ("what percent…" →
/// <c>10</c>), and their graders strip <c>\%</c> the same way; accepting <c>0.1</c> too would also accept wrong answers
/// to questions that ask for a fraction. <b>Degrees</b> likewise: <c>90^\circ</c> equals <c>90</c>, never
/// <c>\frac{\pi}{2}</c>.</para>
/// <para><b>Equivalence</b> (<see cref="AreEquivalent"/>) after normalisation: equal text; a list (top-level commas),
/// <c>\{…\}</c> set, or union <c>A \cup B</c> compares as an unordered collection; a parenthesised or bracketed list
/// (tuple or interval) compares element by element in order, with the same brackets (<c>[1,2)</c> ≠ <c>[1,2]</c>);
/// <c>a \pm b</c> is the set {a+b, a−b}. Single values: plain integers compare exactly (any size), plain decimals
/// exactly as decimals, words case-insensitively, and anything else is evaluated by <see cref="MathExpression"/> and
/// compared with a relative tolerance of 1e-9 (absolute 1e-12 near zero) — enough to equate two spellings of one exact
/// value (<c>\frac{\sqrt{2}}{2}</c> and <c>\frac{1}{\sqrt{2}}</c>), never a rounded approximation (<c>0.33</c> ≠
/// <c>\frac13</c>), as in the papers' graders; two whole values below 2^48 only when they are equal (<c>2^{31}</c> ≠
/// <c>2147483647</c>). Expressions with letters are compared at three fixed assignments of the
/// variables (<c>2x+1</c> = <c>1+2x</c>). Answers made only of letters compare as words (<c>east</c> ≠ <c>eats</c>,
/// so also <c>ab</c> ≠ <c>ba</c>), and answers longer than <see cref="MaxStructuredLength"/> as text.</para>
/// <para>All members are pure functions and safe to call from any thread.</para>
/// </remarks>
public static partial class MathAnswer
{
    /// <summary>Relative tolerance for values compared numerically.</summary>
    public const double RelativeTolerance = 1e-9;

    /// <summary>Absolute tolerance for values compared numerically, for results near zero.</summary>
    public const double AbsoluteTolerance = 1e-12;

    /// <summary>Normalised answers longer than this are compared as text only: no real final answer is this long,
    /// and structure and evaluation of untrusted text must stay cheap.</summary>
    public const int MaxStructuredLength = 1000;

    /// <summary>Answers longer than this are not normalised (<see cref="Normalize"/> returns them trimmed), which keeps
    /// grading linear in the length of untrusted text.</summary>
    public const int MaxNormalizedLength = 10_000;

    private static readonly string[] BoxCommands = ["\\boxed", "\\fbox"];
    private static readonly string[] TextCommands = ["\\text", "\\textbf", "\\textit", "\\textnormal", "\\textrm", "\\mbox", "\\mathrm", "\\mathbf", "\\operatorname"];

    /// <summary>Extracts the final answer from <paramref name="solution"/> by the rules in the class remarks.</summary>
    /// <returns>The answer as written (not normalised), or null when the solution has no boxed answer, no answer phrase,
    /// no <c>####</c> line and no number.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="solution"/> is null.</exception>
    public static string? Extract(string solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        if (LastBoxedContent(solution) is { } boxed) return boxed.Trim();
        if (AnswerIsPattern().Matches(solution) is { Count: > 0 } phrases)
        {
            string stated = StripStatementEnd(phrases[^1].Groups["answer"].Value);
            if (stated.Length > 0) return stated;
        }
        int hashes = solution.LastIndexOf("####", StringComparison.Ordinal);
        if (hashes >= 0)
        {
            string rest = RestOfLine(solution, hashes + 4).Trim();
            if (rest.Length > 0) return rest;
        }
        return NumberPattern().Matches(solution) is { Count: > 0 } numbers ? numbers[^1].Value : null;
    }

    /// <summary>The canonical text of an answer by the rules in the class remarks, e.g. <c>\$1,000</c> → <c>1000</c>,
    /// <c>x = \dfrac{1}{2}</c> → <c>\frac{1}{2}</c>; answers longer than <see cref="MaxNormalizedLength"/> only
    /// trimmed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is null.</exception>
    public static string Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        string s = answer.Trim();
        if (s.Length > MaxNormalizedLength) return s;
        while (WholeBoxContent(s) is { } inner) s = inner.Trim();

        var b = new StringBuilder(s);
        b.Replace('−', '-').Replace("×", "\\times").Replace("·", "\\cdot").Replace("÷", "\\div").Replace("π", "\\pi")
         .Replace("√", "\\sqrt").Replace("∞", "\\infty").Replace("°", "")
         .Replace("\\$", "").Replace("$", "").Replace("\\(", "").Replace("\\)", "").Replace("\\[", "").Replace("\\]", "")
         .Replace("\\dfrac", "\\frac").Replace("\\tfrac", "\\frac").Replace("\\lbrace", "\\{").Replace("\\rbrace", "\\}")
         .Replace("\\displaystyle", "").Replace("\\qquad", " ").Replace("\\quad", " ").Replace('~', ' ')
         .Replace("\\%", "").Replace("%", "").Replace("{,}", "").Replace("\\degree", "");
        s = b.ToString().Trim();
        // Again now that math delimiters are gone: "$\boxed{3}$" is 3.
        while (WholeBoxContent(s) is { } inner) s = inner.Trim();
        s = LeftRightPattern().Replace(s, "");
        s = SpacingPattern().Replace(s, "");
        s = DegreePattern().Replace(s, "");
        s = UnwrapTextCommands(s);
        s = s.Replace("\\times", "*").Replace("\\cdot", "*").Replace("\\div", "/");
        s = FracShorthandPattern().Replace(s, "\\frac{$1}{$2}");
        s = SqrtShorthandPattern().Replace(s, "\\sqrt{$1}");
        s = MixedNumberPattern().Replace(s, "$1\\frac{$2}{$3}");
        s = TrailingUnitPattern().Replace(s, "$1");
        s = string.Concat(s.Where(c => !char.IsWhiteSpace(c)));
        s = s.TrimEnd('.');
        // The variable goes first: in "x = 1,000" the comma separates thousands, it does not make a list.
        if (StripVariableEquation(s) is var value && ThousandsPattern().IsMatch(value)) s = value.Replace(",", "");
        else if (SplitTopLevel(s, ",").Count == 1) s = StripVariableEquation(s);
        return s;
    }

    /// <summary>Whether <paramref name="answer"/> states the same value as <paramref name="expected"/>, by the rules in
    /// the class remarks. Symmetric. Both arguments are answers, not solutions: call <see cref="Extract"/> first.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static bool AreEquivalent(string expected, string answer)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(answer);
        string e = Normalize(expected), a = Normalize(answer);
        if (e.Length == 0 || a.Length == 0) return false;
        return e.Length > MaxStructuredLength || a.Length > MaxStructuredLength ? e == a : NormalizedEquivalent(e, a);
    }

    private static bool NormalizedEquivalent(string expected, string answer)
    {
        if (expected == answer) return true;
        var e = AnswerShape.Parse(expected);
        var a = AnswerShape.Parse(answer);
        if (e.Kind != a.Kind || e.Items.Count != a.Items.Count) return false;
        switch (e.Kind)
        {
            case ShapeKind.Ordered:
                if (e.Open != a.Open || e.Close != a.Close) return false;
                for (int i = 0; i < e.Items.Count; i++)
                    if (!NormalizedEquivalent(e.Items[i], a.Items[i])) return false;
                return true;
            case ShapeKind.Unordered:
                // Greedy matching suffices: equivalence of single values is transitive (up to the tiny tolerance).
                var unmatched = a.Items.ToList();
                foreach (string item in e.Items)
                {
                    int match = unmatched.FindIndex(candidate => NormalizedEquivalent(item, candidate));
                    if (match < 0) return false;
                    unmatched.RemoveAt(match);
                }
                return true;
            default:
                return ScalarEquivalent(e.Items[0], a.Items[0]);
        }
    }

    private static bool ScalarEquivalent(string expected, string answer)
    {
        if (IntegerPattern().IsMatch(expected) && IntegerPattern().IsMatch(answer))
            return BigInteger.Parse(expected, CultureInfo.InvariantCulture) == BigInteger.Parse(answer, CultureInfo.InvariantCulture);
        if (DecimalPattern().IsMatch(expected) && DecimalPattern().IsMatch(answer) &&
            decimal.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal de) &&
            decimal.TryParse(answer, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal da))
            return de == da;
        if (WordPattern().IsMatch(expected) && WordPattern().IsMatch(answer))
            return string.Equals(expected, answer, StringComparison.OrdinalIgnoreCase);

        var variables = MathExpression.Variables(expected).Concat(MathExpression.Variables(answer)).Distinct().ToArray();
        int assignments = variables.Length == 0 ? 1 : 3;
        for (int k = 0; k < assignments; k++)
        {
            Func<char, double> value = c => VariableValue(c, k);
            if (!MathExpression.TryEvaluate(expected, value, out double x) || !MathExpression.TryEvaluate(answer, value, out double y)) return false;
            if (!Close(x, y)) return false;
        }
        return true;
    }

    // Values in [1, 3) that differ per letter and per assignment: positive so that roots and logs of them stay real.
    private static double VariableValue(char letter, int assignment) =>
        1 + (((uint)letter * 2654435761u + (uint)assignment * 40503u) % 10007u) / 10007.0 * 2;

    private static bool Close(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y)) return false;
        if (double.IsInfinity(x) || double.IsInfinity(y)) return x == y;
        // The relative tolerance spans whole units above 1e9 (2^31 would equal 2147483647). Below 2^48 the few
        // roundings of an evaluation move a value by far less than a unit, so two whole numbers there are equal
        // only when they are the same number.
        if (IsExactWholeNumber(x) && IsExactWholeNumber(y)) return x == y;
        return Math.Abs(x - y) <= AbsoluteTolerance + RelativeTolerance * Math.Max(Math.Abs(x), Math.Abs(y));
    }

    private static bool IsExactWholeNumber(double x) => Math.Abs(x) < 281_474_976_710_656.0 && x == Math.Round(x); // 2^48

    // "x = 5", "a_1 = 5", "\theta = 5" → "5": a bare variable on the left says nothing about the value.
    private static string StripVariableEquation(string s)
    {
        var parts = SplitTopLevel(s, "=");
        return parts.Count == 2 && EquationLeftPattern().IsMatch(parts[0]) && parts[1].Length > 0 ? parts[1] : s;
    }

    private static string UnwrapTextCommands(string s)
    {
        foreach (string command in TextCommands)
        {
            int searchFrom = 0;
            while (true)
            {
                int at = IndexOfCommand(s, command, searchFrom);
                if (at < 0) break;
                int open = at + command.Length;
                while (open < s.Length && s[open] == ' ') open++;
                if (open >= s.Length || s[open] != '{' || MatchingBrace(s, open) is not { } close)
                {
                    searchFrom = at + command.Length;
                    continue;
                }
                string content = s[(open + 1)..close];
                bool isUnit = UnitPattern().IsMatch(content) && !string.IsNullOrWhiteSpace(s[..at]) && HasValueBefore(s[..at]);
                string replacement = isUnit ? "" : content;
                int end = close + 1;
                // A unit's power belongs to the unit: "5\text{cm}^2" is 5, not 25.
                if (isUnit && UnitPowerPattern().Match(s, end) is { Success: true } power && power.Index == end) end += power.Length;
                s = string.Concat(s.AsSpan(0, at), replacement, s.AsSpan(end));
                searchFrom = at + replacement.Length;
            }
        }
        return s;
    }

    // A unit follows a value: a digit, a closing group or a constant such as \pi just before it.
    private static bool HasValueBefore(string before)
    {
        string trimmed = before.TrimEnd();
        return trimmed.Length > 0 && (char.IsAsciiDigit(trimmed[^1]) || trimmed[^1] is '}' or ')' or '.' || trimmed.EndsWith("\\pi", StringComparison.Ordinal));
    }

    // "\text" must not match the start of "\textbf": the command name has to end there.
    private static int IndexOfCommand(string s, string command, int from)
    {
        for (int at = s.IndexOf(command, from, StringComparison.Ordinal); at >= 0; at = s.IndexOf(command, at + 1, StringComparison.Ordinal))
        {
            int end = at + command.Length;
            if (end >= s.Length || !char.IsAsciiLetter(s[end])) return at;
        }
        return -1;
    }

    private static string? LastBoxedContent(string text)
    {
        int at = BoxCommands.Max(c => LastIndexOfCommand(text, c, out _));
        if (at < 0) return null;
        LastIndexOfCommand(text, text[at..].StartsWith("\\boxed", StringComparison.Ordinal) ? "\\boxed" : "\\fbox", out int contentStart);
        int i = contentStart;
        while (i < text.Length && text[i] == ' ') i++;
        if (i < text.Length && text[i] == '{')
            return MatchingBrace(text, i) is { } close ? text[(i + 1)..close] : null;
        // "\boxed 5": the argument runs to the next space or dollar sign.
        int end = i;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '$') end++;
        return end > i ? text[i..end] : null;
    }

    private static int LastIndexOfCommand(string text, string command, out int afterCommand)
    {
        for (int at = text.LastIndexOf(command, StringComparison.Ordinal); at >= 0; at = at == 0 ? -1 : text.LastIndexOf(command, at - 1, StringComparison.Ordinal))
        {
            int end = at + command.Length;
            if (end >= text.Length || !char.IsAsciiLetter(text[end]))
            {
                afterCommand = end;
                return at;
            }
        }
        afterCommand = -1;
        return -1;
    }

    private static string? WholeBoxContent(string s)
    {
        foreach (string command in BoxCommands)
        {
            if (!s.StartsWith(command + "{", StringComparison.Ordinal)) continue;
            int open = command.Length;
            if (MatchingBrace(s, open) == s.Length - 1) return s[(open + 1)..^1];
        }
        return null;
    }

    private static int? MatchingBrace(string s, int open)
    {
        int depth = 0;
        for (int i = open; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] is '{' or '}') { i++; continue; }
            if (s[i] == '{') depth++;
            else if (s[i] == '}' && --depth == 0) return i;
        }
        return null;
    }

    private static string RestOfLine(string text, int from)
    {
        int end = text.IndexOf('\n', from);
        return end < 0 ? text[from..] : text[from..end];
    }

    private static string StripStatementEnd(string stated)
    {
        string s = stated.Trim();
        while (s.Length > 0 && s[^1] is '.' or '!' or ' ') s = s[..^1];
        return s.Trim('$', ' ', '*');
    }

    /// <summary>Splits at each top-level occurrence of <paramref name="separator"/>: outside (), [], {} and \{ \}.</summary>
    internal static List<string> SplitTopLevel(string s, string separator)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\\' && i + 1 < s.Length && s[i + 1] is '{' or '}')
            {
                depth += s[i + 1] == '{' ? 1 : -1;
                i++;
                continue;
            }
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (depth == 0 && string.CompareOrdinal(s, i, separator, 0, separator.Length) == 0 &&
                     !(char.IsAsciiLetter(separator[^1]) && i + separator.Length < s.Length && char.IsAsciiLetter(s[i + separator.Length])))
            {
                parts.Add(s[start..i]);
                start = i + separator.Length;
                i = start - 1;
            }
        }
        parts.Add(s[start..]);
        return parts;
    }

    private enum ShapeKind { Scalar, Ordered, Unordered }

    // A normalised answer seen as one value, an ordered tuple/interval, or an unordered set of items (themselves answers).
    private sealed record AnswerShape(ShapeKind Kind, char Open, char Close, IReadOnlyList<string> Items)
    {
        public static AnswerShape Parse(string s)
        {
            var union = SplitTopLevel(s, "\\cup");
            if (union.Count > 1) return Unordered(union);
            if (s.StartsWith("\\{", StringComparison.Ordinal) && s.EndsWith("\\}", StringComparison.Ordinal) && WrapsWhole(s))
                return Unordered(SplitTopLevel(s[2..^2], ","));
            if (s.Length >= 2 && s[0] is '(' or '[' or '{' && s[^1] is ')' or ']' or '}' && WrapsWhole(s))
            {
                var inner = SplitTopLevel(s[1..^1], ",");
                if (inner.Count > 1)
                    return s[0] == '{' ? Unordered(inner) : new AnswerShape(ShapeKind.Ordered, s[0], s[^1], inner.Select(StripVariableEquation).ToArray());
            }
            var list = SplitTopLevel(s, ",");
            if (list.Count > 1) return Unordered(list);
            var plusMinus = SplitTopLevel(s, "\\pm");
            if (plusMinus.Count == 2)
            {
                string a = plusMinus[0], b = plusMinus[1];
                return a.Length == 0 ? Unordered([b, $"-({b})"]) : Unordered([$"{a}+({b})", $"{a}-({b})"]);
            }
            return new AnswerShape(ShapeKind.Scalar, ' ', ' ', [s]);
        }

        private static AnswerShape Unordered(IEnumerable<string> items) =>
            new(ShapeKind.Unordered, ' ', ' ', items.Select(StripVariableEquation).ToArray());

        // True when the first character's group closes only at the last character: "(1,2)" but not "(1)+(2)".
        private static bool WrapsWhole(string s)
        {
            int depth = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '\\' && i + 1 < s.Length && s[i + 1] is '{' or '}')
                {
                    depth += s[i + 1] == '{' ? 1 : -1;
                    i++;
                }
                else if (c is '(' or '[' or '{') depth++;
                else if (c is ')' or ']' or '}') depth--;
                if (depth == 0 && i < s.Length - 1) return false;
            }
            return depth == 0;
        }
    }

    // The stated answer ends at the end of its sentence (a period before a space or the line end) or line.
    [GeneratedRegex(@"the\s+(?:final\s+)?answer\s+is\s*:?\s*(?<answer>[^\n]+?)(?=\.\s|\.?$)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex AnswerIsPattern();

    // A minus (ASCII or U+2212) is a sign only where it cannot be a subtraction or range ("10-12" ends in 12, not -12);
    // ".5" and "1.5e-3" are single numbers, as Normalize and the evaluator read them.
    [GeneratedRegex(@"(?:(?<![\w)])[-−])?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|(?<![\w.])\.\d+)(?:[eE][-+]?\d+)?(?:/\d+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\\(?:left|right)(?![A-Za-z])\.?")]
    private static partial Regex LeftRightPattern();

    [GeneratedRegex(@"\\[,!;: ]")]
    private static partial Regex SpacingPattern();

    [GeneratedRegex(@"\^\s*\{?\s*\\circ\s*\}?|\\circ")]
    private static partial Regex DegreePattern();

    [GeneratedRegex(@"\\frac(\d)(\d)")]
    private static partial Regex FracShorthandPattern();

    [GeneratedRegex(@"\\sqrt(\d)")]
    private static partial Regex SqrtShorthandPattern();

    [GeneratedRegex(@"(?<![\d.])(\d+)\s+(\d+)/(\d+)(?![\d.])")]
    private static partial Regex MixedNumberPattern();

    // "5 cm", "12.5 square feet", "60 km/h": words (per words) after a value that has no letters of its own; a slash
    // must lead to a word, so "3 x/2" stays an expression.
    [GeneratedRegex(@"^([^A-Za-z]*[\d})])\s+[A-Za-z][A-Za-z\s.]*(?:/[A-Za-z][A-Za-z\s.]*)*(?:\^\d)?$")]
    private static partial Regex TrailingUnitPattern();

    [GeneratedRegex(@"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")]
    private static partial Regex ThousandsPattern();

    [GeneratedRegex(@"^[+-]?\d+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[+-]?(?:\d+\.?\d*|\.\d+)$")]
    private static partial Regex DecimalPattern();

    [GeneratedRegex(@"^[A-Za-z]+$")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"^[A-Za-z\s.]+(?:/\s*[A-Za-z][A-Za-z\s.]*)*(?:\^\d)?$")]
    private static partial Regex UnitPattern();

    [GeneratedRegex(@"\^\{?\d\}?")]
    private static partial Regex UnitPowerPattern();

    [GeneratedRegex(@"^(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?[A-Za-z0-9]+\}?)?$")]
    private static partial Regex EquationLeftPattern();
}
