using Ponder.Tasks.Grading;

namespace Ponder.Tasks.Tests.Grading;

public sealed class MathAnswerExtractionTests
{
    [Theory]
    [InlineData("So the total is \\boxed{42}.", "42")]
    [InlineData("First \\boxed{1}, then corrected: \\boxed{2}", "2")]
    [InlineData("Hence $\\boxed{\\frac{1}{2}}$.", "\\frac{1}{2}")]
    [InlineData("\\boxed{\\left(3, \\frac{\\sqrt{2}}{2}\\right)}", "\\left(3, \\frac{\\sqrt{2}}{2}\\right)")]
    [InlineData("The set is \\boxed{\\{1,2\\}}", "\\{1,2\\}")]
    [InlineData("We get \\fbox{7} in the end", "7")]
    [InlineData("\\boxed 5 is it", "5")]
    [InlineData("The answer is 12.", "12")]
    [InlineData("The answer is 3.5.", "3.5")]
    [InlineData("Thus the final answer is $\\frac{3}{4}$.\nDone", "\\frac{3}{4}")]
    [InlineData("the answer is: 7 apples", "7 apples")]
    [InlineData("The answer is 3. Wait, recheck. The answer is 4.", "4")]
    [InlineData("Natalia sold 48/2 = 24 clips in May.\n48+24 = 72\n#### 72", "72")]
    [InlineData("#### 1,234\n", "1,234")]
    [InlineData("She has 3 apples and buys 5 more, so 8 apples", "8")]
    [InlineData("It costs $1,250.50 in total", "1,250.50")]
    [InlineData("The ratio is 3/4", "3/4")]
    [InlineData("The temperature drops to -7 degrees", "-7")]
    [InlineData("\\boxed{5} but the answer is 6", "5")]
    public void Extracts_the_final_answer(string solution, string expected) =>
        Assert.Equal(expected, MathAnswer.Extract(solution));

    [Theory]
    [InlineData("")]
    [InlineData("I do not know.")]
    [InlineData("\\boxed{unclosed")]
    public void Returns_null_when_there_is_no_answer(string solution) => Assert.Null(MathAnswer.Extract(solution));

    [Fact]
    public void Extraction_then_equivalence_grades_a_whole_solution()
    {
        const string solution = "The area is $\\pi r^2 = 9\\pi$, so the answer is $\\boxed{9\\pi \\text{ cm}^2}$.";
        Assert.True(MathAnswer.AreEquivalent("9\\pi", MathAnswer.Extract(solution)!));
    }

    [Theory]
    [InlineData("\\$1,000", "1000")]
    [InlineData("x = \\dfrac{1}{2}", "\\frac{1}{2}")]
    [InlineData("\\left( 1, 2 \\right)", "(1,2)")]
    [InlineData("10\\%", "10")]
    [InlineData("90^\\circ", "90")]
    [InlineData("5 \\text{ cm}", "5")]
    [InlineData("\\text{Monday}", "Monday")]
    [InlineData("\\boxed{\\frac12}", "\\frac{1}{2}")]
    [InlineData("2 1/2", "2\\frac{1}{2}")]
    [InlineData("1.5 \\times 10^3", "1.5*10^3")]
    [InlineData("(1,000)", "(1,000)")]
    public void Normalises_to_the_documented_form(string answer, string normalised) =>
        Assert.Equal(normalised, MathAnswer.Normalize(answer));
}
