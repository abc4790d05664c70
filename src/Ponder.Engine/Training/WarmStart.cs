// Warm start: initialise a model from a trained one of the same shape, the way a process reward model is made from its
// policy (Math-Shepherd, Lightman et al. fine-tune the policy LM into the verifier). The PRM then starts out knowing the
// arithmetic it has to judge and only learns to judge, which a randomly initialised model of this size would need far
// more steps for. Vocabularies may differ: embedding (and untied output) rows are matched by token piece, and tokens the
// source lacks (the PRM's judgement tag) keep their random initialisation.

using Ponder.Engine.Model;
using Ponder.Engine.Tokenization;

namespace Ponder.Engine.Training;

/// <summary>Copies a trained model's weights into a freshly initialised model of the same shape.</summary>
public static class WarmStart
{
    /// <summary>
    /// Overwrites <paramref name="target"/>'s weights with <paramref name="source"/>'s: every block and norm tensor whole,
    /// token rows by piece. The context length may differ (rotary positions have no weights).
    /// </summary>
    /// <returns>The number of <paramref name="targetTokenizer"/>'s tokens whose rows were copied.</returns>
    /// <exception cref="ArgumentException">The shapes differ (the message names the first difference), or
    /// <paramref name="targetTokenizer"/> does not match <paramref name="target"/>'s vocabulary.</exception>
    public static int CopyInto(LlamaModel source, CharTokenizer sourceTokenizer, LlamaModel target, CharTokenizer targetTokenizer)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourceTokenizer);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(targetTokenizer);
        var (from, to) = (source.Config, target.Config);
        RequireSame("model dimension", from.ModelDim, to.ModelDim);
        RequireSame("layers", from.Layers, to.Layers);
        RequireSame("heads", from.Heads, to.Heads);
        RequireSame("key/value heads", from.KeyValueHeads, to.KeyValueHeads);
        RequireSame("feed-forward dimension", from.FeedForwardDim, to.FeedForwardDim);
        RequireSame("tied embeddings", from.TiedEmbeddings, to.TiedEmbeddings);
        if (sourceTokenizer.VocabularySize != from.VocabularySize || targetTokenizer.VocabularySize != to.VocabularySize)
            throw new ArgumentException("a tokenizer does not match its model's vocabulary size");

        var (fromLayout, toLayout) = (source.Layout, target.Layout);
        var tokenTensors = new HashSet<string> { toLayout.TokenEmbedding.Name, toLayout.Output.Name };
        foreach (var tensor in toLayout.Tensors.Where(t => !tokenTensors.Contains(t.Name)))
            source[fromLayout.Tensors.Single(t => t.Name == tensor.Name)].CopyTo(target[tensor]);

        var sourceIds = Enumerable.Range(0, sourceTokenizer.VocabularySize).ToDictionary(sourceTokenizer.Piece);
        int copied = 0, dim = to.ModelDim;
        for (int id = 0; id < targetTokenizer.VocabularySize; id++)
        {
            if (!sourceIds.TryGetValue(targetTokenizer.Piece(id), out int sourceId)) continue;
            CopyRow(source[fromLayout.TokenEmbedding], target[toLayout.TokenEmbedding], sourceId, id, dim);
            if (!to.TiedEmbeddings) CopyRow(source[fromLayout.Output], target[toLayout.Output], sourceId, id, dim);
            copied++;
        }
        return copied;
    }

    // Token rows: [V, C] row-major, one row per token.
    private static void CopyRow(Span<float> from, Span<float> to, int fromRow, int toRow, int dim) =>
        from.Slice(fromRow * dim, dim).CopyTo(to.Slice(toRow * dim, dim));

    private static void RequireSame<T>(string what, T source, T target)
    {
        if (!EqualityComparer<T>.Default.Equals(source, target))
            throw new ArgumentException($"cannot warm-start: the {what} differs (source {source}, target {target})");
    }
}
