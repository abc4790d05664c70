namespace Ponder.Engine.Model;

/// <summary>
/// One named tensor inside the contiguous parameter buffer. Matrices are stored [Rows=out, Cols=in] row-major
/// (PyTorch layout), which GGUF writes with ne = {Cols, Rows}; vectors have Rows = 1.
/// </summary>
public sealed record ParameterTensor(string Name, int Rows, int Cols, long Offset)
{
    /// <summary>Number of elements.</summary>
    public int Length => Rows * Cols;
    /// <summary>Whether the tensor is a matrix (weight decay applies) rather than a norm vector.</summary>
    public bool IsMatrix => Rows > 1;
    /// <summary>GGUF dimensions, innermost first.</summary>
    public ulong[] GgufDims => IsMatrix ? [(ulong)Cols, (ulong)Rows] : [(ulong)Cols];
}

/// <summary>The tensors of one transformer block.</summary>
public sealed record BlockTensors(
    ParameterTensor AttentionNorm, ParameterTensor Query, ParameterTensor Key, ParameterTensor Value, ParameterTensor AttentionOutput,
    ParameterTensor FeedForwardNorm, ParameterTensor Gate, ParameterTensor Up, ParameterTensor Down);

/// <summary>
/// Where every parameter lives in one contiguous buffer (parameters, gradients and AdamW moments share it), named
/// with llama.cpp's GGUF tensor names.
/// </summary>
public sealed class ParameterLayout
{
    /// <summary>Lays out the tensors of <paramref name="config"/>.</summary>
    public ParameterLayout(LlamaConfig config)
    {
        config.Validate();
        int c = config.ModelDim, v = config.VocabularySize, f = config.FeedForwardDim;
        long offset = 0;
        var all = new List<ParameterTensor>();
        ParameterTensor Add(string name, int rows, int cols)
        {
            // Parameters, gradients and moments are single arrays indexed by int.
            if (offset + (long)rows * cols > Array.MaxLength)
                throw new ArgumentException($"the model has more parameters than the engine holds in one buffer ({Array.MaxLength:N0}) by {name}: model width {c}, layers {config.Layers}, feed-forward width {f}, vocabulary {v}");
            var t = new ParameterTensor(name, rows, cols, offset);
            offset += t.Length;
            all.Add(t);
            return t;
        }

        TokenEmbedding = Add("token_embd.weight", v, c);
        var blocks = new BlockTensors[config.Layers];
        for (int l = 0; l < config.Layers; l++)
        {
            string p = $"blk.{l}.";
            blocks[l] = new BlockTensors(
                Add(p + "attn_norm.weight", 1, c),
                Add(p + "attn_q.weight", config.AttentionDim, c),
                Add(p + "attn_k.weight", config.KeyValueDim, c),
                Add(p + "attn_v.weight", config.KeyValueDim, c),
                Add(p + "attn_output.weight", c, config.AttentionDim),
                Add(p + "ffn_norm.weight", 1, c),
                Add(p + "ffn_gate.weight", f, c),
                Add(p + "ffn_up.weight", f, c),
                Add(p + "ffn_down.weight", c, f));
        }
        Blocks = blocks;
        OutputNorm = Add("output_norm.weight", 1, c);
        Output = config.TiedEmbeddings ? TokenEmbedding : Add("output.weight", v, c);
        Tensors = all;
        Count = offset;
        NonEmbeddingCount = offset - TokenEmbedding.Length - (config.TiedEmbeddings ? 0 : Output.Length);
    }

    /// <summary>token_embd.weight [V, C].</summary>
    public ParameterTensor TokenEmbedding { get; }
    /// <summary>The blocks in order.</summary>
    public IReadOnlyList<BlockTensors> Blocks { get; }
    /// <summary>output_norm.weight [C].</summary>
    public ParameterTensor OutputNorm { get; }
    /// <summary>output.weight [V, C], or the token embedding when tied.</summary>
    public ParameterTensor Output { get; }
    /// <summary>Every distinct tensor in buffer order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors { get; }
    /// <summary>Total parameters.</summary>
    public long Count { get; }
    /// <summary>Parameters outside the token embedding and the output projection.</summary>
    public long NonEmbeddingCount { get; }
}
