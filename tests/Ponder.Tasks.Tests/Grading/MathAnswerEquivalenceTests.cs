using Ponder.Tasks.Grading;

namespace Ponder.Tasks.Tests.Grading;

/// <summary>Hand-written expected/answer pairs with the verdict a careful human grader gives, one group per form.</summary>
public sealed class MathAnswerEquivalenceTests
{
    [Theory]
    // integers and signs
    [InlineData("5", "5", true)]
    [InlineData("5", "6", false)]
    [InlineData("-5", "-5", true)]
    [InlineData("-5", "5", false)]
    [InlineData("+5", "5", true)]
    [InlineData("0", "-0", true)]
    [InlineData("007", "7", true)]
    [InlineData("123456789012345678901", "123456789012345678901", true)]
    [InlineData("123456789012345678901", "123456789012345678902", false)]
    [InlineData("1000000", "1000001", false)]
    [InlineData("- 3", "-3", true)]
    [InlineData("−3", "-3", true)]
    // decimals
    [InlineData("0.5", "0.50", true)]
    [InlineData("0.5", ".5", true)]
    [InlineData("2", "2.0", true)]
    [InlineData("2", "2.", true)]
    [InlineData("0.1", "0.01", false)]
    [InlineData("3.14", "3.140", true)]
    [InlineData("3.14", "3.1416", false)]
    [InlineData("-0.25", "-\\frac{1}{4}", true)]
    [InlineData("0.333", "\\frac{1}{3}", false)]
    [InlineData("1.5", "\\frac{3}{2}", true)]
    // thousands separators
    [InlineData("1000", "1,000", true)]
    [InlineData("1234567", "1,234,567", true)]
    [InlineData("1,000", "1000.0", true)]
    [InlineData("1000", "1{,}000", true)]
    [InlineData("1000", "1\\,000", true)]
    [InlineData("-2,500", "-2500", true)]
    [InlineData("1,000", "100", false)]
    [InlineData("12,345.5", "12345.5", true)]
    // percentages: the sign is dropped, so 10\% is 10 (not 0.1)
    [InlineData("10\\%", "10", true)]
    [InlineData("10", "10%", true)]
    [InlineData("10\\%", "0.1", false)]
    [InlineData("50\\%", "\\frac{1}{2}", false)]
    [InlineData("12.5\\%", "12.5", true)]
    [InlineData("25\\%", "25 \\%", true)]
    [InlineData("25\\%", "26\\%", false)]
    // scientific notation
    [InlineData("1500", "1.5e3", true)]
    [InlineData("1500", "1.5E3", true)]
    [InlineData("0.0015", "1.5e-3", true)]
    [InlineData("1500", "1.5 \\times 10^3", true)]
    [InlineData("1500", "1.5\\cdot 10^{3}", true)]
    [InlineData("0.00002", "2 \\times 10^{-5}", true)]
    [InlineData("1500", "1.5e4", false)]
    [InlineData("6.02 \\times 10^{23}", "6.02e23", true)]
    // fractions
    [InlineData("\\frac{1}{2}", "0.5", true)]
    [InlineData("\\frac{1}{2}", "\\frac{1}{3}", false)]
    [InlineData("\\frac{1}{2}", "\\dfrac{1}{2}", true)]
    [InlineData("\\frac{1}{2}", "\\tfrac{1}{2}", true)]
    [InlineData("\\frac{1}{2}", "1/2", true)]
    [InlineData("\\frac{1}{2}", "\\frac12", true)]
    [InlineData("\\frac{2}{4}", "\\frac{1}{2}", true)]
    [InlineData("\\frac{3}{4}", "\\frac{4}{3}", false)]
    [InlineData("-\\frac{1}{2}", "\\frac{-1}{2}", true)]
    [InlineData("-\\frac{1}{2}", "\\frac{1}{-2}", true)]
    [InlineData("-\\frac{1}{2}", "\\frac{1}{2}", false)]
    [InlineData("\\frac{7}{3}", "7/3", true)]
    [InlineData("\\frac{1}{6}", "1/6", true)]
    [InlineData("\\frac{10}{3}", "3.33", false)]
    [InlineData("\\frac{\\frac{1}{2}}{2}", "\\frac{1}{4}", true)]
    // mixed numbers
    [InlineData("2\\frac{1}{2}", "\\frac{5}{2}", true)]
    [InlineData("2\\frac{1}{2}", "2.5", true)]
    [InlineData("2 1/2", "5/2", true)]
    [InlineData("2\\frac{1}{2}", "1", false)]
    [InlineData("-1\\frac{1}{3}", "-\\frac{4}{3}", true)]
    [InlineData("3\\frac{1}{4}", "3.25", true)]
    [InlineData("3\\frac{1}{4}", "3.4", false)]
    // square roots and other roots
    [InlineData("\\sqrt{2}", "\\sqrt2", true)]
    [InlineData("\\sqrt{8}", "2\\sqrt{2}", true)]
    [InlineData("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", true)]
    [InlineData("\\sqrt{3}", "\\sqrt{2}", false)]
    [InlineData("2\\sqrt{3}", "\\sqrt{12}", true)]
    [InlineData("3\\sqrt{2}", "\\sqrt{18}", true)]
    [InlineData("\\sqrt{2}", "1.414", false)]
    [InlineData("\\sqrt[3]{8}", "2", true)]
    [InlineData("\\sqrt[3]{-8}", "-2", true)]
    [InlineData("√2", "\\sqrt{2}", true)]
    [InlineData("5\\sqrt{5}", "\\sqrt{125}", true)]
    [InlineData("\\frac{3\\sqrt{3}}{2}", "\\frac{3}{2}\\sqrt{3}", true)]
    [InlineData("1+\\sqrt{2}", "\\sqrt{2}+1", true)]
    [InlineData("1+\\sqrt{2}", "1-\\sqrt{2}", false)]
    // π
    [InlineData("2\\pi", "2π", true)]
    [InlineData("\\frac{\\pi}{2}", "\\frac{1}{2}\\pi", true)]
    [InlineData("\\pi", "3.14", false)]
    [InlineData("4\\pi", "\\pi \\cdot 4", true)]
    [InlineData("\\pi^2", "\\pi\\pi", true)]
    [InlineData("2\\pi", "\\pi", false)]
    [InlineData("\\frac{4\\pi}{3}", "\\frac43\\pi", true)]
    // degrees
    [InlineData("90^\\circ", "90", true)]
    [InlineData("90^{\\circ}", "90", true)]
    [InlineData("90°", "90", true)]
    [InlineData("45^\\circ", "90^\\circ", false)]
    [InlineData("90^\\circ", "\\frac{\\pi}{2}", false)]
    [InlineData("30", "30 \\text{ degrees}", true)]
    // LaTeX noise
    [InlineData("$5$", "5", true)]
    [InlineData("\\$5", "5", true)]
    [InlineData("\\left(1,2\\right)", "(1,2)", true)]
    [InlineData("\\frac{1}{2}", "\\!\\frac{1}{2}", true)]
    [InlineData("\\frac{1}{2}", "\\displaystyle\\frac{1}{2}", true)]
    [InlineData("\\(3\\)", "3", true)]
    [InlineData("\\boxed{3}", "3", true)]
    [InlineData("3", "3.", true)]
    [InlineData("3", "\\;3", true)]
    [InlineData("x^2+1", "x^{2}+1", true)]
    // \text{…} and \mbox{…}: units after a value are dropped, other text is unwrapped
    [InlineData("5", "5 \\text{ cm}", true)]
    [InlineData("5", "5\\text{cm}^2", true)]
    [InlineData("5", "5 \\mbox{ inches}", true)]
    [InlineData("18", "\\$18 \\text{ dollars}", true)]
    [InlineData("5", "6 \\text{ cm}", false)]
    [InlineData("5", "5 cm", true)]
    [InlineData("12.5", "12.5 square feet", true)]
    [InlineData("\\text{Monday}", "Monday", true)]
    [InlineData("\\text{Monday}", "\\text{monday}", true)]
    [InlineData("\\text{Monday}", "\\text{Tuesday}", false)]
    [InlineData("\\text{(C)}", "(C)", true)]
    [InlineData("\\text{(C)}", "C", true)]
    [InlineData("\\text{(C)}", "(D)", false)]
    [InlineData("\\textbf{east}", "east", true)]
    [InlineData("east", "eats", false)]
    [InlineData("\\mathrm{B}", "B", true)]
    // tuples and intervals: order and bracket kind matter
    [InlineData("(1,2)", "(1,2)", true)]
    [InlineData("(1,2)", "(2,1)", false)]
    [InlineData("(1, 2)", "(1,2)", true)]
    [InlineData("(\\frac{1}{2}, 3)", "(0.5, 3)", true)]
    [InlineData("(1,2,3)", "(1,2)", false)]
    [InlineData("[1,2]", "[1,2]", true)]
    [InlineData("[1,2]", "[1,2)", false)]
    [InlineData("(1,2]", "(1, 2]", true)]
    [InlineData("(-\\infty, 3]", "(-\\infty,3]", true)]
    [InlineData("(-\\infty, 3]", "(-∞, 3]", true)]
    [InlineData("(-\\infty, 3]", "(-\\infty, 3)", false)]
    [InlineData("(-\\infty,1)\\cup(2,\\infty)", "(2,\\infty)\\cup(-\\infty,1)", true)]
    [InlineData("(-\\infty,1)\\cup(2,\\infty)", "(-\\infty,1)\\cup[2,\\infty)", false)]
    [InlineData("(x, y) = (1, 2)", "(1,2)", false)]
    [InlineData("(3, -\\frac{1}{2})", "\\left( 3, -\\dfrac{1}{2} \\right)", true)]
    [InlineData("(0,0)", "(0, 0, 0)", false)]
    // sets regardless of order
    [InlineData("\\{1,2\\}", "\\{2,1\\}", true)]
    [InlineData("{1,2}", "{2,1}", true)]
    [InlineData("1, 2", "2, 1", true)]
    [InlineData("1,2,3", "3,1,2", true)]
    [InlineData("1,2", "1,3", false)]
    [InlineData("1,2", "1,2,3", false)]
    [InlineData("1,1,2", "1,2,2", false)]
    [InlineData("\\{1,2\\}", "1,2", true)]
    [InlineData("-2, \\frac{1}{2}", "0.5, -2", true)]
    [InlineData("\\{(1,2),(3,4)\\}", "\\{(3,4),(1,2)\\}", true)]
    [InlineData("\\{(1,2),(3,4)\\}", "\\{(4,3),(1,2)\\}", false)]
    [InlineData("x=1, x=2", "2, 1", true)]
    [InlineData("1\\pm\\sqrt{2}", "1+\\sqrt{2}, 1-\\sqrt{2}", true)]
    [InlineData("\\pm 3", "3, -3", true)]
    [InlineData("\\pm 3", "3", false)]
    // equations against values
    [InlineData("5", "x = 5", true)]
    [InlineData("x=5", "5", true)]
    [InlineData("5", "y=5", true)]
    [InlineData("5", "x = 6", false)]
    [InlineData("\\frac{1}{2}", "a_1 = 0.5", true)]
    [InlineData("30", "\\theta = 30^\\circ", true)]
    [InlineData("y = 2x + 3", "2x+3", true)]
    [InlineData("y = 2x + 3", "y = 3 + 2x", true)]
    [InlineData("y = 2x + 3", "y = 3x + 2", false)]
    [InlineData("x + y = 5", "5", false)]
    // closed-form expressions, compared numerically
    [InlineData("2^{10}", "1024", true)]
    [InlineData("2^{10}", "1000", false)]
    [InlineData("3^2+4^2", "25", true)]
    [InlineData("(1+2)*3", "9", true)]
    [InlineData("1+2*3", "9", false)]
    [InlineData("-2^2", "-4", true)]
    [InlineData("(-2)^2", "4", true)]
    [InlineData("2^{-1}", "\\frac{1}{2}", true)]
    [InlineData("\\frac{1}{2}+\\frac{1}{3}", "\\frac{5}{6}", true)]
    [InlineData("12 \\div 4", "3", true)]
    [InlineData("6 × 7", "42", true)]
    [InlineData("2(3+4)", "14", true)]
    [InlineData("x^2 - 1", "(x-1)(x+1)", true)]
    [InlineData("x^2 - 1", "(x-1)^2", false)]
    [InlineData("2x", "2y", false)]
    [InlineData("\\frac{x}{2}", "0.5x", true)]
    [InlineData("a^2+2ab+b^2", "(a+b)^2", true)]
    [InlineData("\\infty", "\\infty", true)]
    [InlineData("\\infty", "-\\infty", false)]
    // empty and unreadable answers
    [InlineData("5", "", false)]
    [InlineData("", "", false)]
    [InlineData("5", "\\frac{5}", false)]
    [InlineData("5", "five", false)]
    public void Equivalence_matches_the_hand_verdict(string expected, string answer, bool equivalent)
    {
        Assert.Equal(equivalent, MathAnswer.AreEquivalent(expected, answer));
        Assert.Equal(equivalent, MathAnswer.AreEquivalent(answer, expected));
    }

    [Theory]
    [InlineData("2^{31}", "2147483647", false)]
    [InlineData("10^9", "1000000001", false)]
    [InlineData("10^{10}+1", "10000000000", false)]
    [InlineData("2^{31}", "2147483648", true)]
    [InlineData("10^9", "1,000,000,000", true)]
    [InlineData("2^{40}", "1099511627776", true)]
    public void Whole_numbers_that_differ_by_one_are_never_within_the_tolerance(string expected, string answer, bool equivalent)
    {
        Assert.Equal(equivalent, MathAnswer.AreEquivalent(expected, answer));
        Assert.Equal(equivalent, MathAnswer.AreEquivalent(answer, expected));
    }

    [Theory]
    [InlineData("10", "10 \\text{ m/s}", true)]
    [InlineData("9.8", "9.8 \\text{ m/s}^2", true)]
    [InlineData("60", "60 km/h", true)]
    [InlineData("60", "61 km/h", false)]
    [InlineData("3", "3 x/2", false)]
    public void A_compound_unit_after_a_value_is_dropped_like_a_word(string expected, string answer, bool equivalent)
    {
        Assert.Equal(equivalent, MathAnswer.AreEquivalent(expected, answer));
        Assert.Equal(equivalent, MathAnswer.AreEquivalent(answer, expected));
    }

    [Theory]
    [InlineData("$\\boxed{3}$")]
    [InlineData("\\(\\boxed{3}\\)")]
    [InlineData("$\\boxed{\\dfrac{6}{2}}$")]
    public void A_boxed_answer_inside_math_delimiters_is_its_content(string answer) =>
        Assert.True(MathAnswer.AreEquivalent("3", answer));

    [Theory]
    [InlineData("1000", "x = 1,000")]
    [InlineData("-2500", "y = -2,500")]
    [InlineData("1234567.5", "n = 1,234,567.5")]
    public void A_variable_equation_with_a_thousands_separated_value_is_that_value(string expected, string answer)
    {
        Assert.True(MathAnswer.AreEquivalent(expected, answer));
        Assert.True(MathAnswer.AreEquivalent(answer, expected));
    }
}
