using System.Text.Json.Serialization;

namespace Ponder.Engine.Model;

/// <summary>
/// Shape of a Llama-architecture model (DESIGN.md §3). Letters used in shape comments across the engine:
/// V vocabulary, C model width, L layers, NH query heads, NKV key/value heads, hs head size, F MLP width.
/// </summary>
public sealed record LlamaConfig
{
    /// <summary>V: tokens in the vocabulary.</summary>
    public required int VocabularySize { get; init; }
    /// <summary>Longest sequence in tokens.</summary>
    public required int ContextLength { get; init; }
    /// <summary>C: residual stream width.</summary>
    public required int ModelDim { get; init; }
    /// <summary>L: transformer blocks.</summary>
    public required int Layers { get; init; }
    /// <summary>NH: query heads.</summary>
    public required int Heads { get; init; }
    /// <summary>NKV: key/value heads; fewer than <see cref="Heads"/> is grouped-query attention.</summary>
    public required int KeyValueHeads { get; init; }
    /// <summary>F: hidden width of the SwiGLU MLP.</summary>
    public required int FeedForwardDim { get; init; }
    /// <summary>Whether the output projection reuses the token embedding.</summary>
    public bool TiedEmbeddings { get; init; } = true;
    /// <summary>RoPE base frequency.</summary>
    public float RopeBase { get; init; } = 10000f;
    /// <summary>RMSNorm epsilon.</summary>
    public float NormEpsilon { get; init; } = 1e-5f;

    /// <summary>hs = C / NH.</summary>
    [JsonIgnore] public int HeadSize => ModelDim / Heads;
    /// <summary>Width of the query projection, NH·hs.</summary>
    [JsonIgnore] public int AttentionDim => Heads * HeadSize;
    /// <summary>Width of the key and value projections, NKV·hs.</summary>
    [JsonIgnore] public int KeyValueDim => KeyValueHeads * HeadSize;

    /// <summary>Throws <see cref="ArgumentException"/> naming the inconsistent values.</summary>
    public void Validate()
    {
        if (VocabularySize < 4) throw new ArgumentException($"vocabulary size must be ≥ 4, got {VocabularySize}");
        if (ContextLength < 2) throw new ArgumentException($"context length must be ≥ 2, got {ContextLength}");
        if (Layers < 1) throw new ArgumentException($"layers must be ≥ 1, got {Layers}");
        if (ModelDim < 1) throw new ArgumentException($"model width must be ≥ 1, got {ModelDim}");
        if (Heads < 1 || ModelDim % Heads != 0)
            throw new ArgumentException($"heads must divide the model width: model width {ModelDim}, heads {Heads}");
        if (HeadSize % 2 != 0) throw new ArgumentException($"head size must be even for RoPE, got {HeadSize}");
        if (KeyValueHeads < 1 || Heads % KeyValueHeads != 0)
            throw new ArgumentException($"key/value heads must divide heads: heads {Heads}, key/value heads {KeyValueHeads}");
        if (FeedForwardDim < 1) throw new ArgumentException($"feed-forward width must be ≥ 1, got {FeedForwardDim}");
        // The RoPE tables and a sequence's keys and values per layer hold context length × width floats in one array.
        if ((long)ContextLength * ModelDim > Array.MaxLength)
            throw new ArgumentException($"context length × model width must be at most {Array.MaxLength:N0}, got {ContextLength} × {ModelDim}");
        if (!(RopeBase > 1)) throw new ArgumentException($"RoPE base must be > 1, got {RopeBase}");
        if (!(NormEpsilon > 0)) throw new ArgumentException($"norm epsilon must be > 0, got {NormEpsilon}");
    }
}
