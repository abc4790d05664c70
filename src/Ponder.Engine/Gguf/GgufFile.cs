// GGUF v3 reader: header, typed metadata, tensor infos and tensor data (F32, F16 and Q8_0, dequantized to F32).
// The whole file is read into memory (files are small, ~100 MB at most) and validated up front, the way llama.cpp's gguf
// loader does: every error is an InvalidDataException naming the file, what was expected and what was found.
// Limits: little-endian hosts only; nested arrays and tensor types other than F32/F16/Q8_0 are rejected.

using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace Ponder.Engine.Gguf;

/// <summary>A GGUF v3 file read into memory and validated: its metadata, tensor infos and tensor data.</summary>
/// <remarks>Thread-safe: instances never change after <see cref="Read"/>.</remarks>
public sealed class GgufFile
{
    private readonly byte[] _bytes;
    private readonly ulong _dataStart;
    private readonly Dictionary<string, GgufValue> _metadataByKey;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;

    private GgufFile(string path, byte[] bytes)
    {
        Path = path;
        _bytes = bytes;
        var cursor = new Cursor(path, bytes, "header");

        // ============================================================================================
        // header

        ReadOnlySpan<byte> magic = cursor.Take(4);
        if (MemoryMarshal.Read<uint>(magic) != GgufFormat.Magic)
            throw Invalid($"bad magic: expected \"GGUF\", found {Printable(magic)} (not a GGUF file?)");
        uint version = cursor.ReadUInt32();
        if (version != GgufFormat.Version)
        {
            string hint = version == 0x03000000 ? " (a big-endian file?)" : version < GgufFormat.Version ? " (an old GGUF version; convert it with a current llama.cpp)" : "";
            throw Invalid($"unsupported GGUF version: expected {GgufFormat.Version}, found {version}{hint}");
        }
        ulong tensorCount = cursor.ReadUInt64();
        ulong metadataCount = cursor.ReadUInt64();

        // ============================================================================================
        // metadata

        var metadata = new List<KeyValuePair<string, GgufValue>>();
        _metadataByKey = new Dictionary<string, GgufValue>(StringComparer.Ordinal);
        for (ulong i = 0; i < metadataCount; i++)
        {
            cursor.Section = $"metadata key {i} of {metadataCount}";
            string key = cursor.ReadString();
            cursor.Section = $"metadata value of {key}";
            var type = (GgufValueType)cursor.ReadUInt32();
            GgufValue value = ReadValue(cursor, key, type);
            if (!_metadataByKey.TryAdd(key, value))
                throw Invalid($"duplicate metadata key {key}");
            metadata.Add(new(key, value));
        }
        Metadata = metadata.AsReadOnly();

        Alignment = GgufFormat.DefaultAlignment;
        if (_metadataByKey.TryGetValue(GgufFormat.AlignmentKey, out GgufValue? alignmentValue))
        {
            Alignment = CheckType(GgufFormat.AlignmentKey, alignmentValue, GgufValueType.UInt32, null).AsScalar<uint>()!.Value;
            if (!GgufFormat.IsValidAlignment(Alignment))
                throw Invalid($"metadata key {GgufFormat.AlignmentKey}: expected a power of two, found {Alignment}");
        }

        // ============================================================================================
        // tensor infos

        var tensors = new List<GgufTensorInfo>();
        _tensorsByName = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        var rawInfos = new List<(string Name, ulong[] Dimensions, GgmlType Type, ulong Offset)>();
        for (ulong i = 0; i < tensorCount; i++)
        {
            cursor.Section = $"tensor info {i} of {tensorCount}";
            string name = cursor.ReadString();
            cursor.Section = $"tensor info of {name}";
            int nameBytes = GgufFormat.Utf8.GetByteCount(name);
            if (nameBytes > GgufFormat.MaxTensorNameBytes)
                throw Invalid($"tensor {name}: expected a name shorter than 64 bytes, found {nameBytes} bytes");
            uint dimensionCount = cursor.ReadUInt32();
            if (dimensionCount is 0 or > GgufFormat.MaxDimensions)
                throw Invalid($"tensor {name}: expected 1 to {GgufFormat.MaxDimensions} dimensions, found {dimensionCount}");
            var dimensions = new ulong[dimensionCount];
            for (int d = 0; d < dimensions.Length; d++) dimensions[d] = cursor.ReadUInt64();
            var type = (GgmlType)cursor.ReadUInt32();
            ulong offset = cursor.ReadUInt64();
            rawInfos.Add((name, dimensions, type, offset));
        }

        // ============================================================================================
        // tensor layout: offsets aligned, in info order, each tensor padded, all data inside the file

        _dataStart = GgufFormat.AlignUp(cursor.Position, Alignment);
        ulong expectedOffset = 0;
        GgufTensorInfo? previous = null;
        foreach (var (name, dimensions, type, offset) in rawInfos)
        {
            string shape = $"{{{string.Join(", ", dimensions)}}}";
            if (!Enum.IsDefined(type))
                throw Invalid($"tensor {name}: unsupported tensor type {(uint)type}: expected F32 (0), F16 (1) or Q8_0 (8)");
            ulong elements = 1;
            ulong byteSize;
            try
            {
                foreach (ulong dimension in dimensions) elements = checked(elements * dimension);
                byteSize = GgufFormat.ByteSize(type, dimensions[0], elements)
                    ?? throw Invalid($"tensor {name}: {type} needs ne[0] divisible by {GgufFormat.Q8BlockElements}, found dimensions {shape}");
            }
            catch (OverflowException)
            {
                throw Invalid($"tensor {name}: dimensions {shape} of {type} overflow 64 bits");
            }
            if (elements == 0)
                throw Invalid($"tensor {name}: expected positive dimensions, found {shape}");
            if (offset % Alignment != 0)
                throw Invalid($"tensor {name}: misaligned offset: expected a multiple of {Alignment}, found {offset}");
            if (offset != expectedOffset)
                throw Invalid(previous is null
                    ? $"tensor {name}: expected data offset 0 for the first tensor, found {offset}"
                    : $"tensor {name}: expected data offset {expectedOffset} right after tensor {previous} ({previous.ByteSize} bytes by dimensions × type, padded to {Alignment}), found {offset}");
            ulong start = _dataStart + offset;
            if (start > (ulong)bytes.Length || byteSize > (ulong)bytes.Length - start)
                throw Invalid($"tensor data extends past end of file: tensor {name} {shape} {type} needs bytes [{start}, {start + byteSize}), file has {bytes.Length}");
            var info = new GgufTensorInfo(name, dimensions, type, offset, elements, byteSize);
            if (!_tensorsByName.TryAdd(name, info))
                throw Invalid($"duplicate tensor name {name}");
            tensors.Add(info);
            expectedOffset = offset + GgufFormat.AlignUp(byteSize, Alignment);
            previous = info;
        }
        Tensors = tensors.AsReadOnly();
    }

    /// <summary>The path the file was read from, as given to <see cref="Read"/>; every error message starts with it.</summary>
    public string Path { get; }

    /// <summary>The data alignment: <c>general.alignment</c>, or 32 when absent.</summary>
    public uint Alignment { get; }

    /// <summary>All metadata in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata { get; }

    /// <summary>All tensor infos in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Reads and validates the GGUF v3 file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// The file is not a valid GGUF v3 file (bad magic, other version, truncated, unknown value type, bad tensor info or layout);
    /// the message names the file, what was expected and what was found.
    /// </exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static GgufFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new GgufFile(path, File.ReadAllBytes(path));
    }

    // ============================================================================================
    // metadata access. Get… throws InvalidDataException when the key is missing or has another type;
    // TryGet… returns false when the key is missing and still throws when it has another type (a corrupt file, not an absent key).

    /// <summary>Whether the metadata has <paramref name="key"/>.</summary>
    public bool Contains(string key) => _metadataByKey.ContainsKey(key);

    /// <summary>Returns the value of <paramref name="key"/>, of any type.</summary>
    /// <exception cref="InvalidDataException">The key is missing.</exception>
    public GgufValue GetValue(string key) => TryGetValue(key, out GgufValue? value) ? value : throw Invalid($"missing metadata key {key}");

    /// <summary>Gets the value of <paramref name="key"/>, of any type; false when the key is missing.</summary>
    public bool TryGetValue(string key, [NotNullWhen(true)] out GgufValue? value) => _metadataByKey.TryGetValue(key, out value);

    /// <summary>Returns the UINT8 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not a UINT8.</exception>
    public byte GetUInt8(string key) => GetScalar<byte>(key, GgufValueType.UInt8);
    /// <summary>Returns the INT8 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not an INT8.</exception>
    public sbyte GetInt8(string key) => GetScalar<sbyte>(key, GgufValueType.Int8);
    /// <summary>Returns the UINT16 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not a UINT16.</exception>
    public ushort GetUInt16(string key) => GetScalar<ushort>(key, GgufValueType.UInt16);
    /// <summary>Returns the INT16 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not an INT16.</exception>
    public short GetInt16(string key) => GetScalar<short>(key, GgufValueType.Int16);
    /// <summary>Returns the UINT32 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not a UINT32.</exception>
    public uint GetUInt32(string key) => GetScalar<uint>(key, GgufValueType.UInt32);
    /// <summary>Returns the INT32 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not an INT32.</exception>
    public int GetInt32(string key) => GetScalar<int>(key, GgufValueType.Int32);
    /// <summary>Returns the FLOAT32 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not a FLOAT32.</exception>
    public float GetFloat32(string key) => GetScalar<float>(key, GgufValueType.Float32);
    /// <summary>Returns the BOOL value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not a BOOL.</exception>
    public bool GetBool(string key) => GetScalar<bool>(key, GgufValueType.Bool);
    /// <summary>Returns the UINT64 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not a UINT64.</exception>
    public ulong GetUInt64(string key) => GetScalar<ulong>(key, GgufValueType.UInt64);
    /// <summary>Returns the INT64 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not an INT64.</exception>
    public long GetInt64(string key) => GetScalar<long>(key, GgufValueType.Int64);
    /// <summary>Returns the FLOAT64 value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not a FLOAT64.</exception>
    public double GetFloat64(string key) => GetScalar<double>(key, GgufValueType.Float64);

    /// <summary>Returns the STRING value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not a STRING.</exception>
    public string GetString(string key) => TryGetString(key, out string? value) ? value : throw Invalid($"missing metadata key {key}");

    /// <summary>Returns a copy of the ARRAY of STRING <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing or not an ARRAY of STRING.</exception>
    public string[] GetStringArray(string key) => TryGetStringArray(key, out string[]? value) ? value : throw Invalid($"missing metadata key {key}");

    /// <summary>Returns a copy of the ARRAY <paramref name="key"/>, whose element type must match <typeparamref name="T"/> (see <see cref="GgufValue.FromArray{T}"/>).</summary>
    /// <exception cref="InvalidDataException">The key is missing or not an ARRAY of that element type.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no GGUF value type.</exception>
    public T[] GetArray<T>(string key) where T : unmanaged => TryGetArray(key, out T[]? value) ? value : throw Invalid($"missing metadata key {key}");

    /// <summary>Gets the UINT8 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetUInt8(string key, out byte value) => TryGetScalar(key, GgufValueType.UInt8, out value);
    /// <summary>Gets the INT8 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetInt8(string key, out sbyte value) => TryGetScalar(key, GgufValueType.Int8, out value);
    /// <summary>Gets the UINT16 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetUInt16(string key, out ushort value) => TryGetScalar(key, GgufValueType.UInt16, out value);
    /// <summary>Gets the INT16 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetInt16(string key, out short value) => TryGetScalar(key, GgufValueType.Int16, out value);
    /// <summary>Gets the UINT32 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetUInt32(string key, out uint value) => TryGetScalar(key, GgufValueType.UInt32, out value);
    /// <summary>Gets the INT32 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetInt32(string key, out int value) => TryGetScalar(key, GgufValueType.Int32, out value);
    /// <summary>Gets the FLOAT32 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetFloat32(string key, out float value) => TryGetScalar(key, GgufValueType.Float32, out value);
    /// <summary>Gets the BOOL value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetBool(string key, out bool value) => TryGetScalar(key, GgufValueType.Bool, out value);
    /// <summary>Gets the UINT64 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetUInt64(string key, out ulong value) => TryGetScalar(key, GgufValueType.UInt64, out value);
    /// <summary>Gets the INT64 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetInt64(string key, out long value) => TryGetScalar(key, GgufValueType.Int64, out value);
    /// <summary>Gets the FLOAT64 value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetFloat64(string key, out double value) => TryGetScalar(key, GgufValueType.Float64, out value);

    /// <summary>Gets the STRING value of <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetString(string key, [NotNullWhen(true)] out string? value)
    {
        value = TryGetValue(key, out GgufValue? found) ? CheckType(key, found, GgufValueType.String, null).AsString() : null;
        return value is not null;
    }

    /// <summary>Gets a copy of the ARRAY of STRING <paramref name="key"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    public bool TryGetStringArray(string key, [NotNullWhen(true)] out string[]? value)
    {
        value = TryGetValue(key, out GgufValue? found) ? CheckType(key, found, GgufValueType.Array, GgufValueType.String).AsArrayCopy<string>() : null;
        return value is not null;
    }

    /// <summary>Gets a copy of the ARRAY <paramref name="key"/>, whose element type must match <typeparamref name="T"/>; false when missing.</summary>
    /// <exception cref="InvalidDataException">The key has another type.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no GGUF value type.</exception>
    public bool TryGetArray<T>(string key, [NotNullWhen(true)] out T[]? value) where T : unmanaged
    {
        GgufValueType elementType = GgufValue.ElementTypeOf<T>();
        value = TryGetValue(key, out GgufValue? found) ? CheckType(key, found, GgufValueType.Array, elementType).AsArrayCopy<T>() : null;
        return value is not null;
    }

    private T GetScalar<T>(string key, GgufValueType type) where T : struct =>
        TryGetScalar(key, type, out T value) ? value : throw Invalid($"missing metadata key {key}");

    private bool TryGetScalar<T>(string key, GgufValueType type, out T value) where T : struct
    {
        value = TryGetValue(key, out GgufValue? found) ? CheckType(key, found, type, null).AsScalar<T>()!.Value : default;
        return found is not null;
    }

    private GgufValue CheckType(string key, GgufValue value, GgufValueType type, GgufValueType? elementType)
    {
        if (value.Type != type || value.ElementType != elementType)
        {
            string expected = elementType is { } element ? $"ARRAY of {GgufFormat.Name(element)}" : GgufFormat.Name(type);
            throw Invalid($"metadata key {key}: expected {expected}, found {value.TypeName}");
        }
        return value;
    }

    // ============================================================================================
    // tensor access

    /// <summary>Whether the file has a tensor named <paramref name="name"/>.</summary>
    public bool ContainsTensor(string name) => _tensorsByName.ContainsKey(name);

    /// <summary>Returns the info of tensor <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">There is no such tensor.</exception>
    public GgufTensorInfo GetTensorInfo(string name) =>
        _tensorsByName.TryGetValue(name, out GgufTensorInfo? info) ? info : throw Invalid($"missing tensor {name}");

    /// <summary>Gets the info of tensor <paramref name="name"/>; false when there is no such tensor.</summary>
    public bool TryGetTensorInfo(string name, [NotNullWhen(true)] out GgufTensorInfo? info) => _tensorsByName.TryGetValue(name, out info);

    /// <summary>Returns the stored bytes of tensor <paramref name="name"/> (no padding), e.g. Q8_0 blocks for a quantized kernel.</summary>
    /// <exception cref="InvalidDataException">There is no such tensor.</exception>
    public ReadOnlyMemory<byte> GetTensorData(string name)
    {
        GgufTensorInfo info = GetTensorInfo(name);
        return _bytes.AsMemory(checked((int)(_dataStart + info.Offset)), checked((int)info.ByteSize));
    }

    /// <summary>Returns tensor <paramref name="name"/> as F32 values, ne[0] varying fastest; F16 and Q8_0 are dequantized.</summary>
    /// <exception cref="InvalidDataException">There is no such tensor.</exception>
    public float[] ReadTensor(string name)
    {
        GgufTensorInfo info = GetTensorInfo(name);
        var values = new float[info.ElementCount];
        GgufFormat.Decode(info.Type, GetTensorData(name).Span, values);
        return values;
    }

    // ============================================================================================
    // parsing helpers

    private InvalidDataException Invalid(string problem) => new($"{Path}: {problem}");

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
            if (b is < 0x20 or > 0x7E) return Convert.ToHexString(bytes);
        return $"\"{Encoding.ASCII.GetString(bytes)}\"";
    }

    private GgufValue ReadValue(Cursor cursor, string key, GgufValueType type)
    {
        switch (type)
        {
            case GgufValueType.String:
                return GgufValue.FromString(cursor.ReadString());
            case GgufValueType.Array:
                {
                    var elementType = (GgufValueType)cursor.ReadUInt32();
                    ulong count = cursor.ReadUInt64();
                    if (elementType == GgufValueType.Array)
                        throw Invalid($"metadata key {key}: nested arrays are not supported");
                    if (elementType == GgufValueType.String)
                    {
                        // Every string needs at least its 8-byte length, which bounds a corrupt count before allocating.
                        var strings = new string[cursor.CheckCount(count, 8)];
                        for (int i = 0; i < strings.Length; i++) strings[i] = cursor.ReadString();
                        return GgufValue.ArrayOf(GgufValueType.String, strings);
                    }
                    int size = GgufFormat.FixedSize(elementType);
                    if (size == 0)
                        throw Invalid($"metadata key {key}: unknown array element type {(uint)elementType}: expected 0 to 12");
                    ReadOnlySpan<byte> elements = cursor.Take((ulong)cursor.CheckCount(count, size) * (ulong)size);
                    return GgufValue.ArrayOf(elementType, ReadFixedArray(elementType, elements));
                }
            default:
                {
                    int size = GgufFormat.FixedSize(type);
                    if (size == 0)
                        throw Invalid($"metadata key {key}: unknown value type {(uint)type}: expected 0 to 12");
                    Array scalar = ReadFixedArray(type, cursor.Take((ulong)size));
                    return GgufValue.Scalar(type, scalar.GetValue(0)!);
                }
        }
    }

    private static Array ReadFixedArray(GgufValueType type, ReadOnlySpan<byte> bytes) => type switch
    {
        GgufValueType.UInt8 => bytes.ToArray(),
        GgufValueType.Int8 => MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(),
        GgufValueType.UInt16 => MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(),
        GgufValueType.Int16 => MemoryMarshal.Cast<byte, short>(bytes).ToArray(),
        GgufValueType.UInt32 => MemoryMarshal.Cast<byte, uint>(bytes).ToArray(),
        GgufValueType.Int32 => MemoryMarshal.Cast<byte, int>(bytes).ToArray(),
        GgufValueType.Float32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
        GgufValueType.Bool => ReadBools(bytes),
        GgufValueType.UInt64 => MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(),
        GgufValueType.Int64 => MemoryMarshal.Cast<byte, long>(bytes).ToArray(),
        GgufValueType.Float64 => MemoryMarshal.Cast<byte, double>(bytes).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a fixed-size value type"),
    };

    // A stored bool is any byte; nonzero is true (casting the raw bytes would make non-canonical bools).
    private static bool[] ReadBools(ReadOnlySpan<byte> bytes)
    {
        var bools = new bool[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) bools[i] = bytes[i] != 0;
        return bools;
    }

    /// <summary>Reads little-endian values; running past the end throws an InvalidDataException naming the section being read.</summary>
    private sealed class Cursor(string path, byte[] bytes, string section)
    {
        private int _position;

        public string Section { get; set; } = section;

        public ulong Position => (ulong)_position;

        public ReadOnlySpan<byte> Take(ulong count)
        {
            if (count > (ulong)(bytes.Length - _position))
                throw new InvalidDataException(
                    $"{path}: truncated {Section}: needs {count} bytes at offset {_position}, but the file ends at offset {bytes.Length}");
            var span = new ReadOnlySpan<byte>(bytes, _position, (int)count);
            _position += (int)count;
            return span;
        }

        public uint ReadUInt32() => MemoryMarshal.Read<uint>(Take(4));

        public ulong ReadUInt64() => MemoryMarshal.Read<ulong>(Take(8));

        public string ReadString()
        {
            ulong length = ReadUInt64();
            int start = _position;
            ReadOnlySpan<byte> utf8 = Take(length);
            try
            {
                return GgufFormat.Utf8.GetString(utf8);
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"{path}: invalid UTF-8 in {Section}: the string at offset {start}");
            }
        }

        /// <summary>Returns <paramref name="count"/> as an int after checking that many elements of at least <paramref name="minimumSize"/> bytes fit in the rest of the file.</summary>
        public int CheckCount(ulong count, int minimumSize)
        {
            ulong fits = (ulong)(bytes.Length - _position) / (ulong)minimumSize;
            if (count > fits)
                throw new InvalidDataException(
                    $"{path}: truncated {Section}: an array of {count} elements needs at least {count}×{minimumSize} bytes at offset {_position}, but the file ends at offset {bytes.Length}");
            return (int)count;
        }
    }
}
