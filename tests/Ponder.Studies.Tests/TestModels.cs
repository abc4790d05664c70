using Ponder.Engine.Model;
using Ponder.Engine.Tokenization;

namespace Ponder.Studies.Tests;

/// <summary>Untrained one-layer transformers for tests of the machinery around a model, not of its skill.</summary>
internal static class TestModels
{
    public static EngineModel Random(string name, CharTokenizer tokenizer, int dim = 32, ulong seed = 1, int contextLength = 128) =>
        new(name, LlamaModel.CreateRandom(new LlamaConfig
        {
            VocabularySize = tokenizer.VocabularySize, ContextLength = contextLength, ModelDim = dim, Layers = 1, Heads = 2, KeyValueHeads = 2, FeedForwardDim = dim,
        }, seed), tokenizer);
}
