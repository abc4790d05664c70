namespace Ponder.Engine.Gguf;

/// <summary>The storage type of a tensor, with ggml's numeric ids. Only the types Ponder reads and writes are listed.</summary>
public enum GgmlType : uint
{
    /// <summary>IEEE 754 single-precision floats, 4 bytes per element.</summary>
    F32 = 0,
    /// <summary>IEEE 754 half-precision floats, 2 bytes per element.</summary>
    F16 = 1,
    /// <summary>Blocks of 32 elements: an fp16 scale d followed by 32 int8 quants q; element = d·q. 34 bytes per block.</summary>
    Q8_0 = 8,
}
