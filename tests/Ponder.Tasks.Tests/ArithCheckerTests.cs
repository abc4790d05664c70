using Ponder.Tasks.Arith;

namespace Ponder.Tasks.Tests;

public sealed class ArithCheckerTests
{
    // ((17*4)+39)-8: 17*4=68, 68+39=107, 107-8=99.
    private static readonly ArithProblem Example = ArithProblem.Parse("((17*4)+39)-8", 3);

    private static ArithCheckResult Check(string solution) => ArithChecker.Check(Example, solution);

    private static void AssertFirstError(string solution, ArithErrorKind kind, int index)
    {
        var result = Check(solution);
        Assert.Equal(kind, result.FirstErrorKind);
        Assert.Equal(index, result.FirstErrorIndex);
        Assert.False(result.IsCorrect);
    }

    [Fact]
    public void TheCanonicalSolutionIsCorrect()
    {
        var result = Check("17*4=68\n68+39=107\n107-8=99\nA:99\n");
        Assert.True(result.IsCorrect);
        Assert.True(result.Complete);
        Assert.True(result.AnswerCorrect);
        Assert.Equal(99, result.FinalAnswer);
        Assert.Null(result.FirstErrorIndex);
        Assert.Null(result.FirstErrorKind);
        Assert.Equal(["17*4=68", "68+39=107", "107-8=99", "A:99"], result.Lines.Select(l => l.Text));
        Assert.All(result.Lines, l => Assert.True(l.PrefixCorrect));
        Assert.Equal([0, 1, 2, 3], result.Lines.Select(l => l.Index));
    }

    [Fact]
    public void CanonicalSolutionsOfGeneratedProblemsAreCorrect()
    {
        for (int level = ArithDifficulty.MinLevel; level <= ArithDifficulty.MaxLevel; level++)
        {
            foreach (var problem in ArithGenerator.Generate(level, 21).Take(2000))
            {
                var result = ArithChecker.Check(problem, ArithTask.Solution(problem));
                Assert.True(result.IsCorrect, problem.ToString());
                Assert.Equal(problem.Answer, result.FinalAnswer);
                Assert.Equal(problem.Steps.Count + 1, result.Lines.Count);
            }
        }
    }

    [Fact]
    public void ArithmeticSlipIsCountedWhereItIsMade()
    {
        var result = Check("17*4=67\n67+39=106\n106-8=98\nA:98\n");
        Assert.Equal(ArithErrorKind.ArithmeticSlip, result.FirstErrorKind);
        Assert.Equal(0, result.FirstErrorIndex);
        // Later lines build correctly on the slip, so they carry no error of their own, but no prefix is correct any more.
        Assert.Equal([ArithErrorKind.ArithmeticSlip, null, null, null], result.Lines.Select(l => l.Error));
        Assert.All(result.Lines, l => Assert.False(l.PrefixCorrect));
        Assert.True(result.Complete);
        Assert.Equal(98, result.FinalAnswer);
        Assert.False(result.AnswerCorrect);
    }

    [Theory]
    [InlineData("17*4=68\n68+39=108\n108-8=100\nA:100\n", 1)]
    [InlineData("17*4=68\n68+39=107\n107-8=98\nA:98\n", 2)]
    public void ArithmeticSlipAtLaterSteps(string solution, int index)
    {
        AssertFirstError(solution, ArithErrorKind.ArithmeticSlip, index);
        Assert.All(Check(solution).Lines, l => Assert.Equal(l.Index < index, l.PrefixCorrect));
    }

    [Fact]
    public void ASlipOntoALaterResultIsStillASlip() =>
        // The right operation written with the result of the step after it: the operands show it was a slip, not a skip.
        AssertFirstError("17*4=68\n68+39=99\nA:99\n", ArithErrorKind.ArithmeticSlip, 1);

    [Theory]
    [InlineData("17*4=68\n86+39=125\n125-8=117\nA:117\n", 1)] // miscopied previous result
    [InlineData("17*4=68\n17+39=56\n56-8=48\nA:48\n", 1)] // stale value
    [InlineData("17*4=68\n68+38=106\n106-8=98\nA:98\n", 1)] // wrong right operand
    [InlineData("17*3=51\n51+39=90\n90-8=82\nA:82\n", 0)] // wrong operand in the first step
    [InlineData("4*17=68\n68+39=107\n107-8=99\nA:99\n", 0)] // commuted: the canonical order is fixed
    public void WrongOperand(string solution, int index) => AssertFirstError(solution, ArithErrorKind.WrongOperand, index);

    [Theory]
    [InlineData("17*4=68\n68-39=29\n29-8=21\nA:21\n", 1)]
    [InlineData("17+4=21\n21+39=60\n60-8=52\nA:52\n", 0)]
    [InlineData("17*4=68\n68*39=2652\n2652-8=2644\nA:2644\n", 1)]
    public void WrongOperatorIsAWrongOperand(string solution, int index) => AssertFirstError(solution, ArithErrorKind.WrongOperand, index);

    [Fact]
    public void TheDueOperationOnAWrongValueIsAWrongOperandEvenWhenRepeatedLater()
    {
        // (5+3)+3: the line repeats "+3" on a stale left operand; the operation is the one due, so it is no skip.
        var problem = ArithProblem.Parse("(5+3)+3", 1);
        var result = ArithChecker.Check(problem, "5+3=8\n5+3=8\nA:8\n");
        Assert.Equal(ArithErrorKind.WrongOperand, result.FirstErrorKind);
        Assert.Equal(1, result.FirstErrorIndex);
    }

    [Theory]
    [InlineData("17*4=68\n68-8=60\n60+39=99\nA:99\n", 1)] // steps done out of order
    [InlineData("17*4=68\n68+31=99\nA:99\n", 1)] // two steps merged into one
    [InlineData("17*4=68\n107-8=99\nA:99\n", 1)] // jumped to a later step
    [InlineData("17*4=68\nA:99\n", 1)] // answered before the steps were done
    [InlineData("A:99\n", 0)]
    [InlineData("17*4=68\n68+39=107\nA:107\n", 2)]
    public void SkippedStep(string solution, int index)
    {
        AssertFirstError(solution, ArithErrorKind.SkippedStep, index);
        Assert.True(Check(solution).Complete);
    }

    [Fact]
    public void ARightAnswerReachedBySkippingIsAnOutcomeButNotAProcessSuccess()
    {
        var result = Check("17*4=68\n68-8=60\n60+39=99\nA:99\n");
        Assert.True(result.AnswerCorrect);
        Assert.False(result.IsCorrect);
    }

    [Fact]
    public void SingleStepProblemAnsweredAtOnceIsASkippedStep()
    {
        var result = ArithChecker.Check(ArithProblem.Parse("7+5", 1), "A:12\n");
        Assert.Equal(ArithErrorKind.SkippedStep, result.FirstErrorKind);
        Assert.True(result.AnswerCorrect);
    }

    [Theory]
    [InlineData("68+39=0107")]
    [InlineData("068+39=107")]
    [InlineData("68 + 39 = 107")]
    [InlineData("68+39=107 ")]
    [InlineData("68+39=107\r")]
    [InlineData("68+39=")]
    [InlineData("68+39")]
    [InlineData("68+39==107")]
    [InlineData("68++39=107")]
    [InlineData("68+-39=29")]
    [InlineData("68/39=1")]
    [InlineData("=107")]
    [InlineData("")]
    [InlineData("Q:((17*4)+39)-8")]
    [InlineData("A99")]
    [InlineData("68+39=1234567890")]
    public void MalformedLine(string line)
    {
        var result = Check($"17*4=68\n{line}\n107-8=99\nA:99\n");
        Assert.Equal(ArithErrorKind.Malformed, result.FirstErrorKind);
        Assert.Equal(1, result.FirstErrorIndex);
        // The line stood for step 1, so the next line is judged against that step's canonical result.
        Assert.Null(result.Lines[2].Error);
        Assert.False(result.Lines[2].PrefixCorrect);
        Assert.True(result.AnswerCorrect);
    }

    [Theory]
    [InlineData("A:")]
    [InlineData("A:099")]
    [InlineData("A: 99")]
    [InlineData("A:99.")]
    [InlineData("A:-99")]
    public void MalformedAnswerLine(string line)
    {
        var result = Check($"17*4=68\n68+39=107\n107-8=99\n{line}\n");
        Assert.Equal(ArithErrorKind.Malformed, result.FirstErrorKind);
        Assert.Equal(3, result.FirstErrorIndex);
        Assert.True(result.Complete);
        Assert.Null(result.FinalAnswer);
        Assert.False(result.AnswerCorrect);
    }

    [Fact]
    public void MissingAnswerIsIncompleteButNotALineError()
    {
        var result = Check("17*4=68\n68+39=107\n107-8=99\n");
        Assert.False(result.Complete);
        Assert.Null(result.FirstErrorIndex);
        Assert.Null(result.FinalAnswer);
        Assert.False(result.AnswerCorrect);
        Assert.False(result.IsCorrect);
        Assert.All(result.Lines, l => Assert.True(l.PrefixCorrect));
    }

    [Fact]
    public void WrongFinalAnswer()
    {
        var result = Check("17*4=68\n68+39=107\n107-8=99\nA:98\n");
        Assert.Equal(ArithErrorKind.WrongAnswer, result.FirstErrorKind);
        Assert.Equal(3, result.FirstErrorIndex);
        Assert.Equal(98, result.FinalAnswer);
        Assert.False(result.AnswerCorrect);
        Assert.Equal([true, true, true, false], result.Lines.Select(l => l.PrefixCorrect));
    }

    [Fact]
    public void AnAnswerThatCopiesAWrongLastResultIsNotASecondError()
    {
        var result = Check("17*4=68\n68+39=107\n107-8=98\nA:98\n");
        Assert.Equal([null, null, ArithErrorKind.ArithmeticSlip, null], result.Lines.Select(l => l.Error));
    }

    [Fact]
    public void ExtraStep()
    {
        var result = Check("17*4=68\n68+39=107\n107-8=99\n99-8=91\nA:91\n");
        Assert.Equal(ArithErrorKind.ExtraStep, result.FirstErrorKind);
        Assert.Equal(3, result.FirstErrorIndex);
        Assert.Null(result.Lines[4].Error);
        Assert.True(result.Complete);
        Assert.False(result.AnswerCorrect);
    }

    [Fact]
    public void PartialSolutionsAreJudgedUpToTheirLastCompleteLine()
    {
        var partial = Check("17*4=68\n68+3");
        Assert.Single(partial.Lines);
        Assert.True(partial.Lines[0].PrefixCorrect);
        Assert.False(partial.Complete);
        Assert.Null(partial.FirstErrorIndex);

        var wrongSoFar = Check("17*4=67\n67+39=1");
        Assert.Equal(ArithErrorKind.ArithmeticSlip, wrongSoFar.FirstErrorKind);
        Assert.Equal([false], wrongSoFar.Lines.Select(l => l.PrefixCorrect));

        var empty = Check("");
        Assert.Empty(empty.Lines);
        Assert.False(empty.Complete);
        Assert.Null(empty.FirstErrorIndex);

        // An unterminated answer line may still grow ("A:9" → "A:99"), so it does not count yet.
        var unterminated = Check("17*4=68\n68+39=107\n107-8=99\nA:99");
        Assert.False(unterminated.Complete);
        Assert.Null(unterminated.FinalAnswer);
        Assert.Equal(3, unterminated.Lines.Count);
    }

    [Fact]
    public void EveryPrefixOfTheCanonicalSolutionIsErrorFree()
    {
        string solution = ArithTask.Solution(Example);
        for (int length = 0; length <= solution.Length; length++)
        {
            var result = Check(solution[..length]);
            Assert.Null(result.FirstErrorIndex);
            Assert.Equal(solution[..length].Count(c => c == '\n'), result.Lines.Count);
            Assert.Equal(length == solution.Length, result.Complete);
        }
    }

    [Fact]
    public void TextAfterTheAnswerLineIsIgnored()
    {
        var result = Check("17*4=68\n68+39=107\n107-8=99\nA:99\nA:5\nnonsense\n");
        Assert.True(result.IsCorrect);
        Assert.Equal(4, result.Lines.Count);
        Assert.Equal(99, result.FinalAnswer);
    }

    [Fact]
    public void FinalAnswerAgreesWithExtractAnswer()
    {
        foreach (string text in new[] { "A:99\n", "17*4=68\nA:12\nA:13\n", "A:x\n", "17*4=68\n", "A:99", "" })
            Assert.Equal(ArithTask.ExtractAnswer(text), Check(text).FinalAnswer);
    }
}
