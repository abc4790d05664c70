using System.Buffers.Binary;
using System.Text;
using Ponder.Engine.Gguf;

namespace Ponder.Engine.Tests.Gguf;

/// <summary>Every corrupt file fails at load with an InvalidDataException naming the file, what was expected and what was found.</summary>
public sealed class GgufCorruptFileTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Metadata and three tensors; the last ends exactly at the end of the file, so every shorter file is truncated.</summary>
    private byte[] ValidFile()
    {
        var writer = new GgufWriter();
        writer.SetString("general.architecture", "llama");
        writer.SetUInt32("llama.block_count", 2);
        writer.SetStringArray("tokenizer.ggml.tokens", ["<unk>", "a", "b"]);
        writer.SetArray<float>("tokenizer.ggml.scores", [0f, 0f, 0f]);
        writer.AddTensor("w.a", [8, 2], GgmlType.F32, Enumerable.Range(0, 16).Select(i => (float)i).ToArray());
        writer.AddTensor("w.b", [32, 2], GgmlType.Q8_0, Enumerable.Range(0, 64).Select(i => i / 64f).ToArray());
        writer.AddTensor("w.c", [16], GgmlType.F16, new float[16]);
        string path = _folder.File("valid.gguf");
        writer.Write(path);
        return File.ReadAllBytes(path);
    }

    private InvalidDataException ReadFails(byte[] bytes, string name = "model.gguf")
    {
        string path = _folder.File(name);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => GgufFile.Read(path));
        Assert.StartsWith(path + ": ", error.Message);
        return error;
    }

    private static int IndexOf(byte[] bytes, string text) => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));

    /// <summary>Offset of the u64 data offset field in the tensor info of <paramref name="name"/> (a 2-dimensional tensor).</summary>
    private static int TensorOffsetField(byte[] bytes, string name) => IndexOf(bytes, name) + name.Length + 4 + 2 * 8 + 4;

    [Fact]
    public void TheValidFileReads()
    {
        byte[] bytes = ValidFile();
        string path = _folder.File("ok.gguf");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(3, GgufFile.Read(path).Tensors.Count);
    }

    [Fact]
    public void BadMagic()
    {
        byte[] bytes = ValidFile();
        bytes[3] = (byte)'X';
        Assert.EndsWith("bad magic: expected \"GGUF\", found \"GGUX\" (not a GGUF file?)", ReadFails(bytes).Message);
    }

    [Fact]
    public void BinaryMagicIsShownInHex()
    {
        Assert.Contains("found 00FF0102", ReadFails([0x00, 0xFF, 0x01, 0x02, 3, 0, 0, 0]).Message);
    }

    [Fact]
    public void UnsupportedVersion()
    {
        byte[] bytes = ValidFile();
        bytes[4] = 2;
        Assert.Contains("unsupported GGUF version: expected 3, found 2", ReadFails(bytes).Message);
    }

    [Fact]
    public void EveryTruncationFailsClearly()
    {
        byte[] bytes = ValidFile();
        for (int length = 0; length < bytes.Length; length += 7)
        {
            InvalidDataException error = ReadFails(bytes[..length]);
            Assert.True(error.Message.Contains("truncated") || error.Message.Contains("extends past end of file"), $"cut at {length}: {error.Message}");
        }
    }

    [Fact]
    public void TruncationMessagesNameTheSectionAndTheOffset()
    {
        byte[] bytes = ValidFile();
        Assert.EndsWith("truncated header: needs 4 bytes at offset 0, but the file ends at offset 2", ReadFails(bytes[..2]).Message);
        Assert.EndsWith("truncated header: needs 8 bytes at offset 16, but the file ends at offset 20", ReadFails(bytes[..20]).Message);
        Assert.Contains("truncated metadata value of llama.block_count", ReadFails(bytes[..(IndexOf(bytes, "llama.block_count") + 19)]).Message);
        Assert.Contains("truncated tensor info of w.b", ReadFails(bytes[..(IndexOf(bytes, "w.b") + 5)]).Message);
        int lastByte = bytes.Length - 1;
        Assert.Contains($"tensor data extends past end of file: tensor w.c {{16}} F16 needs bytes [{bytes.Length - 32}, {bytes.Length}), file has {lastByte}",
            ReadFails(bytes[..lastByte]).Message);
    }

    [Fact]
    public void UnknownValueType()
    {
        byte[] bytes = ValidFile();
        int typeField = IndexOf(bytes, "llama.block_count") + "llama.block_count".Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(typeField), 13);
        Assert.EndsWith("metadata key llama.block_count: unknown value type 13: expected 0 to 12", ReadFails(bytes).Message);
    }

    [Fact]
    public void HugeArrayCountIsTruncationNotOutOfMemory()
    {
        byte[] bytes = ValidFile();
        int countField = IndexOf(bytes, "tokenizer.ggml.tokens") + "tokenizer.ggml.tokens".Length + 4 + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(countField), 1UL << 62);
        Assert.Contains("truncated metadata value of tokenizer.ggml.tokens: an array of 4611686018427387904 elements", ReadFails(bytes).Message);
    }

    [Fact]
    public void TensorSizeNotMatchingItsDimensionsAndType()
    {
        byte[] bytes = ValidFile();
        // w.a claims {8, 3} F32 = 96 bytes, but w.b starts 64 bytes after it.
        int secondDimension = IndexOf(bytes, "w.a") + 3 + 4 + 8;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(secondDimension), 3);
        Assert.EndsWith("tensor w.b: expected data offset 96 right after tensor w.a {8, 3} F32 (96 bytes by dimensions × type, padded to 32), found 64",
            ReadFails(bytes).Message);
    }

    [Fact]
    public void LastTensorLargerThanTheFile()
    {
        byte[] bytes = ValidFile();
        int dimension = IndexOf(bytes, "w.c") + 3 + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(dimension), 1000);
        Assert.Contains("tensor data extends past end of file: tensor w.c {1000} F16 needs bytes", ReadFails(bytes).Message);
    }

    [Fact]
    public void MisalignedOffset()
    {
        byte[] bytes = ValidFile();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(TensorOffsetField(bytes, "w.b")), 65);
        Assert.EndsWith("tensor w.b: misaligned offset: expected a multiple of 32, found 65", ReadFails(bytes).Message);
    }

    [Fact]
    public void Q8_0RowNotDivisibleBy32()
    {
        byte[] bytes = ValidFile();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(IndexOf(bytes, "w.b") + 3 + 4), 16);
        Assert.EndsWith("tensor w.b: Q8_0 needs ne[0] divisible by 32, found dimensions {16, 2}", ReadFails(bytes).Message);
    }

    [Fact]
    public void UnsupportedTensorType()
    {
        byte[] bytes = ValidFile();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(TensorOffsetField(bytes, "w.b") - 4), 12);
        Assert.EndsWith("tensor w.b: unsupported tensor type 12: expected F32 (0), F16 (1) or Q8_0 (8)", ReadFails(bytes).Message);
    }

    [Fact]
    public void DuplicateKeyAndTensorName()
    {
        byte[] bytes = ValidFile();
        "tokenizer.ggml.tokens"u8.CopyTo(bytes.AsSpan(IndexOf(bytes, "tokenizer.ggml.scores")));
        Assert.EndsWith("duplicate metadata key tokenizer.ggml.tokens", ReadFails(bytes, "key.gguf").Message);

        bytes = ValidFile();
        bytes[IndexOf(bytes, "w.b") + 2] = (byte)'a';
        Assert.EndsWith("duplicate tensor name w.a", ReadFails(bytes, "tensor.gguf").Message);
    }

    [Fact]
    public void AlignmentWithTheWrongType()
    {
        var writer = new GgufWriter();
        writer.SetUInt64("general.alignmenX", 64);
        string path = _folder.File("alignment.gguf");
        writer.Write(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[IndexOf(bytes, "general.alignmenX") + 16] = (byte)'t';
        Assert.EndsWith("metadata key general.alignment: expected UINT32, found UINT64", ReadFails(bytes).Message);
    }

    [Fact]
    public void InvalidUtf8InAKey()
    {
        byte[] bytes = ValidFile();
        bytes[IndexOf(bytes, "llama.block_count")] = 0xFF;
        Assert.Contains("invalid UTF-8 in metadata key 1 of 4", ReadFails(bytes).Message);
    }

    [Fact]
    public void MissingKeyWrongKeyTypeAndMissingTensor()
    {
        byte[] bytes = ValidFile();
        string path = _folder.File("model.gguf");
        File.WriteAllBytes(path, bytes);
        GgufFile file = GgufFile.Read(path);

        Assert.Equal($"{path}: missing metadata key llama.context_length",
            Assert.Throws<InvalidDataException>(() => file.GetUInt32("llama.context_length")).Message);
        Assert.Equal($"{path}: metadata key general.architecture: expected UINT32, found STRING",
            Assert.Throws<InvalidDataException>(() => file.GetUInt32("general.architecture")).Message);
        Assert.Equal($"{path}: metadata key llama.block_count: expected INT32, found UINT32",
            Assert.Throws<InvalidDataException>(() => file.TryGetInt32("llama.block_count", out _)).Message);
        Assert.Equal($"{path}: metadata key tokenizer.ggml.scores: expected ARRAY of INT32, found ARRAY of FLOAT32",
            Assert.Throws<InvalidDataException>(() => file.GetArray<int>("tokenizer.ggml.scores")).Message);
        Assert.Equal($"{path}: metadata key tokenizer.ggml.tokens: expected STRING, found ARRAY of STRING",
            Assert.Throws<InvalidDataException>(() => file.GetString("tokenizer.ggml.tokens")).Message);
        Assert.Equal($"{path}: missing tensor output.weight", Assert.Throws<InvalidDataException>(() => file.ReadTensor("output.weight")).Message);
    }

    [Fact]
    public void RandomCorruptionNeverLeaksAnotherException()
    {
        byte[] original = ValidFile();
        string path = _folder.File("fuzz.gguf");
        var random = new Random(4);
        for (int trial = 0; trial < 1000; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(path, bytes);
            try
            {
                GgufFile file = GgufFile.Read(path);
                foreach (GgufTensorInfo tensor in file.Tensors) file.ReadTensor(tensor.Name);
            }
            catch (InvalidDataException error)
            {
                Assert.StartsWith(path + ": ", error.Message);
            }
        }
    }
}
