using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Ponder.Engine.Gguf;

namespace Ponder.Engine.Tests.Gguf;

public sealed class GgufRoundTripTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void EveryMetadataTypeRoundTripsInInsertionOrder()
    {
        var writer = new GgufWriter();
        writer.SetString("general.architecture", "llama");
        writer.SetUInt8("u8", byte.MaxValue);
        writer.SetInt8("i8", sbyte.MinValue);
        writer.SetUInt16("u16", ushort.MaxValue);
        writer.SetInt16("i16", short.MinValue);
        writer.SetUInt32("u32", uint.MaxValue);
        writer.SetInt32("i32", int.MinValue);
        writer.SetFloat32("f32", BitConverter.Int32BitsToSingle(0x7FC12345)); // a NaN with a payload must survive bit for bit
        writer.SetBool("bool", true);
        writer.SetUInt64("u64", ulong.MaxValue);
        writer.SetInt64("i64", long.MinValue);
        writer.SetFloat64("f64", -0.0);
        writer.SetString("empty", "");
        writer.SetString("unicode", "▁ñ€😀");
        writer.SetStringArray("strings", ["<unk>", "", "▁", "😀"]);
        writer.SetArray<byte>("a.u8", [0, 255]);
        writer.SetArray<sbyte>("a.i8", [-128, 127]);
        writer.SetArray<ushort>("a.u16", [0, 65535]);
        writer.SetArray<short>("a.i16", [-32768, 32767]);
        writer.SetArray<uint>("a.u32", [1, uint.MaxValue]);
        writer.SetArray<int>("a.i32", [-1, 2, 3]);
        writer.SetArray<float>("a.f32", [0.1f, float.Epsilon, float.NegativeInfinity]);
        writer.SetArray<bool>("a.bool", [true, false, true]);
        writer.SetArray<ulong>("a.u64", [ulong.MaxValue]);
        writer.SetArray<long>("a.i64", [long.MinValue, 0]);
        writer.SetArray<double>("a.f64", [Math.PI, double.MaxValue]);
        writer.SetArray<int>("a.empty", []);
        writer.SetUInt32("u32", 7); // setting again replaces the value and keeps the first position
        string path = _folder.File("metadata.gguf");
        writer.Write(path);

        GgufFile file = GgufFile.Read(path);

        Assert.Equal(
            ["general.architecture", "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "u64", "i64", "f64", "empty", "unicode", "strings",
             "a.u8", "a.i8", "a.u16", "a.i16", "a.u32", "a.i32", "a.f32", "a.bool", "a.u64", "a.i64", "a.f64", "a.empty"],
            file.Metadata.Select(entry => entry.Key));
        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal(byte.MaxValue, file.GetUInt8("u8"));
        Assert.Equal(sbyte.MinValue, file.GetInt8("i8"));
        Assert.Equal(ushort.MaxValue, file.GetUInt16("u16"));
        Assert.Equal(short.MinValue, file.GetInt16("i16"));
        Assert.Equal(7u, file.GetUInt32("u32"));
        Assert.Equal(int.MinValue, file.GetInt32("i32"));
        Assert.Equal(0x7FC12345, BitConverter.SingleToInt32Bits(file.GetFloat32("f32")));
        Assert.True(file.GetBool("bool"));
        Assert.Equal(ulong.MaxValue, file.GetUInt64("u64"));
        Assert.Equal(long.MinValue, file.GetInt64("i64"));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(file.GetFloat64("f64")));
        Assert.Equal("", file.GetString("empty"));
        Assert.Equal("▁ñ€😀", file.GetString("unicode"));
        Assert.Equal(["<unk>", "", "▁", "😀"], file.GetStringArray("strings"));
        Assert.Equal([0, 255], file.GetArray<byte>("a.u8"));
        Assert.Equal([-128, 127], file.GetArray<sbyte>("a.i8"));
        Assert.Equal([0, 65535], file.GetArray<ushort>("a.u16"));
        Assert.Equal([-32768, 32767], file.GetArray<short>("a.i16"));
        Assert.Equal([1, uint.MaxValue], file.GetArray<uint>("a.u32"));
        Assert.Equal([-1, 2, 3], file.GetArray<int>("a.i32"));
        Assert.Equal([0.1f, float.Epsilon, float.NegativeInfinity], file.GetArray<float>("a.f32"));
        Assert.Equal([true, false, true], file.GetArray<bool>("a.bool"));
        Assert.Equal([ulong.MaxValue], file.GetArray<ulong>("a.u64"));
        Assert.Equal([long.MinValue, 0], file.GetArray<long>("a.i64"));
        Assert.Equal([Math.PI, double.MaxValue], file.GetArray<double>("a.f64"));
        Assert.Empty(file.GetArray<int>("a.empty"));
        Assert.Equal(GgufValueType.Array, file.GetValue("a.bool").Type);
        Assert.Equal(GgufValueType.Bool, file.GetValue("a.bool").ElementType);
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void TryGetAndContainsDistinguishMissingKeys()
    {
        var writer = new GgufWriter();
        writer.SetUInt32("present", 3);
        string path = _folder.File("try.gguf");
        writer.Write(path);

        GgufFile file = GgufFile.Read(path);

        Assert.True(file.Contains("present"));
        Assert.False(file.Contains("absent"));
        Assert.True(file.TryGetUInt32("present", out uint present));
        Assert.Equal(3u, present);
        Assert.False(file.TryGetUInt32("absent", out _));
        Assert.False(file.TryGetString("absent", out _));
        Assert.False(file.TryGetArray<int>("absent", out _));
        Assert.False(file.TryGetStringArray("absent", out _));
    }

    [Fact]
    public void MetadataCopiedFromAFileWritesTheSameValues()
    {
        var original = new GgufWriter();
        original.SetStringArray("tokens", ["a", "b"]);
        original.SetArray<float>("scores", [1f, 2f]);
        original.SetFloat64("x", 2.5);
        string first = _folder.File("first.gguf");
        original.Write(first);

        var copy = new GgufWriter();
        foreach (var (key, value) in GgufFile.Read(first).Metadata) copy.Set(key, value);
        string second = _folder.File("second.gguf");
        copy.Write(second);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1u)]
    [InlineData(64u)]
    [InlineData(4096u)]
    public void F32TensorsRoundTripBitExactAtTheAlignment(uint? alignment)
    {
        var random = new Random(1);
        float[] a = RandomValues(random, 3 * 5);
        float[] b = RandomValues(random, 7);
        float[] c = [float.NaN, -0f, float.PositiveInfinity, float.MaxValue, 1e-42f];
        var writer = new GgufWriter();
        if (alignment is { } value) writer.SetUInt32("general.alignment", value);
        writer.AddTensor("a", [3, 5], GgmlType.F32, a);
        writer.AddTensor("b", [7], GgmlType.F32, b);
        writer.AddTensor("c", [5, 1, 1, 1], GgmlType.F32, c);
        string path = _folder.File("f32.gguf");
        writer.Write(path);

        GgufFile file = GgufFile.Read(path);

        uint expectedAlignment = alignment ?? 32;
        Assert.Equal(expectedAlignment, file.Alignment);
        Assert.Equal(["a", "b", "c"], file.Tensors.Select(t => t.Name));
        Assert.Equal([3UL, 5UL], file.GetTensorInfo("a").Dimensions);
        Assert.Equal([5UL, 1UL, 1UL, 1UL], file.GetTensorInfo("c").Dimensions);
        Assert.Equal(15UL, file.GetTensorInfo("a").ElementCount);
        byte[] bytes = File.ReadAllBytes(path);
        foreach (var (name, values) in new[] { ("a", a), ("b", b), ("c", c) })
        {
            GgufTensorInfo info = file.GetTensorInfo(name);
            Assert.Equal(GgmlType.F32, info.Type);
            Assert.Equal(0UL, info.Offset % expectedAlignment);
            Assert.Equal(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), file.GetTensorData(name).ToArray());
            Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), file.ReadTensor(name).Select(BitConverter.SingleToInt32Bits));
        }
        // The data section starts at an aligned absolute offset and the file ends with the last tensor's padding.
        long dataStart = bytes.Length - (long)(file.GetTensorInfo("c").Offset + Align(20, expectedAlignment));
        Assert.Equal(0, dataStart % expectedAlignment);
        Assert.Equal(MemoryMarshal.AsBytes(a.AsSpan()).ToArray(), bytes.AsSpan((int)dataStart, 60).ToArray());
    }

    [Fact]
    public void F16RoundsToNearestEvenAndRoundTripsWithinHalfPrecision()
    {
        var random = new Random(2);
        float[] values = [.. RandomValues(random, 62), 1f + MathF.Pow(2, -11), 1f + 3 * MathF.Pow(2, -11)];
        var writer = new GgufWriter();
        writer.AddTensor("h", [32, 2], GgmlType.F16, values);
        string path = _folder.File("f16.gguf");
        writer.Write(path);

        GgufFile file = GgufFile.Read(path);
        float[] read = file.ReadTensor("h");

        Assert.Equal(GgmlType.F16, file.GetTensorInfo("h").Type);
        Assert.Equal(128UL, file.GetTensorInfo("h").ByteSize);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal((float)(Half)values[i], read[i]);
            Assert.True(MathF.Abs(read[i] - values[i]) <= MathF.Abs(values[i]) * MathF.Pow(2, -11) + 1e-7f, $"element {i}: {values[i]} → {read[i]}");
        }
        // Ties go to the even neighbour: 1 + 2^-11 → 1, 1 + 3·2^-11 → 1 + 2^-9.
        Assert.Equal(1f, read[62]);
        Assert.Equal(1f + MathF.Pow(2, -9), read[63]);
    }

    [Fact]
    public void Q8_0RoundTripsWithinHalfAStepPerBlock()
    {
        var random = new Random(3);
        float[] values = RandomValues(random, 64 * 3);
        for (int i = 64; i < 96; i++) values[i] = 0; // an all-zero block
        var writer = new GgufWriter();
        writer.AddTensor("q", [64, 3], GgmlType.Q8_0, values);
        string path = _folder.File("q8.gguf");
        writer.Write(path);

        GgufFile file = GgufFile.Read(path);
        float[] read = file.ReadTensor("q");

        Assert.Equal(6UL * 34, file.GetTensorInfo("q").ByteSize);
        for (int block = 0; block < values.Length / 32; block++)
        {
            float maxAbs = values.Skip(block * 32).Take(32).Max(MathF.Abs);
            float step = maxAbs / 127;
            for (int i = block * 32; i < block * 32 + 32; i++)
            {
                // Half a quantisation step, plus up to 127 steps' worth of the fp16 rounding of the scale.
                float bound = step * (0.5f + 127 * MathF.Pow(2, -11)) + 1e-7f;
                Assert.True(MathF.Abs(read[i] - values[i]) <= bound, $"element {i}: {values[i]} → {read[i]}, bound {bound}");
            }
        }
        Assert.All(read.Skip(64).Take(32), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Q8_0StoresAScaleAndRoundedQuantsPerBlock()
    {
        // max|x| = 127 gives d = 1 exactly, so q = round(x) with ties away from zero.
        float[] values = new float[32];
        for (int i = 0; i < 32; i++) values[i] = i - 16.5f;
        values[31] = 127;
        var writer = new GgufWriter();
        writer.AddTensor("q", [32], GgmlType.Q8_0, values);
        string path = _folder.File("q8-exact.gguf");
        writer.Write(path);

        GgufFile file = GgufFile.Read(path);
        byte[] block = file.GetTensorData("q").ToArray();

        Assert.Equal((Half)1, BinaryPrimitives.ReadHalfLittleEndian(block));
        Assert.Equal((sbyte)-17, (sbyte)block[2]); // -16.5 → -17
        Assert.Equal((sbyte)-1, (sbyte)block[2 + 16]); // -0.5 → -1
        Assert.Equal((sbyte)1, (sbyte)block[2 + 17]); // 0.5 → 1
        Assert.Equal((sbyte)127, (sbyte)block[2 + 31]);
        Assert.Equal(values.Select(v => MathF.Round(v, MidpointRounding.AwayFromZero)), file.ReadTensor("q"));
    }

    [Fact]
    public void HeaderAndOneStringEntryMatchTheSpecificationByteForByte()
    {
        var writer = new GgufWriter();
        writer.SetString("general.name", "tiny");
        string path = _folder.File("header.gguf");
        writer.Write(path);

        var expected = new List<byte>();
        expected.AddRange("GGUF"u8.ToArray());
        expected.AddRange([3, 0, 0, 0]); // version 3, u32
        expected.AddRange([0, 0, 0, 0, 0, 0, 0, 0]); // tensor count 0, u64
        expected.AddRange([1, 0, 0, 0, 0, 0, 0, 0]); // metadata count 1, u64
        expected.AddRange([12, 0, 0, 0, 0, 0, 0, 0]); // key length 12, u64
        expected.AddRange("general.name"u8.ToArray());
        expected.AddRange([8, 0, 0, 0]); // value type STRING = 8, u32
        expected.AddRange([4, 0, 0, 0, 0, 0, 0, 0]); // string length 4, u64
        expected.AddRange("tiny"u8.ToArray());
        expected.AddRange(new byte[64 - expected.Count]); // 58 bytes so far, zero-padded to the 32-byte alignment
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void TensorInfoMatchesTheSpecificationByteForByte()
    {
        var writer = new GgufWriter();
        writer.AddTensor("w", [2, 1], GgmlType.F32, [1f, -2f]);
        string path = _folder.File("tensor.gguf");
        writer.Write(path);

        var expected = new List<byte>();
        expected.AddRange("GGUF"u8.ToArray());
        expected.AddRange([3, 0, 0, 0]);
        expected.AddRange([1, 0, 0, 0, 0, 0, 0, 0]); // tensor count 1
        expected.AddRange([0, 0, 0, 0, 0, 0, 0, 0]); // metadata count 0
        expected.AddRange([1, 0, 0, 0, 0, 0, 0, 0]); // name length 1
        expected.AddRange("w"u8.ToArray());
        expected.AddRange([2, 0, 0, 0]); // n_dims 2, u32
        expected.AddRange([2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]); // ne = {2, 1}, u64 each, ne[0] first
        expected.AddRange([0, 0, 0, 0]); // type F32 = 0
        expected.AddRange([0, 0, 0, 0, 0, 0, 0, 0]); // offset 0 relative to the data section
        expected.AddRange(new byte[96 - expected.Count]); // 65 bytes, padded to 96
        expected.AddRange([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]); // 1f, -2f little-endian
        expected.AddRange(new byte[24]); // the tensor padded to 32
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void WriteReplacesAnExistingFileAndLeavesNoTemporaryFiles()
    {
        string path = _folder.File("model.gguf");
        File.WriteAllText(path, "old contents");
        var writer = new GgufWriter();
        writer.SetUInt32("x", 1);

        writer.Write(path);

        Assert.Equal(1u, GgufFile.Read(path).GetUInt32("x"));
        Assert.Equal([path], Directory.GetFiles(_folder.Root));
    }

    [Fact]
    public void WriteIntoAMissingFolderFailsWithoutLeavingFiles()
    {
        var writer = new GgufWriter();
        Assert.Throws<DirectoryNotFoundException>(() => writer.Write(_folder.File(Path.Combine("missing", "model.gguf"))));
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Root));
    }

    [Fact]
    public void WriterRejectsBadTensorsAndAlignment()
    {
        var writer = new GgufWriter();
        writer.AddTensor("ok", [32], GgmlType.Q8_0, new float[32]);

        Assert.Contains("ne[0] divisible by 32, found 33", Assert.Throws<ArgumentException>(() => writer.AddTensor("q", [33, 2], GgmlType.Q8_0, new float[66])).Message);
        Assert.Contains("already added", Assert.Throws<ArgumentException>(() => writer.AddTensor("ok", [1], GgmlType.F32, [0f])).Message);
        Assert.Contains("shorter than 64", Assert.Throws<ArgumentException>(() => writer.AddTensor(new string('n', 64), [1], GgmlType.F32, [0f])).Message);
        writer.AddTensor(new string('n', 63), [1], GgmlType.F32, [0f]);
        Assert.Contains("need 6 values, found 5", Assert.Throws<ArgumentException>(() => writer.AddTensor("d", [2, 3], GgmlType.F32, new float[5])).Message);
        Assert.Throws<ArgumentException>(() => writer.AddTensor("e", [], GgmlType.F32, []));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("z", [0], GgmlType.F32, []));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("f", [1, 1, 1, 1, 1], GgmlType.F32, [0f]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", [1], (GgmlType)2, [0f]));
        Assert.Contains("power of two", Assert.Throws<ArgumentException>(() => writer.SetUInt32("general.alignment", 48)).Message);
        Assert.Contains("power of two", Assert.Throws<ArgumentException>(() => writer.SetUInt64("general.alignment", 64)).Message);
    }

    private static float[] RandomValues(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 3)))).ToArray();

    private static ulong Align(ulong value, uint alignment) => (value + alignment - 1) / alignment * alignment;
}
