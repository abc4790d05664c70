// GGUF v3 writer: typed metadata in insertion order, tensors converted from F32 to F32, F16 or Q8_0,
// data section aligned to general.alignment (default 32) with every tensor padded, written atomically.
// Limits: the whole file is assembled in memory first (files are small, ~100 MB at most); little-endian hosts only.

using System.Runtime.InteropServices;

namespace Ponder.Engine.Gguf;

/// <summary>
/// Builds a GGUF v3 file: add metadata with the typed setters and tensors with <see cref="AddTensor"/>, then <see cref="Write"/>.
/// Metadata is written in the order keys were first set; tensors in the order they were added.
/// </summary>
/// <remarks>Not thread-safe: use one writer from one thread.</remarks>
public sealed class GgufWriter
{
    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly Dictionary<string, int> _metadataIndex = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    private sealed record PendingTensor(string Name, ulong[] Dimensions, GgmlType Type, byte[] Data);

    // ============================================================================================
    // metadata

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/>. Setting a key again replaces its value and keeps its first position.
    /// <c>general.alignment</c>, if set, must be a UINT32 power of two; it then aligns the tensor data.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty, or <c>general.alignment</c> is not a UINT32 power of two.</exception>
    public void Set(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key == GgufFormat.AlignmentKey && !(value.Raw is uint alignment && GgufFormat.IsValidAlignment(alignment)))
            throw new ArgumentException($"{GgufFormat.AlignmentKey} must be a UINT32 power of two, found {value}", nameof(value));
        if (_metadataIndex.TryGetValue(key, out int index))
        {
            _metadata[index] = new(key, value);
        }
        else
        {
            _metadataIndex.Add(key, _metadata.Count);
            _metadata.Add(new(key, value));
        }
    }

    /// <summary>Sets a UINT8 value. See <see cref="Set"/>.</summary>
    public void SetUInt8(string key, byte value) => Set(key, GgufValue.FromUInt8(value));
    /// <summary>Sets an INT8 value. See <see cref="Set"/>.</summary>
    public void SetInt8(string key, sbyte value) => Set(key, GgufValue.FromInt8(value));
    /// <summary>Sets a UINT16 value. See <see cref="Set"/>.</summary>
    public void SetUInt16(string key, ushort value) => Set(key, GgufValue.FromUInt16(value));
    /// <summary>Sets an INT16 value. See <see cref="Set"/>.</summary>
    public void SetInt16(string key, short value) => Set(key, GgufValue.FromInt16(value));
    /// <summary>Sets a UINT32 value. See <see cref="Set"/>.</summary>
    public void SetUInt32(string key, uint value) => Set(key, GgufValue.FromUInt32(value));
    /// <summary>Sets an INT32 value. See <see cref="Set"/>.</summary>
    public void SetInt32(string key, int value) => Set(key, GgufValue.FromInt32(value));
    /// <summary>Sets a FLOAT32 value. See <see cref="Set"/>.</summary>
    public void SetFloat32(string key, float value) => Set(key, GgufValue.FromFloat32(value));
    /// <summary>Sets a BOOL value. See <see cref="Set"/>.</summary>
    public void SetBool(string key, bool value) => Set(key, GgufValue.FromBool(value));
    /// <summary>Sets a UINT64 value. See <see cref="Set"/>.</summary>
    public void SetUInt64(string key, ulong value) => Set(key, GgufValue.FromUInt64(value));
    /// <summary>Sets an INT64 value. See <see cref="Set"/>.</summary>
    public void SetInt64(string key, long value) => Set(key, GgufValue.FromInt64(value));
    /// <summary>Sets a FLOAT64 value. See <see cref="Set"/>.</summary>
    public void SetFloat64(string key, double value) => Set(key, GgufValue.FromFloat64(value));
    /// <summary>Sets a STRING value. See <see cref="Set"/>.</summary>
    public void SetString(string key, string value) => Set(key, GgufValue.FromString(value));
    /// <summary>Sets an ARRAY of STRING. See <see cref="Set"/>.</summary>
    public void SetStringArray(string key, ReadOnlySpan<string> values) => Set(key, GgufValue.FromStringArray(values));

    /// <summary>Sets an ARRAY whose element type follows <typeparamref name="T"/> (see <see cref="GgufValue.FromArray{T}"/>). See <see cref="Set"/>.</summary>
    public void SetArray<T>(string key, ReadOnlySpan<T> values) where T : unmanaged => Set(key, GgufValue.FromArray(values));

    // ============================================================================================
    // tensors

    /// <summary>
    /// Adds a tensor converted from F32 <paramref name="data"/> to <paramref name="type"/>: F32 as is, F16 rounded to nearest even,
    /// Q8_0 in blocks of 32 along ne[0] (fp16 scale d = max|x|/127, int8 q = round(x/d)).
    /// </summary>
    /// <param name="name">Unique tensor name, shorter than 64 UTF-8 bytes (e.g. <c>blk.0.attn_q.weight</c>).</param>
    /// <param name="dimensions">1 to 4 dimensions, ne[0] innermost: a row-major [out, in] matrix is {in, out}.</param>
    /// <param name="type">Storage type.</param>
    /// <param name="data">The elements, ne[0] varying fastest; length = product of the dimensions.</param>
    /// <exception cref="ArgumentException">
    /// The name is empty, too long or already used; the dimensions are not 1 to 4 positive numbers; the data length does not match;
    /// or the type is Q8_0 and ne[0] is not a multiple of 32.
    /// </exception>
    public void AddTensor(string name, ulong[] dimensions, GgmlType type, ReadOnlySpan<float> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        int nameBytes = GgufFormat.Utf8.GetByteCount(name);
        if (nameBytes > GgufFormat.MaxTensorNameBytes)
            throw new ArgumentException($"tensor name must be shorter than 64 UTF-8 bytes, found {nameBytes}: {name}", nameof(name));
        if (_tensorNames.Contains(name))
            throw new ArgumentException($"tensor {name} was already added", nameof(name));
        if (dimensions.Length is 0 or > GgufFormat.MaxDimensions || Array.IndexOf(dimensions, 0UL) >= 0)
            throw new ArgumentException($"tensor {name}: expected 1 to {GgufFormat.MaxDimensions} positive dimensions, found {{{string.Join(", ", dimensions)}}}", nameof(dimensions));
        ulong elements = 1;
        foreach (ulong dimension in dimensions) elements = checked(elements * dimension);
        if ((ulong)data.Length != elements)
            throw new ArgumentException($"tensor {name}: dimensions {{{string.Join(", ", dimensions)}}} need {elements} values, found {data.Length}", nameof(data));
        if (!Enum.IsDefined(type))
            throw new ArgumentException($"tensor {name}: supported types are F32, F16 and Q8_0, found {(uint)type}", nameof(type));
        if (GgufFormat.ByteSize(type, dimensions[0], elements) is null)
            throw new ArgumentException($"tensor {name}: {type} needs ne[0] divisible by {GgufFormat.Q8BlockElements}, found {dimensions[0]}", nameof(dimensions));

        _tensors.Add(new PendingTensor(name, (ulong[])dimensions.Clone(), type, GgufFormat.Encode(type, data)));
        _tensorNames.Add(name);
    }

    // ============================================================================================
    // output

    /// <summary>
    /// Writes the file to <paramref name="path"/> atomically: to a temporary file in the same folder, flushed to disk, then moved over
    /// <paramref name="path"/>, so readers and crashes never see a partial file. The writer can be written again afterwards.
    /// </summary>
    /// <exception cref="IOException">The file could not be written or moved into place.</exception>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporary)) File.Delete(temporary);
            throw;
        }
    }

    private void WriteTo(Stream stream)
    {
        uint alignment = _metadataIndex.TryGetValue(GgufFormat.AlignmentKey, out int alignmentIndex)
            ? (uint)_metadata[alignmentIndex].Value.Raw
            : GgufFormat.DefaultAlignment;
        using var output = new BinaryWriter(stream, GgufFormat.Utf8, leaveOpen: true);

        output.Write(GgufFormat.Magic);
        output.Write(GgufFormat.Version);
        output.Write((ulong)_tensors.Count);
        output.Write((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(output, key);
            output.Write((uint)value.Type);
            WriteValue(output, value);
        }

        ulong offset = 0; // relative to the start of the data section
        foreach (PendingTensor tensor in _tensors)
        {
            WriteString(output, tensor.Name);
            output.Write((uint)tensor.Dimensions.Length);
            foreach (ulong dimension in tensor.Dimensions) output.Write(dimension);
            output.Write((uint)tensor.Type);
            output.Write(offset);
            offset += GgufFormat.AlignUp((ulong)tensor.Data.Length, alignment);
        }

        output.Flush();
        WritePadding(output, (ulong)stream.Position, alignment);
        foreach (PendingTensor tensor in _tensors)
        {
            output.Write(tensor.Data);
            WritePadding(output, (ulong)tensor.Data.Length, alignment);
        }
    }

    private static void WritePadding(BinaryWriter output, ulong length, uint alignment)
    {
        for (ulong i = length; i < GgufFormat.AlignUp(length, alignment); i++) output.Write((byte)0);
    }

    private static void WriteString(BinaryWriter output, string value)
    {
        byte[] bytes = GgufFormat.Utf8.GetBytes(value);
        output.Write((ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteValue(BinaryWriter output, GgufValue value)
    {
        switch (value.Raw)
        {
            case string s: WriteString(output, s); break;
            case string[] strings:
                output.Write((uint)GgufValueType.String);
                output.Write((ulong)strings.Length);
                foreach (string s in strings) WriteString(output, s);
                break;
            case Array array:
                output.Write((uint)value.ElementType!.Value);
                output.Write((ulong)array.Length);
                output.Write(MemoryMarshal.CreateReadOnlySpan(
                    ref MemoryMarshal.GetArrayDataReference(array), checked(array.Length * GgufFormat.FixedSize(value.ElementType.Value))));
                break;
            case byte v: output.Write(v); break;
            case sbyte v: output.Write(v); break;
            case ushort v: output.Write(v); break;
            case short v: output.Write(v); break;
            case uint v: output.Write(v); break;
            case int v: output.Write(v); break;
            case float v: output.Write(v); break;
            case bool v: output.Write(v); break;
            case ulong v: output.Write(v); break;
            case long v: output.Write(v); break;
            case double v: output.Write(v); break;
            default: throw new InvalidOperationException($"unexpected metadata value {value}");
        }
    }
}
