using Ponder;
using Ponder.Tasks;
using Ponder.Tasks.Arith;

namespace Ponder.Tasks.Tests;

public sealed class ArithTaskTests
{
    private static readonly ArithProblem Example = ArithProblem.Parse("((17*4)+39)-8", 3);

    [Fact]
    public void FormatsAreFixed()
    {
        Assert.Equal("Q:((17*4)+39)-8\n", ArithTask.Prompt(Example));
        Assert.Equal("17*4=68\n68+39=107\n107-8=99\nA:99\n", ArithTask.Solution(Example));
        Assert.Equal("Q:((17*4)+39)-8\n17*4=68\n68+39=107\n107-8=99\nA:99\n", ArithTask.Format(Example));
    }

    [Theory]
    [InlineData("17*4=68\nA:99\n", 99)]
    [InlineData("A:0\n", 0)]
    [InlineData("x\nA:5\nA:6\n", 5)]
    [InlineData("A:099\n", null)]
    [InlineData("A:\n", null)]
    [InlineData("A:99", null)]
    [InlineData("17*4=68\n", null)]
    [InlineData("", null)]
    [InlineData("Q:1+2\nB:3\n", null)]
    public void ExtractAnswerReadsTheFirstCompleteAnswerLine(string solution, int? answer) =>
        Assert.Equal(answer, ArithTask.ExtractAnswer(solution));

    [Fact]
    public void RevisionPromptWithoutAttemptsIsThePlainPrompt() =>
        Assert.Equal(ArithTask.Prompt(Example), ArithTask.RevisionPrompt(Example, []));

    [Fact]
    public void RevisionPromptMarksEachAttempt()
    {
        string prompt = ArithTask.RevisionPrompt(Example, ["17*4=68\n68+39=106\n106-8=98\nA:98\n", "17*4=68\n68-8=60\n"]);
        Assert.Equal(
            "Q:((17*4)+39)-8\nW:\n17*4=68\n68+39=106\n106-8=98\nA:98\nW:\n17*4=68\n68-8=60\nR:\n",
            prompt);
    }

    [Fact]
    public void RevisionPromptKeepsTheFourMostRecentAttempts()
    {
        string[] attempts = ["A:1\n", "A:2\n", "A:3\n", "A:4\n", "A:5\n", "A:6\n"];
        Assert.Equal("Q:((17*4)+39)-8\nW:\nA:3\nW:\nA:4\nW:\nA:5\nW:\nA:6\nR:\n", ArithTask.RevisionPrompt(Example, attempts));
    }

    [Theory]
    [InlineData("17*4=6", "17*4=6\n")] // truncated: the newline is added
    [InlineData("", "")] // nothing written
    [InlineData("A:98\n17*4=68\n", "A:98\n")] // cut after the answer line
    [InlineData("A:98", "A:98\n")]
    [InlineData("17*4=68\nR:\n17*4=68\n", "17*4=68\n")] // a marker line would make the prompt ambiguous
    [InlineData("17*4=68\nW:\n", "17*4=68\n")]
    [InlineData("17*4=68\nQ:1+1\n", "17*4=68\n")]
    [InlineData("17*4=68\n\n68+39=106\n", "17*4=68\n\n68+39=106\n")] // anything else is kept verbatim
    public void RevisionPromptNormalisesAttempts(string attempt, string shown) =>
        Assert.Equal($"Q:((17*4)+39)-8\nW:\n{shown}R:\n", ArithTask.RevisionPrompt(Example, [attempt]));

    [Fact]
    public void RevisionExamplesHoldZeroToFourWrongAttemptsNearestLast()
    {
        var rng = new SplitMix64(5);
        var counts = new int[ArithTask.MaxRevisionAttempts + 1];
        foreach (var problem in ArithSplits.Stream(ArithSplit.Train, 4).Take(1000))
        {
            var example = ArithTask.RevisionExample(problem, rng);
            counts[example.WrongAttempts.Count]++;
            Assert.Same(problem, example.Problem);
            Assert.Equal(ArithTask.Solution(problem), example.Completion);
            Assert.Equal(ArithTask.RevisionPrompt(problem, example.WrongAttempts), example.Prompt);
            Assert.Equal(example.WrongAttempts.Count, example.WrongAttempts.Distinct().Count());
            Assert.All(example.WrongAttempts, a => Assert.False(ArithChecker.Check(problem, a).IsCorrect));
            var distances = example.WrongAttempts.Select(a => EditDistance.Levenshtein(a, example.Completion)).ToList();
            Assert.Equal(distances.OrderByDescending(d => d), distances);
        }
        Assert.All(counts, c => Assert.InRange(c, 150, 250));
    }

    [Fact]
    public void RevisionExamplesAreDeterministic()
    {
        var a = ArithTask.RevisionExample(Example, new SplitMix64(9));
        var b = ArithTask.RevisionExample(Example, new SplitMix64(9));
        Assert.Equal(a.Prompt, b.Prompt);
        Assert.Equal(a.WrongAttempts, b.WrongAttempts);
    }

    [Fact]
    public void RevisionExamplesWithUpToTwoAttemptsFitThePoliciesContext()
    {
        var rng = new SplitMix64(8);
        var examples = ArithSplits.Stream(ArithSplit.Train, ArithDifficulty.MaxLevel).Take(500)
            .Select(p => ArithTask.RevisionExample(p, rng)).Where(e => e.WrongAttempts.Count <= 2).ToList();
        Assert.NotEmpty(examples);
        Assert.InRange(examples.Max(e => e.Prompt.Length + e.Completion.Length), 200, 512);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        Assert.Throws<ArgumentNullException>(() => ArithTask.Prompt(null!));
        Assert.Throws<ArgumentNullException>(() => ArithTask.ExtractAnswer(null!));
        Assert.Throws<ArgumentNullException>(() => ArithTask.RevisionPrompt(Example, [null!]));
        Assert.Throws<ArgumentNullException>(() => ArithChecker.Check(Example, null!));
    }
}

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("17*4=68\n", "17*4=86\n", 2)]
    public void Levenshtein(string a, string b, int distance)
    {
        Assert.Equal(distance, EditDistance.Levenshtein(a, b));
        Assert.Equal(distance, EditDistance.Levenshtein(b, a));
    }
}
