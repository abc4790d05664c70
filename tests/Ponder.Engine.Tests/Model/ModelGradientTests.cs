using Ponder;
using Ponder.Engine.Model;
using Ponder.Engine.Training;

namespace Ponder.Engine.Tests.Model;

public sealed class ModelGradientTests
{
    internal static LlamaConfig Tiny(bool tied) => new()
    {
        VocabularySize = 11, ContextLength = 8, ModelDim = 8, Layers = 2, Heads = 2, KeyValueHeads = 1,
        FeedForwardDim = 12, TiedEmbeddings = tied,
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FullModelGradientMatchesFiniteDifferences(bool tied)
    {
        var model = LlamaModel.CreateRandom(Tiny(tied), 7);
        // larger weights than the default init so that every path carries a measurable gradient
        var rng = new SplitMix64(3);
        for (int i = 0; i < model.Weights.Length; i++) model.Weights[i] += rng.NextGaussian() * 0.3f;
        int b = 2, t = 5, n = b * t;
        var pass = new TrainingPass(model, b, t);
        var inputs = Enumerable.Range(0, n).Select(i => (i * 7 + 3) % 11).ToArray();
        var targets = Enumerable.Range(0, n).Select(i => (i * 5 + 1) % 11).ToArray();
        var mask = Enumerable.Range(0, n).Select(i => i % 4 == 0 ? 0f : 1f).ToArray();

        pass.ZeroGradients();
        pass.Forward(inputs, targets, mask);
        pass.Backward();
        var analytic = (float[])pass.Gradients.Clone();

        const float h = 1e-3f;
        int checkedCount = 0;
        for (int i = 0; i < model.Weights.Length; i++)
        {
            float saved = model.Weights[i];
            model.Weights[i] = saved + h; pass.Forward(inputs, targets, mask); double up = pass.LastLoss;
            model.Weights[i] = saved - h; pass.Forward(inputs, targets, mask); double down = pass.LastLoss;
            model.Weights[i] = saved;
            double numeric = (up - down) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-3 + 3e-2 * Math.Abs(numeric),
                $"parameter {i} ({TensorOf(model.Layout, i)}): analytic {analytic[i]:G6}, numeric {numeric:G6}");
            checkedCount++;
        }
        Assert.Equal(model.Layout.Count, checkedCount);
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-3);
    }

    private static string TensorOf(ParameterLayout layout, int index) =>
        layout.Tensors.Last(t => t.Offset <= index).Name;
}
