using Ponder;
using Ponder.Engine.Gguf;
using Ponder.Engine.Model;
using Ponder.Engine.Tests.Gguf;
using Ponder.Engine.Tokenization;

namespace Ponder.Engine.Tests.Model;

public sealed class EngineModelTests
{
    internal static EngineModel Random(bool tied = true, ulong seed = 3)
    {
        var tokenizer = CharTokenizer.FromAlphabet("0123456789+-*=()QA:\n ", addBos: true, byteFallback: false);
        var config = new LlamaConfig
        {
            VocabularySize = tokenizer.VocabularySize, ContextLength = 64, ModelDim = 32, Layers = 2, Heads = 4, KeyValueHeads = 2,
            FeedForwardDim = 64, TiedEmbeddings = tied,
        };
        var model = LlamaModel.CreateRandom(config, seed);
        var rng = new SplitMix64(seed);
        for (int i = 0; i < model.Weights.Length; i++) model.Weights[i] += rng.NextGaussian() * 0.2f;
        return new EngineModel("test-model", model, tokenizer, new Dictionary<string, GgufValue>
        {
            ["ponder.role"] = GgufValue.FromString("policy"),
            ["ponder.tokens_seen"] = GgufValue.FromUInt64(12345),
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SaveThenLoadIsBitExact(bool tied)
    {
        using var folder = new TemporaryFolder();
        var original = Random(tied);
        string path = folder.File("model.gguf");
        original.Save(path);
        var loaded = EngineModel.Load(path);
        Assert.Equal(original.Model.Config, loaded.Model.Config);
        Assert.Equal(original.Model.Weights, loaded.Model.Weights);
        Assert.Equal("test-model", loaded.Name);
        Assert.Equal(original.Tokenizer.VocabularySize, loaded.Tokenizer.VocabularySize);
        Assert.Equal(["ponder.role", "ponder.tokens_seen"], loaded.Metadata.Keys.Order());
        var file = GgufFile.Read(path);
        Assert.Equal("policy", file.GetString("ponder.role"));
        Assert.Equal(12345ul, file.GetUInt64("ponder.tokens_seen"));
        Assert.Equal(tied, !file.ContainsTensor("output.weight"));
    }

    [Fact]
    public void WritesTheLlamaKeysWithTheTypesLlamaCppReads()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.gguf");
        Random().Save(path);
        var file = GgufFile.Read(path);
        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal(64u, file.GetUInt32("llama.context_length"));
        Assert.Equal(32u, file.GetUInt32("llama.embedding_length"));
        Assert.Equal(2u, file.GetUInt32("llama.block_count"));
        Assert.Equal(64u, file.GetUInt32("llama.feed_forward_length"));
        Assert.Equal(4u, file.GetUInt32("llama.attention.head_count"));
        Assert.Equal(2u, file.GetUInt32("llama.attention.head_count_kv"));
        Assert.Equal(8u, file.GetUInt32("llama.rope.dimension_count"));
        Assert.Equal(1e-5f, file.GetFloat32("llama.attention.layer_norm_rms_epsilon"));
        Assert.Equal(10000f, file.GetFloat32("llama.rope.freq_base"));
        var q = file.GetTensorInfo("blk.0.attn_q.weight");
        Assert.Equal([32ul, 32ul], q.Dimensions);
        Assert.Equal([32ul, 16ul], file.GetTensorInfo("blk.1.attn_k.weight").Dimensions);
        Assert.Equal([64ul, 32ul], file.GetTensorInfo("blk.0.ffn_down.weight").Dimensions);
        Assert.Equal([32ul], file.GetTensorInfo("output_norm.weight").Dimensions);
    }

    [Theory]
    [InlineData(GgmlType.F16, 2e-3f)]
    [InlineData(GgmlType.Q8_0, 2e-2f)]
    public void QuantisedWeightsStayClose(GgmlType type, float tolerance)
    {
        using var folder = new TemporaryFolder();
        var original = Random();
        string path = folder.File("model.gguf");
        original.Save(path, type);
        var loaded = EngineModel.Load(path);
        for (int i = 0; i < original.Model.Weights.Length; i++)
            Assert.True(Math.Abs(original.Model.Weights[i] - loaded.Model.Weights[i]) <= tolerance * Math.Max(1, Math.Abs(original.Model.Weights[i])), $"weight {i}");
        var file = GgufFile.Read(path);
        Assert.Equal(GgmlType.F32, file.GetTensorInfo("blk.0.attn_norm.weight").Type);
        Assert.Equal(type, file.GetTensorInfo("blk.0.attn_q.weight").Type);
    }

    [Fact]
    public void WrongTensorShapeMissingTensorAndExtraTensorAreClearErrors()
    {
        using var folder = new TemporaryFolder();
        var model = Random();
        string Write(Action<GgufWriter, ParameterTensor, Action> perTensor)
        {
            string path = folder.File(Guid.NewGuid().ToString("N") + ".gguf");
            var w = new GgufWriter();
            w.SetString("general.architecture", "llama");
            w.SetUInt32("llama.context_length", 64);
            w.SetUInt32("llama.embedding_length", 32);
            w.SetUInt32("llama.block_count", 2);
            w.SetUInt32("llama.feed_forward_length", 64);
            w.SetUInt32("llama.attention.head_count", 4);
            w.SetUInt32("llama.attention.head_count_kv", 2);
            w.SetFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
            model.Tokenizer.WriteTo(w);
            foreach (var t in model.Model.Layout.Tensors)
                perTensor(w, t, () => w.AddTensor(t.Name, t.GgufDims, GgmlType.F32, model.Model[t]));
            w.Write(path);
            return path;
        }

        string wrongShape = Write((w, t, add) =>
        {
            if (t.Name == "blk.1.ffn_up.weight") w.AddTensor(t.Name, [32, 63], GgmlType.F32, new float[32 * 63]);
            else add();
        });
        var e1 = Assert.Throws<InvalidDataException>(() => EngineModel.Load(wrongShape));
        Assert.Contains(wrongShape, e1.Message);
        Assert.Contains("blk.1.ffn_up.weight has shape {32, 63}, expected {32, 64}", e1.Message);

        string missing = Write((w, t, add) => { if (t.Name != "blk.0.attn_v.weight") add(); });
        Assert.Contains("missing tensor blk.0.attn_v.weight", Assert.Throws<InvalidDataException>(() => EngineModel.Load(missing)).Message);

        string extra = Write((w, t, add) => { add(); if (t.Name == "output_norm.weight") w.AddTensor("rope_freqs.weight", [4], GgmlType.F32, new float[4]); });
        Assert.Contains("unexpected tensor rope_freqs.weight", Assert.Throws<InvalidDataException>(() => EngineModel.Load(extra)).Message);
    }

    [Fact]
    public void TruncatedModelFileFailsAtLoadNamingTheFile()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.gguf");
        Random().Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => EngineModel.Load(path));
        Assert.StartsWith(path + ":", e.Message);
    }

    [Theory]
    [InlineData("llama.context_length", 0x80000000u, "a dimension exceeds")]
    [InlineData("llama.context_length", 1u << 26, "context length × model width must be at most")]
    [InlineData("llama.embedding_length", 0xFFFFFFF0u, "a dimension exceeds")]
    public void ShapeKeysTooLargeForTheEngineAreClearErrors(string key, uint value, string problem)
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.gguf");
        Random().Save(path);
        var bytes = File.ReadAllBytes(path);
        // A u32 value follows the key and its type tag.
        int at = bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key)) + key.Length + 4;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => EngineModel.Load(path));
        Assert.StartsWith(path + ": inconsistent model shape: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void RandomCorruptionOfTheHeaderNeverLeaksAnotherExceptionFromLoadOrTheEngine()
    {
        using var folder = new TemporaryFolder();
        string path = folder.File("model.gguf");
        Random().Save(path);
        var original = File.ReadAllBytes(path);
        int header = original.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes("token_embd.weight"));
        var random = new Random(11);
        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            bytes[random.Next(header)] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(path, bytes);
            try { _ = new Ponder.Engine.Inference.InferenceEngine(EngineModel.Load(path).Model); }
            catch (InvalidDataException e) { Assert.StartsWith(path + ": ", e.Message); }
        }
    }
}
