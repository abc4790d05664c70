using Ponder;
using Ponder.Tasks;
using Ponder.Tasks.Arith;

namespace Ponder.Tasks.Tests;

public sealed class ArithCorruptorTests
{
    private static IEnumerable<ArithProblem> Problems(int perLevel) =>
        Enumerable.Range(ArithDifficulty.MinLevel, ArithDifficulty.MaxLevel)
            .SelectMany(level => ArithGenerator.Generate(level, 17).Take(perLevel));

    [Theory]
    [InlineData(ArithErrorKind.ArithmeticSlip)]
    [InlineData(ArithErrorKind.WrongOperand)]
    [InlineData(ArithErrorKind.SkippedStep)]
    [InlineData(ArithErrorKind.Malformed)]
    [InlineData(ArithErrorKind.WrongAnswer)]
    [InlineData(ArithErrorKind.ExtraStep)]
    public void EveryKindCanBeMadeForEveryProblemAndTheCheckerFindsIt(ArithErrorKind kind)
    {
        var rng = new SplitMix64((ulong)kind);
        var lines = new HashSet<int>();
        foreach (var problem in Problems(300))
        {
            var corrupted = ArithCorruptor.Corrupt(problem, kind, rng);
            var result = ArithChecker.Check(problem, corrupted.Text);
            Assert.Equal(kind, corrupted.Kind);
            Assert.Equal(kind, result.FirstErrorKind);
            Assert.Equal(corrupted.LineIndex, result.FirstErrorIndex);
            Assert.False(result.IsCorrect);
            Assert.EndsWith("\n", corrupted.Text);
            // Only a malformed line may be malformed: the other kinds are mistakes in well-formed text.
            if (kind != ArithErrorKind.Malformed)
            {
                Assert.DoesNotContain(result.Lines, l => l.Error == ArithErrorKind.Malformed);
                Assert.True(result.Complete);
            }
            // Lines before the error are the canonical ones.
            string canonical = ArithTask.Solution(problem);
            var canonicalLines = canonical.Split('\n');
            Assert.Equal(canonicalLines.Take(corrupted.LineIndex), corrupted.Text.Split('\n').Take(corrupted.LineIndex));
            lines.Add(corrupted.LineIndex);
        }
        // Errors are spread over the lines: the answer-line kinds sit after the last step (one position per distinct step
        // count of the levels), the others on any step line (all of level 5's), and malformed lines also on the answer line.
        int positions = kind switch
        {
            ArithErrorKind.WrongAnswer or ArithErrorKind.ExtraStep => ArithDifficulty.Levels.Select(l => l.Steps).Distinct().Count(),
            ArithErrorKind.Malformed => ArithDifficulty.ForLevel(ArithDifficulty.MaxLevel).Steps + 1,
            _ => ArithDifficulty.ForLevel(ArithDifficulty.MaxLevel).Steps,
        };
        Assert.Equal(positions, lines.Count);
    }

    [Fact]
    public void ASlipChangesOnlyTheResultOfItsLine()
    {
        var rng = new SplitMix64(3);
        foreach (var problem in Problems(100))
        {
            var corrupted = ArithCorruptor.Corrupt(problem, ArithErrorKind.ArithmeticSlip, rng);
            string line = corrupted.Text.Split('\n')[corrupted.LineIndex];
            string due = problem.Steps[corrupted.LineIndex].ToString();
            Assert.Equal(due[..(due.IndexOf('=') + 1)], line[..(line.IndexOf('=') + 1)]);
            Assert.NotEqual(due, line);
        }
    }

    [Fact]
    public void WrongValuesAreCarriedForwardToAWrongAnswer()
    {
        var rng = new SplitMix64(4);
        foreach (var problem in Problems(100))
        {
            foreach (var kind in new[] { ArithErrorKind.ArithmeticSlip, ArithErrorKind.WrongOperand, ArithErrorKind.WrongAnswer, ArithErrorKind.ExtraStep })
            {
                var result = ArithChecker.Check(problem, ArithCorruptor.Corrupt(problem, kind, rng).Text);
                Assert.False(result.AnswerCorrect);
                // Every line after the first error builds correctly on what was written before it.
                Assert.Single(result.Lines, l => l.Error is not null);
            }
        }
    }

    [Fact]
    public void CorruptionsAreDeterministic()
    {
        var problem = ArithGenerator.Generate(5, 1).First();
        foreach (var kind in Enum.GetValues<ArithErrorKind>())
            Assert.Equal(ArithCorruptor.Corrupt(problem, kind, new SplitMix64(2)), ArithCorruptor.Corrupt(problem, kind, new SplitMix64(2)));
    }

    [Fact]
    public void TruncatedSolutionsAreIncompletePrefixes()
    {
        var rng = new SplitMix64(6);
        foreach (var problem in Problems(200))
        {
            string truncated = ArithCorruptor.Truncate(problem, rng);
            Assert.NotEmpty(truncated);
            Assert.StartsWith(truncated, ArithTask.Solution(problem));
            Assert.DoesNotContain(ArithTask.AnswerMarker, truncated);
            var result = ArithChecker.Check(problem, truncated);
            Assert.False(result.Complete);
            Assert.Null(result.FirstErrorIndex);
        }
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        var problem = ArithProblem.Parse("7+5", 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ArithCorruptor.Corrupt(problem, (ArithErrorKind)42, new SplitMix64(0)));
        Assert.Throws<ArgumentNullException>(() => ArithCorruptor.Corrupt(problem, ArithErrorKind.Malformed, null!));
        Assert.Throws<ArgumentNullException>(() => ArithCorruptor.Truncate(null!, new SplitMix64(0)));
    }
}
