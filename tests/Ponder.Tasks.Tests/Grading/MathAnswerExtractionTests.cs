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
    [InlineData("The temperature drops to −7 degrees", "-7")]
    [InlineData("The probability is .5", "0.5")]
    [InlineData("So the concentration is 1.5e-3 mol", "0.0015")]
    [InlineData("The pages read were 10-12", "12")]
    public void The_last_number_is_read_whole_with_its_sign(string solution, string expected)
    {
        string? extracted = MathAnswer.Extract(solution);
        Assert.True(extracted is not null && MathAnswer.AreEquivalent(expected, extracted), $"extracted '{extracted}'");
    }

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

/// <summary>Model output is untrusted: pathological answers must be graded quickly and never crash the process.</summary>
public sealed class MathAnswerHostileInputTests
{
    public static TheoryData<string> Hostile() => new()
    {
        new string('(', 100_000) + "1" + new string(')', 100_000),
        string.Concat(Enumerable.Repeat("\\sqrt{", 5_000)) + "4" + new string('}', 5_000),
        string.Concat(Enumerable.Repeat("2^", 5_000)) + "2",
        new string('-', 100_000) + "1",
        string.Concat(Enumerable.Repeat("\\boxed{", 20_000)) + "1" + new string('}', 20_000),
        string.Join(",", Enumerable.Range(0, 50_000)),
        new string('1', 200_000),
        // Short enough to be parsed, nested deeper than the evaluator allows.
        new string('(', 400) + "2" + new string(')', 400),
        string.Concat(Enumerable.Repeat("2^", 300)) + "1",
        string.Concat(Enumerable.Repeat("\\sqrt", 150)) + "4",
        new string('-', 900) + "2",
        string.Concat(Enumerable.Repeat("1 ", 100_000)),
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Pathological_answers_are_graded_without_failing(string answer)
    {
        // The bounds on nesting and length keep this work small; its speed is a benchmark matter, not a test's.
        Assert.False(MathAnswer.AreEquivalent("2", answer));
        Assert.NotNull(MathAnswer.Extract(answer + " so the answer is"));
    }

    [Fact]
    public void Nesting_within_the_limits_still_evaluates() =>
        Assert.True(MathAnswer.AreEquivalent("1", new string('(', 50) + "1" + new string(')', 50)));
}
