namespace Ponder.Generation;

/// <summary>
/// What compute accounting needs to know about a model: its size and shape.
/// Forward FLOPs per token at context position t are 2·<see cref="NonEmbeddingParameters"/> + 2·<see cref="Layers"/>·t·<see cref="AttentionDim"/>
/// (Kaplan et al.), plus 2·<see cref="ModelDim"/>·<see cref="VocabularySize"/> for the output projection.
/// </summary>
/// <param name="Name">Display name of the model.</param>
/// <param name="Parameters">All parameters, embeddings included.</param>
/// <param name="NonEmbeddingParameters">Parameters outside the token embedding and the output projection.</param>
/// <param name="Layers">Number of transformer blocks.</param>
/// <param name="ModelDim">Residual stream width (d_model).</param>
/// <param name="AttentionDim">Width of the attention (query heads × head size).</param>
/// <param name="Heads">Number of query heads.</param>
/// <param name="KeyValueHeads">Number of key/value heads (grouped-query attention when fewer than <see cref="Heads"/>).</param>
/// <param name="ContextLength">Longest sequence the model accepts, in tokens.</param>
/// <param name="VocabularySize">Number of tokens in the vocabulary.</param>
public sealed record ModelCard(
    string Name,
    long Parameters,
    long NonEmbeddingParameters,
    int Layers,
    int ModelDim,
    int AttentionDim,
    int Heads,
    int KeyValueHeads,
    int ContextLength,
    int VocabularySize)
{
    /// <summary>Forward FLOPs to process one token at context position <paramref name="position"/> (0-based).</summary>
    public double ForwardFlopsPerToken(int position) =>
        2.0 * NonEmbeddingParameters + 2.0 * Layers * position * AttentionDim + 2.0 * ModelDim * VocabularySize;

    /// <summary>Forward FLOPs to process the tokens at positions [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public double ForwardFlops(int start, int end)
    {
        if (end <= start) return 0;
        long count = end - start;
        // Σ_{t=start}^{end-1} t = count·(start+end-1)/2
        double positionSum = count * (start + end - 1) / 2.0;
        return count * (2.0 * NonEmbeddingParameters + 2.0 * ModelDim * VocabularySize) + 2.0 * Layers * AttentionDim * positionSum;
    }
}
