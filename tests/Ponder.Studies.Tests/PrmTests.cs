using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Studies.Training;
using Ponder.Tasks.Arith;
using Ponder.Scoring;

namespace Ponder.Studies.Tests;

public sealed class PrmTests
{
    private static readonly ArithProblem Problem = ArithProblem.Parse("((17*4)+39)-8", 3);

    [Fact]
    public void TagsCarryTheCheckersPrefixLabelsAndNothingElseCarriesLoss()
    {
        var tokenizer = ArithPrmData.CreateTokenizer();
        string wrong = "17*4=68\n68+39=108\n108-8=100\nA:100\n"; // slip at the second step
        var data = new ArithPrmData(tokenizer, [new PolicySample(Problem.Expression, 3, wrong)], 64, seed: 1);
        int[] inputs = new int[64], targets = new int[64];
        var mask = new float[64];
        data.FillBatch(0, inputs, targets, mask);
        int tag = tokenizer.Encode("#")[0];
        var judged = Enumerable.Range(0, 64).Where(i => mask[i] != 0).ToArray();
        Assert.Equal(Enumerable.Range(0, 64).Where(i => inputs[i] == tag).Take(4), judged.Take(4));
        Assert.Equal("+---", string.Concat(judged.Take(4).Select(i => tokenizer.Decode([targets[i]]))));
        Assert.StartsWith("Q:((17*4)+39)-8\n17*4=68\n#68+39=108\n#", tokenizer.Decode(inputs.AsSpan(1, 40)));
    }

    [Fact]
    public void ContrastAddsTheCanonicalAndCorruptedSolutionsOfEachProblemOnce()
    {
        PolicySample[] samples = [new(Problem.Expression, 3, "17*4=68\n"), new(Problem.Expression, 3, "17*4=69\n")];
        var all = ArithPrmData.WithContrast(samples, 2, seed: 5);
        Assert.Equal(5, all.Count);
        Assert.Equal(samples, all.Take(2));
        Assert.Equal(ArithTask.Solution(Problem), all[2].Solution);
        Assert.All(all.Skip(3), s => Assert.False(ArithChecker.Check(Problem, s.Solution).IsCorrect));
        Assert.Equal(all, ArithPrmData.WithContrast(samples, 2, seed: 5));
        Assert.Same(samples, ArithPrmData.WithContrast(samples, 0, seed: 5));
    }

    [Fact]
    public void TheScorerGivesOneProbabilityPerStepAndRejectsModelsWithoutTheFormat()
    {
        var tokenizer = ArithPrmData.CreateTokenizer();
        var prm = new EngineStepScorer(TestModels.Random("prm", tokenizer), PrmFormat.Arith);
        var scores = prm.Score(ArithTask.Prompt(Problem), ["17*4=68", "68+39=107", "107-8=99", "A:99"]);
        Assert.Equal(4, scores.Length);
        Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
        Assert.Equal(scores[..2], prm.Score(ArithTask.Prompt(Problem), ["17*4=68", "68+39=107"]));

        var policyTokenizer = ArithPolicyData.CreateTokenizer();
        var policy = TestModels.Random("policy", policyTokenizer);
        var e = Assert.Throws<ArgumentException>(() => new EngineStepScorer(policy, PrmFormat.Arith));
        Assert.Contains("no token for the tag '#'", e.Message);
    }
}

public sealed class ArithStrategyWiringTests
{
    [Fact]
    public void TheAnswerKeyReadsTheAnswerLineAndComparesIntegers()
    {
        var key = ArithAnswerKey.Instance;
        Assert.Equal("99", key.ExtractAnswer("17*4=68\n68+39=107\n107-8=99\nA:99\n"));
        Assert.Null(key.ExtractAnswer("17*4=68\nA:9"));
        Assert.True(key.AreEquivalent("99", "99"));
        Assert.False(key.AreEquivalent("99", "98"));
        Assert.False(key.AreEquivalent("99", "x"));
    }

    [Fact]
    public async Task TheStepScorerAdapterAcceptsStepsWithOrWithoutDelimiterAndReportsItsTokens()
    {
        var tokenizer = ArithPrmData.CreateTokenizer();
        var prm = new EngineStepScorer(TestModels.Random("prm", tokenizer), PrmFormat.Arith);
        var problem = Ponder.Studies.Arith.ArithStrategies.ToProblem(ArithProblem.Parse("((17*4)+39)-8", 3));
        var withDelimiters = await prm.ScoreStepsAsync(problem, ["17*4=68\n", "68+39=107\n"]);
        var bare = await prm.ScoreStepsAsync(problem, ["17*4=68", "68+39=107"]);
        Assert.Equal(withDelimiters.Scores, bare.Scores);
        Assert.Equal(1 + "Q:((17*4)+39)-8\n17*4=68\n#68+39=107\n#".Length, bare.Usage.PromptTokens);
    }
}
