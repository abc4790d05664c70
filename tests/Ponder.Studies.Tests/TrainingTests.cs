using Ponder.Studies.Training;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Tests;

public sealed class TrainingTests
{
    internal static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ponder.sln"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException("repository root (Ponder.sln) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void TheCheckedInSmallPolicyConfigTrainsDeterministically()
    {
        var config = TrainingConfig.Load(RepositoryFile("models/arith-small.train.json"));
        float[] Run()
        {
            string dir = Path.Combine(Path.GetTempPath(), "ponder-train-" + Guid.NewGuid().ToString("N"));
            try
            {
                var run = TrainingRun.Open(config, dir, resume: false, TrainingRun.PrepareDataAsync(config, dir).GetAwaiter().GetResult());
                return [run.Step().Loss, run.Step().Loss];
            }
            finally { Directory.Delete(dir, recursive: true); }
        }
        var first = Run();
        Assert.Equal(first, Run());
        Assert.All(first, loss => Assert.InRange(loss, 1f, 10f));
    }

    [Theory]
    [InlineData("models/arith-small.train.json", "policy")]
    [InlineData("models/arith-large.train.json", "policy")]
    [InlineData("models/arith-prm.train.json", "prm")]
    [InlineData("bench/train-1m.json", "policy")]
    [InlineData("tests/crash/tiny.train.json", "policy")]
    public void EveryCheckedInConfigIsValid(string path, string role) =>
        Assert.Equal(role, TrainingConfig.Load(RepositoryFile(path)).Role);

    [Fact]
    public void TheLargePolicyHasAtLeastFourTimesTheParametersOfTheSmallOne()
    {
        long Parameters(string path) =>
            new Ponder.Engine.Model.ParameterLayout(TrainingConfig.Load(RepositoryFile(path)).Model.ToConfig(ArithPolicyData.CreateTokenizer().VocabularySize)).Count;
        Assert.True(Parameters("models/arith-large.train.json") >= 4 * Parameters("models/arith-small.train.json"));
    }

    [Fact]
    public void PolicyDataLearnsOnlyCompletionsOfTrainProblems()
    {
        var tokenizer = ArithPolicyData.CreateTokenizer();
        var data = new ArithPolicyData(tokenizer, new DataOptions { RevisionShare = 0.3 }, 128);
        int n = 4 * 128;
        int[] inputs = new int[n], targets = new int[n];
        var mask = new float[n];
        data.FillBatch(7, inputs, targets, mask);
        for (int row = 0; row < 4; row++)
        {
            Assert.Equal(tokenizer.Bos, inputs[row * 128]);
            string text = tokenizer.Decode(inputs.AsSpan(row * 128, 128));
            // every question in the row is a train-split expression
            foreach (var line in text.Split('\n').Where(l => l.StartsWith("Q:", StringComparison.Ordinal)))
                Assert.Equal(ArithSplit.Train, ArithSplits.SplitOf(line[2..]));
        }
        // the loss covers solution characters and end-of-sequence, never a question
        for (int i = 0; i < n; i++)
            if (mask[i] != 0) Assert.NotEqual('Q', tokenizer.Decode([targets[i]]).FirstOrDefault());
        Assert.Contains(mask, m => m != 0);
        Assert.Contains(targets.Where((t, i) => mask[i] != 0), t => t == tokenizer.Eos);

        var again = new int[n];
        data.FillBatch(7, again, new int[n], new float[n]);
        Assert.Equal(inputs, again);
    }

    [Fact]
    public void InvalidConfigsFailWithTheFileAndTheProblem()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ponder-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, """{ "name": "x", "model": { "modelDim": 100, "heads": 3 } }""");
            var e = Assert.Throws<InvalidDataException>(() => TrainingConfig.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("heads must divide the model width", e.Message);

            File.WriteAllText(path, """{ "name": "x", "modle": {} }""");
            e = Assert.Throws<InvalidDataException>(() => TrainingConfig.Load(path));
            Assert.Contains("modle", e.Message);

            File.WriteAllText(path, """{ "name": "x", "model": { "modelDim": -8 } }""");
            Assert.Contains("model width must be ≥ 1, got -8", Assert.Throws<InvalidDataException>(() => TrainingConfig.Load(path)).Message);

            File.WriteAllText(path, """{ "name": "x", "model": null }""");
            Assert.Contains("model must be an object", Assert.Throws<InvalidDataException>(() => TrainingConfig.Load(path)).Message);

            File.WriteAllText(path, """{ "name": "x", "model": { "modelDim": 100000, "feedForwardDim": 100000 } }""");
            e = Assert.Throws<InvalidDataException>(() => TrainingConfig.Load(path));
            Assert.StartsWith(path + ": the model has more parameters than the engine holds", e.Message);
        }
        finally { File.Delete(path); }
    }
}
