using Ponder;
using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Generation;
using Ponder.Studies.Training;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Tests;

/// <summary>The models shipped in models/: they load, match their configs, and behave as their cards say.</summary>
public sealed class BuiltinModelTests
{
    private static EngineModel Load(string name) => EngineModel.Load(TrainingTests.RepositoryFile($"models/{name}.gguf"));

    [Theory]
    [InlineData("arith-small")]
    [InlineData("arith-large")]
    [InlineData("arith-prm")]
    public void EachModelMatchesItsCheckedInConfig(string name)
    {
        var model = Load(name);
        var config = TrainingConfig.Load(TrainingTests.RepositoryFile($"models/{name}.train.json"));
        Assert.Equal(name, model.Name);
        var tokenizer = config.Role == "prm" ? ArithPrmData.CreateTokenizer() : ArithPolicyData.CreateTokenizer();
        Assert.Equal(config.Model.ToConfig(tokenizer.VocabularySize), model.Model.Config);
        Assert.True(File.Exists(TrainingTests.RepositoryFile($"models/{name}.card.json")), $"{name} has no card");
    }

    /// <summary>Greedy solutions of both policies are well-formed at every level: one valid step line per step, then the
    /// answer line — wrong arithmetic is allowed, a broken format is not.</summary>
    [Theory]
    [InlineData("arith-small")]
    [InlineData("arith-large")]
    public async Task EachPolicyWritesWellFormedSolutions(string name)
    {
        var generator = new EngineGenerator(Load(name));
        var problems = ArithSplits.Load(ArithSplit.Test, perLevel: 4);
        var level1Correct = 0;
        foreach (var problem in problems)
        {
            var result = await generator.GenerateAsync(new GenerationRequest
            {
                Prefix = ArithTask.Prompt(problem), Count = 1, MaxTokens = Evaluation.ArithEvaluation.MaxSolutionTokens,
                Sampling = new SamplingOptions { Temperature = 0 },
            });
            var check = ArithChecker.Check(problem, result.Continuations[0].Text);
            Assert.True(check.Complete, $"{name} left {problem} unfinished: {result.Continuations[0].Text}");
            Assert.Equal(problem.Steps.Count + 1, check.Lines.Count);
            Assert.DoesNotContain(check.Lines, line => line.Error == ArithErrorKind.Malformed);
            if (problem.Level == 1 && check.AnswerCorrect) level1Correct++;
        }
        Assert.True(level1Correct >= 3, $"{name} solved only {level1Correct} of 4 level-1 problems greedily");
    }
}
