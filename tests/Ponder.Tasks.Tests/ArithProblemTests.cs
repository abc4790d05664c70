using Ponder.Tasks.Arith;

namespace Ponder.Tasks.Tests;

public sealed class ArithProblemTests
{
    [Fact]
    public void ParseDerivesStepsAndAnswer()
    {
        var p = ArithProblem.Parse("((17*4)+39)-8", level: 3);
        Assert.Equal(3, p.Level);
        Assert.Equal(99, p.Answer);
        Assert.Equal(
            [new ArithStep(17, ArithOp.Multiply, 4, 68), new ArithStep(68, ArithOp.Add, 39, 107), new ArithStep(107, ArithOp.Subtract, 8, 99)],
            p.Steps);
        Assert.Equal("17*4=68", p.Steps[0].ToString());
        Assert.StartsWith("arith-L3-", p.Id);
        Assert.Equal(9 + 16, p.Id.Length);
    }

    [Fact]
    public void CreateWritesTheExpressionParseReads()
    {
        var p = ArithProblem.Create(2, 17, [(ArithOp.Multiply, 4), (ArithOp.Add, 39), (ArithOp.Subtract, 8)]);
        Assert.Equal("((17*4)+39)-8", p.Expression);
        Assert.Equal(p, ArithProblem.Parse(p.Expression, 2));
        Assert.Equal("7+5", ArithProblem.Create(1, 7, [(ArithOp.Add, 5)]).Expression);
    }

    [Fact]
    public void IdAndEqualityDependOnLevelAndExpressionOnly()
    {
        var a = ArithProblem.Parse("(7+5)-3", 1);
        var b = ArithProblem.Parse("(7+5)-3", 1);
        var c = ArithProblem.Parse("(7+5)-3", 2);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a.Id, b.Id);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a.Id, c.Id);
    }

    [Fact]
    public void IdIsStableAcrossRuns()
    {
        // Ids name problems in results files, so they must never change.
        Assert.Equal("arith-L3-1960355d71ceacd5", ArithProblem.Parse("((17*4)+39)-8", 3).Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("17")]
    [InlineData("(17*4)")]
    [InlineData("17*4+39")]
    [InlineData("(17*4+39")]
    [InlineData("((17*4)+39-8")]
    [InlineData("(17*4))+39")]
    [InlineData("17 * 4")]
    [InlineData("017*4")]
    [InlineData("17/4")]
    [InlineData("-3+4")]
    [InlineData("17*4 ")]
    [InlineData("1234567890+1")]
    public void ParseRejectsOtherForms(string expression) =>
        Assert.Throws<FormatException>(() => ArithProblem.Parse(expression, 1));

    [Fact]
    public void ResultsMustBeWritable()
    {
        Assert.Throws<ArgumentException>(() => ArithProblem.Parse("3-4", 1));
        Assert.Throws<ArgumentException>(() => ArithProblem.Parse("(99999*99999)+1", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ArithProblem.Parse("3+4", 0));
        Assert.Throws<ArgumentException>(() => ArithProblem.Create(1, 3, []));
        Assert.Equal(0, ArithProblem.Parse("4-4", 1).Answer);
    }
}
