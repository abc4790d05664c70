using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Studies.Arith;
using Ponder.Studies.Training;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Tests;

public sealed class ConfidenceScorerTests
{
    private static readonly ArithProblem Problem = ArithProblem.Parse("((17*4)+39)-8", 3);

    private static EngineModel Model() => TestModels.Random("policy", ArithPolicyData.CreateTokenizer());

    [Fact]
    public void AModelWithZeroWeightsIsUniformSoEveryStepScoresOneOverTheVocabulary()
    {
        // zero weights: every hidden state and so every logit is 0, and softmax is uniform
        var model = Model();
        Array.Clear(model.Model.Weights);
        var scores = new EngineConfidenceScorer(model).Score(ArithTask.Prompt(Problem), ["17*4=68\n", "68+39=107\n"]);
        Assert.All(scores, s => Assert.Equal(1f / model.Model.Config.VocabularySize, s, 1e-6f));
    }

    [Fact]
    public async Task ScoresAreTheRunningMinimumSoTheWholeTextScoresTheSameHoweverItIsSplitIntoSteps()
    {
        var scorer = new EngineConfidenceScorer(Model());
        string prompt = ArithTask.Prompt(Problem);
        var scores = scorer.Score(prompt, ["17*4=68\n", "68+39=107\n", "107-8=99\n", "A:99\n"]);
        Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
        for (int i = 1; i < scores.Length; i++) Assert.True(scores[i] <= scores[i - 1]);
        Assert.Equal(scores[^1], scorer.Score(prompt, ["17*4=68\n68+39=107\n", "107-8=99\nA:99\n"])[^1]);
        Assert.Equal(scores[..2], scorer.Score(prompt, ["17*4=68\n", "68+39=107\n"]));

        var problem = ArithStrategies.ToProblem(Problem);
        var result = await scorer.ScoreStepsAsync(problem, ["17*4=68\n", "68+39=107\n"]);
        Assert.Equal(scores[..2].Select(s => (double)s), result.Scores);
        Assert.Equal(1 + (prompt + "17*4=68\n68+39=107\n").Length, result.Usage.PromptTokens);
        Assert.Equal(0, result.Usage.CachedPromptTokens);

        // A run's scorer reuses what the run scored before: the partial solution, then the same text whole. The scores
        // are those of a full pass.
        var run = scorer.BeginRun();
        var first = await run.ScoreStepsAsync(problem, ["17*4=68\n"]);
        var extended = await run.ScoreStepsAsync(problem, ["17*4=68\n", "68+39=107\n"]);
        var again = await run.ScoreStepsAsync(problem, ["17*4=68\n", "68+39=107\n"]);
        Assert.Equal(0, first.Usage.CachedPromptTokens);
        Assert.Equal(first.Usage.PromptTokens, extended.Usage.CachedPromptTokens);
        Assert.Equal(again.Usage.PromptTokens, again.Usage.CachedPromptTokens);
        foreach (var cached in new[] { extended, again })
            for (int i = 0; i < 2; i++) Assert.Equal(result.Scores[i], cached.Scores[i], 1e-5);
        Assert.Equal("confidence:policy", scorer.Card.Name);
    }

    /// <summary>A study's pool scores arith samples through the task's steps, which must be the text as the policy wrote it:
    /// scored without their newlines, the policy read "17*4=6868+39=107" and every sample scored near zero.</summary>
    [Fact]
    public void TheArithStudyTaskHandsAScorerTheSolutionAsWrittenUpToItsAnswerLine()
    {
        var task = ArithStrategies.CreateTask([Problem]);
        string solution = ArithTask.Solution(Problem);
        var steps = task.StepsToScore(task.Problems[0], solution + "5+5=10\n");
        Assert.Equal(solution, string.Concat(steps));
        Assert.Equal(Ponder.Scoring.SolutionSteps.Split(solution, task.StepDelimiter), steps);
    }

    /// <summary>The built-in small policy judging itself: on a fixed set of test problems its confidence puts the canonical
    /// solution above a corrupted one (every error kind) in at least 95% of pairs (measured: 299 of 300 on the calibration split).</summary>
    [Fact]
    public void TheSmallPolicysConfidenceRanksCorrectSolutionsAboveCorruptedOnes()
    {
        var scorer = new EngineConfidenceScorer(EngineModel.Load(TrainingTests.RepositoryFile("models/arith-small.gguf")));
        var rng = new Ponder.SplitMix64(2024);
        int pairs = 0, ordered = 0;
        foreach (var problem in ArithSplits.Load(ArithSplit.Test, perLevel: 6))
            foreach (var kind in Enum.GetValues<ArithErrorKind>())
            {
                string prompt = ArithTask.Prompt(problem);
                float good = scorer.Score(prompt, SolutionLines(ArithTask.Solution(problem)))[^1];
                float bad = scorer.Score(prompt, SolutionLines(ArithCorruptor.Corrupt(problem, kind, rng).Text))[^1];
                pairs++;
                if (good > bad) ordered++;
            }
        Assert.True(ordered >= 0.95 * pairs, $"ordered {ordered} of {pairs} pairs");
    }

    private static string[] SolutionLines(string solution) => solution.Split('\n')[..^1].Select(l => l + "\n").ToArray();
}
