using System.Globalization;

namespace Ponder.Tasks.Grading;

/// <summary>
/// Evaluates a normalised closed-form answer (see <see cref="MathAnswer.Normalize"/>) to a double by recursive descent:
/// <c>+ - * / ^</c>, parentheses and braces, unary signs, implicit multiplication (<c>2\sqrt{3}</c>, <c>3x</c>),
/// <c>\frac{a}{b}</c> (and <c>\frac12</c>), <c>\sqrt{x}</c>, <c>\sqrt[n]{x}</c>, <c>\pi</c>, <c>\infty</c>, scientific
/// notation (<c>1.5e-3</c>) and single-letter variables, whose values the caller supplies.
/// </summary>
/// <remarks>
/// An integer immediately followed by <c>\frac{integer}{integer}</c> is a mixed number (<c>2\frac{1}{2}</c> = 2.5), as in
/// the MATH dataset, not a product. Grammar:
/// <code>
/// expr    := term (('+' | '-') term)*
/// term    := unary (('*' | '/') unary | power)*      -- a bare power is implicit multiplication
/// unary   := ('-' | '+') unary | power
/// power   := primary ('^' unary)?                    -- right-associative; -2^2 = -(2^2)
/// primary := number | '(' expr ')' | '{' expr '}' | \frac arg arg | \sqrt ('[' expr ']')? arg | \pi | \infty | letter
/// arg     := '{' expr '}' | digit | letter | \pi
/// </code>
/// Stateless apart from one parse; not thread-safe per instance, but instances are private to <see cref="TryEvaluate"/>.
/// </remarks>
internal sealed class MathExpression
{
    // Model output is untrusted: deeper nesting than any real answer fails instead of overflowing the stack.
    private const int MaxDepth = 100;

    private readonly string _text;
    private readonly Func<char, double> _variable;
    private int _pos;
    private int _depth;

    private MathExpression(string text, Func<char, double> variable)
    {
        _text = text;
        _variable = variable;
    }

    /// <summary>Evaluates <paramref name="text"/> (whitespace is ignored); false when it is not an expression of the
    /// grammar above. <paramref name="variable"/> gives each letter's value.</summary>
    public static bool TryEvaluate(string text, Func<char, double> variable, out double value)
    {
        var parser = new MathExpression(string.Concat(text.Where(c => !char.IsWhiteSpace(c))), variable);
        value = 0;
        if (parser._text.Length == 0) return false;
        try
        {
            value = parser.ParseExpression();
            return parser._pos == parser._text.Length;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The letters the expression would read as variables (the letters outside backslash commands).</summary>
    public static IEnumerable<char> Variables(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                while (i + 1 < text.Length && char.IsAsciiLetter(text[i + 1])) i++;
                continue;
            }
            if (char.IsAsciiLetter(text[i]) && !IsExponentMarker(text, i)) yield return text[i];
        }
    }

    // An 'e' or 'E' between a digit and a (signed) digit is scientific notation, not a variable.
    private static bool IsExponentMarker(string text, int i)
    {
        if (i >= text.Length || text[i] is not ('e' or 'E') || i == 0 || !char.IsAsciiDigit(text[i - 1])) return false;
        int j = i + 1;
        if (j < text.Length && text[j] is '+' or '-') j++;
        return j < text.Length && char.IsAsciiDigit(text[j]);
    }

    private void Enter()
    {
        if (++_depth > MaxDepth) throw new FormatException($"nested deeper than {MaxDepth}");
    }

    private double ParseExpression()
    {
        Enter();
        double value = ParseTerm();
        while (Peek() is '+' or '-')
        {
            char op = _text[_pos++];
            double right = ParseTerm();
            value = op == '+' ? value + right : value - right;
        }
        _depth--;
        return value;
    }

    private double ParseTerm()
    {
        double value = ParseUnary();
        while (true)
        {
            char c = Peek();
            if (c == '*') { _pos++; value *= ParseUnary(); }
            else if (c == '/') { _pos++; value /= ParseUnary(); }
            else if (StartsPrimary()) value *= ParsePower();
            else return value;
        }
    }

    private double ParseUnary()
    {
        int signs = 0;
        bool negative = false;
        for (; Peek() is '-' or '+'; _pos++, signs++)
        {
            if (signs == MaxDepth) throw new FormatException($"more than {MaxDepth} signs in a row");
            negative ^= Peek() == '-';
        }
        double value = ParsePower();
        return negative ? -value : value;
    }

    private double ParsePower()
    {
        double value = ParsePrimary();
        if (Peek() != '^') return value;
        _pos++;
        Enter();
        double exponent = Peek() == '{' ? ParseBraced() : ParseUnary();
        _depth--;
        return Math.Pow(value, exponent);
    }

    private bool StartsPrimary()
    {
        char c = Peek();
        return char.IsAsciiDigit(c) || c is '.' or '(' or '{' or '\\' || char.IsAsciiLetter(c);
    }

    private double ParsePrimary()
    {
        char c = Peek();
        if (char.IsAsciiDigit(c) || c == '.') return ParseNumberOrMixed();
        if (c == '(') return ParseDelimited('(', ')');
        if (c == '{') return ParseBraced();
        if (c == '\\') return ParseCommand();
        if (char.IsAsciiLetter(c)) { _pos++; return _variable(c); }
        throw new FormatException($"unexpected '{c}' at {_pos}");
    }

    private double ParseNumberOrMixed()
    {
        int start = _pos;
        while (char.IsAsciiDigit(Peek())) _pos++;
        bool integer = true;
        if (Peek() == '.') { integer = false; _pos++; while (char.IsAsciiDigit(Peek())) _pos++; }
        if (IsExponentMarker(_text, _pos))
        {
            integer = false;
            _pos++;
            if (Peek() is '+' or '-') _pos++;
            while (char.IsAsciiDigit(Peek())) _pos++;
        }
        string literal = _text[start.._pos];
        if (literal == ".") throw new FormatException("a lone '.' is not a number");
        double value = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (integer && TryParseFractionOfIntegers(out double fraction)) return value + fraction;
        return value;
    }

    // \frac{n}{d} with integer literals, right after an integer: a mixed number. Anything else is left for the caller.
    private bool TryParseFractionOfIntegers(out double fraction)
    {
        fraction = 0;
        const string prefix = "\\frac{";
        if (string.CompareOrdinal(_text, _pos, prefix, 0, prefix.Length) != 0) return false;
        int i = _pos + prefix.Length;
        int numeratorStart = i;
        while (i < _text.Length && char.IsAsciiDigit(_text[i])) i++;
        if (i == numeratorStart || i + 1 >= _text.Length || _text[i] != '}' || _text[i + 1] != '{') return false;
        string numerator = _text[numeratorStart..i];
        i += 2;
        int denominatorStart = i;
        while (i < _text.Length && char.IsAsciiDigit(_text[i])) i++;
        if (i == denominatorStart || i >= _text.Length || _text[i] != '}') return false;
        fraction = double.Parse(numerator, CultureInfo.InvariantCulture) / double.Parse(_text[denominatorStart..i], CultureInfo.InvariantCulture);
        _pos = i + 1;
        return true;
    }

    private double ParseCommand()
    {
        Enter();
        double value = ParseCommandBody();
        _depth--;
        return value;
    }

    private double ParseCommandBody()
    {
        int start = ++_pos;
        while (char.IsAsciiLetter(Peek())) _pos++;
        string name = _text[start.._pos];
        switch (name)
        {
            case "frac":
                double numerator = ParseArgument();
                return numerator / ParseArgument();
            case "sqrt":
                double degree = 2;
                if (Peek() == '[') degree = ParseDelimited('[', ']');
                double radicand = ParseArgument();
                // An odd root of a negative number is real; Math.Pow would return NaN for it.
                return radicand < 0 && degree % 2 == 1 ? -Math.Pow(-radicand, 1 / degree) : Math.Pow(radicand, 1 / degree);
            case "pi": return Math.PI;
            case "infty": return double.PositiveInfinity;
            default: throw new FormatException($"unknown command \\{name}");
        }
    }

    // A command argument: a braced group, or a single digit, letter or \pi as in \frac12 or \sqrt x.
    private double ParseArgument()
    {
        char c = Peek();
        if (c == '{') return ParseBraced();
        if (char.IsAsciiDigit(c)) { _pos++; return c - '0'; }
        if (char.IsAsciiLetter(c)) { _pos++; return _variable(c); }
        if (c == '\\') return ParseCommand();
        throw new FormatException($"expected an argument at {_pos}");
    }

    private double ParseBraced() => ParseDelimited('{', '}');

    private double ParseDelimited(char open, char close)
    {
        Expect(open);
        double value = ParseExpression();
        Expect(close);
        return value;
    }

    private void Expect(char c)
    {
        if (Peek() != c) throw new FormatException($"expected '{c}' at {_pos}");
        _pos++;
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';
}
