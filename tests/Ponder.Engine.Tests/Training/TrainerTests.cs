using Ponder;
using Ponder.Engine.Model;
using Ponder.Engine.Training;

namespace Ponder.Engine.Tests.Training;

/// <summary>
/// Arithmetic progressions modulo V with a per-sequence step of 1, 2 or 3: the model must read the step off the first
/// two tokens (attention), then continue the progression. The loss covers positions 2 onward, which are determined.
/// </summary>
internal sealed class ProgressionData(int vocabulary, ulong seed) : ITrainingData
{
    public void FillBatch(long step, int[] inputs, int[] targets, float[] mask)
    {
        var rng = new SplitMix64(SplitMix64.Derive(seed, (ulong)step));
        int t = inputs.Length / 16;
        for (int b = 0; b < 16; b++)
        {
            int start = rng.NextInt(0, vocabulary - 1), stride = rng.NextInt(1, 3);
            for (int i = 0; i < t; i++)
            {
                inputs[b * t + i] = (start + i * stride) % vocabulary;
                targets[b * t + i] = (start + (i + 1) * stride) % vocabulary;
                mask[b * t + i] = i >= 1 ? 1f : 0f;
            }
        }
    }
}

public sealed class TrainerTests
{
    private static readonly LlamaConfig Config = new()
    {
        VocabularySize = 13, ContextLength = 12, ModelDim = 32, Layers = 2, Heads = 2, KeyValueHeads = 2, FeedForwardDim = 64,
    };

    private static TrainingOptions Options(int steps) => new()
    {
        Steps = steps, BatchSize = 16, LearningRate = 3e-3f, WarmupSteps = 20, WeightDecay = 0.01f, Seed = 42,
    };

    [Fact]
    public void LearnsProgressionsToLowLoss()
    {
        var trainer = new Trainer(LlamaModel.CreateRandom(Config, 42), Options(400), new ProgressionData(13, 1));
        var losses = new List<float>();
        while (!trainer.IsComplete) losses.Add(trainer.TrainStep().Loss);
        float start = losses.Take(10).Average(), end = losses.TakeLast(20).Average();
        // Chance is ln 13 ≈ 2.56; a model that learned the task predicts the next term with near certainty.
        Assert.True(start > 2.0f, $"initial loss {start}");
        Assert.True(end < 0.05f, $"final loss {end} (initial {start})");
    }

    [Fact]
    public void TrainingIsDeterministicForASeed()
    {
        float[] Run()
        {
            var trainer = new Trainer(LlamaModel.CreateRandom(Config, 42), Options(30), new ProgressionData(13, 1));
            return Enumerable.Range(0, 8).Select(_ => trainer.TrainStep().Loss).ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void ResumedTrainingEqualsUninterruptedTraining()
    {
        var data = new ProgressionData(13, 1);
        var straight = new Trainer(LlamaModel.CreateRandom(Config, 42), Options(30), data);
        for (int i = 0; i < 6; i++) straight.TrainStep();

        var first = new Trainer(LlamaModel.CreateRandom(Config, 42), Options(30), data);
        for (int i = 0; i < 3; i++) first.TrainStep();
        string path = Path.Combine(Path.GetTempPath(), $"ponder-{Guid.NewGuid():N}.ckpt");
        try
        {
            first.SaveCheckpoint(path);
            var resumed = Trainer.Resume(path, data);
            Assert.Equal(3, resumed.Step);
            for (int i = 0; i < 3; i++) resumed.TrainStep();
            Assert.Equal(straight.Model.Weights, resumed.Model.Weights);
            Assert.Equal(straight.TokensSeen, resumed.TokensSeen);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void CorruptCheckpointsFailWithTheFileNameAndTheProblem()
    {
        var trainer = new Trainer(LlamaModel.CreateRandom(Config, 42), Options(30), new ProgressionData(13, 1));
        string path = Path.Combine(Path.GetTempPath(), $"ponder-{Guid.NewGuid():N}.ckpt");
        try
        {
            trainer.SaveCheckpoint(path);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
            var truncated = Assert.Throws<InvalidDataException>(() => Trainer.Resume(path, new ProgressionData(13, 1)));
            Assert.Contains(path, truncated.Message);
            Assert.Contains("truncated", truncated.Message);

            bytes[0] = (byte)'X';
            File.WriteAllBytes(path, bytes);
            var magic = Assert.Throws<InvalidDataException>(() => Trainer.Resume(path, new ProgressionData(13, 1)));
            Assert.Contains("magic", magic.Message);

            // Header fields that parse but cannot belong to a checkpoint.
            bytes[0] = (byte)'P';
            int length = BitConverter.ToInt32(bytes, 12);
            string json = System.Text.Encoding.UTF8.GetString(bytes, 16, length);
            foreach (var (field, corrupt, problem) in new[]
            {
                ("\"Step\":0", "\"Step\":-5", "step -5 of 30"), ("\"Step\":0", "\"Step\":31", "step 31 of 30"),
                ("\"ModelDim\":32", "\"ModelDim\":-32", "model width must be ≥ 1"), ("\"LearningRate\":0.003", "\"LearningRate\":-1", "learning rate must be > 0"),
            })
            {
                Assert.Contains(field, json);
                byte[] header = System.Text.Encoding.UTF8.GetBytes(json.Replace(field, corrupt));
                File.WriteAllBytes(path, [.. bytes[..12], .. BitConverter.GetBytes(header.Length), .. header, .. bytes[(16 + length)..]]);
                var e = Assert.Throws<InvalidDataException>(() => Trainer.Resume(path, new ProgressionData(13, 1)));
                Assert.StartsWith(path + ": malformed checkpoint header", e.Message);
                Assert.Contains(problem, e.Message);
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ScheduleWarmsUpThenDecaysToTheMinimum()
    {
        var o = new TrainingOptions { Steps = 100, WarmupSteps = 10, LearningRate = 1f, MinLearningRateFraction = 0.1f };
        Assert.Equal(0.1f, o.LearningRateAt(0), 5);
        Assert.Equal(1f, o.LearningRateAt(9), 5);
        Assert.Equal(1f, o.LearningRateAt(10), 5);
        Assert.Equal(0.55f, o.LearningRateAt(55), 5);
        Assert.Equal(0.1f, o.LearningRateAt(100), 5);
    }
}
