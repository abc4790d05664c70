using Ponder;
using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Engine.Training;

namespace Ponder.Engine.Tests.Inference;

public sealed class InferenceEngineTests
{
    internal static readonly LlamaConfig Config = new()
    {
        VocabularySize = 23, ContextLength = 48, ModelDim = 32, Layers = 2, Heads = 4, KeyValueHeads = 2, FeedForwardDim = 48,
    };

    internal static LlamaModel RandomModel()
    {
        var model = LlamaModel.CreateRandom(Config, 11);
        var rng = new SplitMix64(5);
        for (int i = 0; i < model.Weights.Length; i++) model.Weights[i] += rng.NextGaussian() * 0.1f;
        return model;
    }

    private static int[] Tokens(int n, ulong seed)
    {
        var rng = new SplitMix64(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextInt(0, Config.VocabularySize - 1)).ToArray();
    }

    [Fact]
    public void CachedDecodeEqualsFullRecomputation()
    {
        var engine = new InferenceEngine(RandomModel());
        var ws = new InferenceEngine.Workspace();
        var tokens = Tokens(30, 1);

        // decode one token at a time after a 5-token prefill
        var cached = engine.NewSequence([], Config.ContextLength);
        var stepLogits = new List<float[]> { engine.Forward([cached], [tokens[..5]], ws).ToArray() };
        for (int t = 5; t < tokens.Length; t++) stepLogits.Add(engine.Forward([cached], [[tokens[t]]], ws).ToArray());

        // recompute every prefix from scratch
        for (int t = 5; t <= tokens.Length; t++)
        {
            var fresh = engine.NewSequence([], Config.ContextLength);
            var full = engine.Forward([fresh], [tokens[..t]], ws).ToArray();
            var step = stepLogits[t - 5];
            for (int v = 0; v < full.Length; v++)
                Assert.True(Math.Abs(full[v] - step[v]) < 1e-4f, $"position {t - 1}, token {v}: recomputed {full[v]}, cached {step[v]}");
        }
    }

    [Fact]
    public void InferenceMatchesTheTrainingForwardPass()
    {
        var model = RandomModel();
        var engine = new InferenceEngine(model);
        int b = 2, t = 12;
        var inputs = Tokens(b * t, 3);
        var pass = new TrainingPass(model, b, t);
        pass.Forward(inputs, new int[b * t], Enumerable.Repeat(1f, b * t).ToArray());
        var probs = pass.Probabilities.ToArray();

        var ws = new InferenceEngine.Workspace();
        for (int s = 0; s < b; s++)
        {
            var seq = engine.NewSequence([], t);
            var logits = engine.Forward([seq], [inputs[(s * t)..((s + 1) * t)]], ws, allPositions: true).ToArray();
            for (int row = 0; row < t; row++)
            {
                var p = Softmax(logits.AsSpan(row * Config.VocabularySize, Config.VocabularySize));
                for (int v = 0; v < p.Length; v++)
                {
                    float expected = probs[((s * t) + row) * Config.VocabularySize + v];
                    Assert.True(Math.Abs(expected - p[v]) < 1e-5f, $"sequence {s}, position {row}, token {v}: training {expected}, inference {p[v]}");
                }
            }
        }
    }

    [Fact]
    public void BatchedDecodeIsBitIdenticalToOneAtATime()
    {
        var engine = new InferenceEngine(RandomModel());
        var prompts = new[] { Tokens(7, 1), Tokens(3, 2), Tokens(12, 3), Tokens(1, 4) };
        var next = Tokens(4, 9);

        var ws = new InferenceEngine.Workspace();
        var batch = prompts.Select(_ => engine.NewSequence([], 20)).ToArray();
        engine.Forward(batch, prompts, ws);
        var batched = engine.Forward(batch, next.Select(t => new[] { t }).ToArray(), ws).ToArray();

        for (int s = 0; s < prompts.Length; s++)
        {
            var alone = engine.NewSequence([], 20);
            engine.Forward([alone], [prompts[s]], ws);
            var single = engine.Forward([alone], [[next[s]]], ws).ToArray();
            Assert.Equal(single, batched.AsSpan(s * Config.VocabularySize, Config.VocabularySize).ToArray());
        }
    }

    [Fact]
    public void ForkedSequencesSeeTheSharedPrefixExactly()
    {
        var engine = new InferenceEngine(RandomModel());
        var ws = new InferenceEngine.Workspace();
        var prefix = Tokens(9, 1);
        var suffixes = new[] { Tokens(4, 2), Tokens(2, 3), Tokens(5, 4) };

        var root = engine.NewSequence([], prefix.Length);
        engine.Forward([root], [prefix], ws);
        var children = suffixes.Select(_ => engine.NewSequence(root.Fork(), 8)).ToArray();
        var shared = engine.Forward(children, suffixes, ws).ToArray();

        for (int s = 0; s < suffixes.Length; s++)
        {
            var alone = engine.NewSequence([], 20);
            var logits = engine.Forward([alone], [[.. prefix, .. suffixes[s]]], ws).ToArray();
            Assert.Equal(logits, shared.AsSpan(s * Config.VocabularySize, Config.VocabularySize).ToArray());
        }
    }

    private static float[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float l in logits) max = Math.Max(max, l);
        var p = new float[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) { p[i] = MathF.Exp(logits[i] - max); sum += p[i]; }
        for (int i = 0; i < p.Length; i++) p[i] = (float)(p[i] / sum);
        return p;
    }
}
