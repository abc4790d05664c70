// A model as the engine ships it: Llama weights, the character tokenizer and Ponder's own metadata, stored in one
// GGUF v3 file that llama.cpp can load unchanged (DESIGN.md §3: llama keys with exact types, llama.cpp tensor names,
// [out, in] matrices written with ne = {in, out}, norms in F32, no extra tensors).

using Ponder.Engine.Gguf;
using Ponder.Engine.Tokenization;
using Ponder.Generation;

namespace Ponder.Engine.Model;

/// <summary>Weights, tokenizer and metadata of one engine model.</summary>
public sealed class EngineModel
{
    private const string PonderPrefix = "ponder.";

    /// <summary>Bundles a model with its tokenizer; the vocabulary sizes must agree.</summary>
    public EngineModel(string name, LlamaModel model, CharTokenizer tokenizer, IReadOnlyDictionary<string, GgufValue>? metadata = null)
    {
        if (tokenizer.VocabularySize != model.Config.VocabularySize)
            throw new ArgumentException($"tokenizer has {tokenizer.VocabularySize} tokens, the model's vocabulary is {model.Config.VocabularySize}");
        if (metadata?.Keys.FirstOrDefault(k => !k.StartsWith(PonderPrefix, StringComparison.Ordinal)) is { } bad)
            throw new ArgumentException($"metadata key {bad} must start with \"{PonderPrefix}\"");
        Name = name;
        Model = model;
        Tokenizer = tokenizer;
        Metadata = metadata ?? new Dictionary<string, GgufValue>();
    }

    /// <summary>Display name (general.name).</summary>
    public string Name { get; }
    /// <summary>The transformer.</summary>
    public LlamaModel Model { get; }
    /// <summary>The tokenizer.</summary>
    public CharTokenizer Tokenizer { get; }
    /// <summary>Ponder's own metadata (keys under "ponder.": training config, tokens seen, loss, task, role).</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>The model card used for compute accounting.</summary>
    public ModelCard Card => Model.Card(Name);

    /// <summary>Writes the model to <paramref name="path"/> atomically; matrices in <paramref name="weightType"/>, norms in F32.</summary>
    public void Save(string path, GgmlType weightType = GgmlType.F32)
    {
        var cfg = Model.Config;
        var w = new GgufWriter();
        w.SetString("general.architecture", "llama");
        w.SetString("general.name", Name);
        w.SetUInt32("general.file_type", weightType switch { GgmlType.F32 => 0u, GgmlType.F16 => 1u, GgmlType.Q8_0 => 7u, _ => throw new ArgumentException($"unsupported weight type {weightType}") });
        w.SetUInt32("llama.vocab_size", (uint)cfg.VocabularySize);
        w.SetUInt32("llama.context_length", (uint)cfg.ContextLength);
        w.SetUInt32("llama.embedding_length", (uint)cfg.ModelDim);
        w.SetUInt32("llama.block_count", (uint)cfg.Layers);
        w.SetUInt32("llama.feed_forward_length", (uint)cfg.FeedForwardDim);
        w.SetUInt32("llama.attention.head_count", (uint)cfg.Heads);
        w.SetUInt32("llama.attention.head_count_kv", (uint)cfg.KeyValueHeads);
        w.SetUInt32("llama.rope.dimension_count", (uint)cfg.HeadSize);
        w.SetFloat32("llama.attention.layer_norm_rms_epsilon", cfg.NormEpsilon);
        w.SetFloat32("llama.rope.freq_base", cfg.RopeBase);
        Tokenizer.WriteTo(w);
        foreach (var (key, value) in Metadata) w.Set(key, value);
        foreach (var tensor in Model.Layout.Tensors)
        {
            var type = tensor.IsMatrix && (weightType != GgmlType.Q8_0 || tensor.Cols % 32 == 0) ? weightType : GgmlType.F32;
            w.AddTensor(tensor.Name, tensor.GgufDims, type, Model[tensor]);
        }
        w.Write(path);
    }

    /// <summary>Loads a model written by <see cref="Save"/> (or any char-level llama GGUF of the same shape).</summary>
    /// <exception cref="InvalidDataException">The file is missing, corrupt or not a model this engine runs; the message names the file.</exception>
    public static EngineModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model file not found", path);
        var file = GgufFile.Read(path);
        string arch = file.GetString("general.architecture");
        if (arch != "llama") throw new InvalidDataException($"{path}: unsupported architecture: expected \"llama\", found \"{arch}\"");
        var tokenizer = CharTokenizer.ReadFrom(file);
        int U(string key) => checked((int)file.GetUInt32(key));
        LlamaConfig config;
        ParameterLayout layout;
        try
        {
            int heads = U("llama.attention.head_count");
            config = new LlamaConfig
            {
                VocabularySize = tokenizer.VocabularySize,
                ContextLength = U("llama.context_length"),
                ModelDim = U("llama.embedding_length"),
                Layers = U("llama.block_count"),
                Heads = heads,
                KeyValueHeads = file.Contains("llama.attention.head_count_kv") ? U("llama.attention.head_count_kv") : heads,
                FeedForwardDim = U("llama.feed_forward_length"),
                TiedEmbeddings = !file.ContainsTensor("output.weight"),
                RopeBase = file.TryGetFloat32("llama.rope.freq_base", out float ropeBase) ? ropeBase : 10000f,
                NormEpsilon = file.GetFloat32("llama.attention.layer_norm_rms_epsilon"),
            };
            layout = new ParameterLayout(config);
        }
        catch (OverflowException) { throw new InvalidDataException($"{path}: inconsistent model shape: a dimension exceeds {int.MaxValue:N0}"); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: inconsistent model shape: {e.Message}", e); }
        if (file.TryGetUInt32("llama.rope.dimension_count", out uint ropeDims) && ropeDims != config.HeadSize)
            throw new InvalidDataException($"{path}: llama.rope.dimension_count is {ropeDims}, expected the head size {config.HeadSize} (partial RoPE is not supported)");

        var expected = layout.Tensors.ToDictionary(t => t.Name);
        foreach (var info in file.Tensors)
            if (!expected.ContainsKey(info.Name)) throw new InvalidDataException($"{path}: unexpected tensor {info.Name}");
        // Every tensor is checked before the weights are allocated: a small corrupt file may claim a huge shape.
        foreach (var tensor in layout.Tensors)
        {
            if (!file.ContainsTensor(tensor.Name)) throw new InvalidDataException($"{path}: missing tensor {tensor.Name}");
            var dims = file.GetTensorInfo(tensor.Name).Dimensions;
            if (!dims.SequenceEqual(tensor.GgufDims))
                throw new InvalidDataException($"{path}: tensor {tensor.Name} has shape {{{string.Join(", ", dims)}}}, expected {{{string.Join(", ", tensor.GgufDims)}}}");
        }
        var weights = new float[layout.Count];
        foreach (var tensor in layout.Tensors) file.ReadTensor(tensor.Name).CopyTo(weights, tensor.Offset);
        var metadata = file.Metadata.Where(kv => kv.Key.StartsWith(PonderPrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        string name = file.TryGetString("general.name", out string? n) ? n : Path.GetFileNameWithoutExtension(path);
        return new EngineModel(name, new LlamaModel(config, weights), tokenizer, metadata);
    }
}
