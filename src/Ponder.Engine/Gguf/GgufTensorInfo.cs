namespace Ponder.Engine.Gguf;

/// <summary>Where and how one tensor is stored in a GGUF file.</summary>
/// <remarks>Thread-safe: instances never change.</remarks>
public sealed class GgufTensorInfo
{
    internal GgufTensorInfo(string name, ulong[] dimensions, GgmlType type, ulong offset, ulong elementCount, ulong byteSize)
    {
        Name = name;
        Dimensions = Array.AsReadOnly(dimensions);
        Type = type;
        Offset = offset;
        ElementCount = elementCount;
        ByteSize = byteSize;
    }

    /// <summary>The tensor's name, e.g. <c>blk.0.attn_q.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The dimensions, ne[0] innermost (varying fastest).</summary>
    public IReadOnlyList<ulong> Dimensions { get; }

    /// <summary>The storage type.</summary>
    public GgmlType Type { get; }

    /// <summary>Byte offset of the data, relative to the start of the data section.</summary>
    public ulong Offset { get; }

    /// <summary>Number of elements: the product of the dimensions.</summary>
    public ulong ElementCount { get; }

    /// <summary>Bytes the data occupies, without padding.</summary>
    public ulong ByteSize { get; }

    /// <summary>Name, dimensions and type, e.g. <c>token_embd.weight {64, 259} F16</c>.</summary>
    public override string ToString() => $"{Name} {{{string.Join(", ", Dimensions)}}} {Type}";
}
