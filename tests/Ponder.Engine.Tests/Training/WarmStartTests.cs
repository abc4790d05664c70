using Ponder.Engine.Model;
using Ponder.Engine.Tests.Model;
using Ponder.Engine.Tokenization;
using Ponder.Engine.Training;

namespace Ponder.Engine.Tests.Training;

public sealed class WarmStartTests
{
    // 3 special tokens + 8 characters = the tiny config's 11 tokens; the target adds one character, '#'.
    private static readonly CharTokenizer Source = CharTokenizer.FromAlphabet("0123+-=\n", addBos: true, byteFallback: false);
    private static readonly CharTokenizer Target = CharTokenizer.FromAlphabet("0123+-=\n#", addBos: true, byteFallback: false);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryTensorAndEverySharedTokenRowIsCopiedAndNewTokensKeepTheirInitialisation(bool tied)
    {
        var source = LlamaModel.CreateRandom(ModelGradientTests.Tiny(tied), 1);
        var targetConfig = ModelGradientTests.Tiny(tied) with { VocabularySize = Target.VocabularySize, ContextLength = 16 };
        var target = LlamaModel.CreateRandom(targetConfig, 2);
        var fresh = (float[])target.Weights.Clone();

        Assert.Equal(Source.VocabularySize, WarmStart.CopyInto(source, Source, target, Target));

        int dim = targetConfig.ModelDim, tag = Target.Encode("#")[0];
        foreach (var tensor in target.Layout.Tensors)
        {
            var from = source[source.Layout.Tensors.Single(t => t.Name == tensor.Name)];
            var to = target[tensor];
            if (tensor != target.Layout.TokenEmbedding && tensor != target.Layout.Output)
            {
                Assert.Equal(from.ToArray(), to.ToArray());
                continue;
            }
            for (int id = 0; id < Target.VocabularySize; id++)
            {
                var row = to.Slice(id * dim, dim).ToArray();
                if (id == tag) Assert.Equal(fresh.AsSpan((int)tensor.Offset + id * dim, dim).ToArray(), row);
                else Assert.Equal(from.Slice(id * dim, dim).ToArray(), row);
            }
        }
    }

    [Fact]
    public void DifferentShapesAreRefusedNamingTheDifference()
    {
        var source = LlamaModel.CreateRandom(ModelGradientTests.Tiny(true), 1);
        var target = LlamaModel.CreateRandom(ModelGradientTests.Tiny(true) with { VocabularySize = Target.VocabularySize, FeedForwardDim = 16 }, 2);
        var e = Assert.Throws<ArgumentException>(() => WarmStart.CopyInto(source, Source, target, Target));
        Assert.Contains("feed-forward dimension differs (source 12, target 16)", e.Message);
    }
}
