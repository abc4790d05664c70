// GGUF v3 constants and the tensor codecs shared by GgufWriter and GgufFile.
// Limits: little-endian hosts only (values are copied as raw memory); tensor types F32, F16 and Q8_0.

using System.Runtime.InteropServices;

namespace Ponder.Engine.Gguf;

internal static class GgufFormat
{
    /// <summary>"GGUF" read as a little-endian u32.</summary>
    public const uint Magic = 0x46554747;
    public const uint Version = 3;
    public const uint DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";
    /// <summary>ggml's GGML_MAX_NAME is 64 including the terminating NUL.</summary>
    public const int MaxTensorNameBytes = 63;
    /// <summary>ggml's GGML_MAX_DIMS.</summary>
    public const int MaxDimensions = 4;
    public const int Q8BlockElements = 32;
    public const int Q8BlockBytes = 2 + Q8BlockElements;

    /// <summary>Strict UTF-8: invalid bytes throw instead of becoming U+FFFD.</summary>
    public static readonly System.Text.UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The specification's spelling of a value type, e.g. UINT32.</summary>
    public static string Name(GgufValueType type) =>
        Enum.IsDefined(type) ? type.ToString().ToUpperInvariant() : $"type {(uint)type}";

    /// <summary>Bytes per element of a fixed-size value type; 0 for STRING and ARRAY.</summary>
    public static int FixedSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => 0,
    };

    /// <summary>The value type that stores CLR type <typeparamref name="T"/>, or null when GGUF has none.</summary>
    public static GgufValueType? TypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(byte) ? GgufValueType.UInt8
        : typeof(T) == typeof(sbyte) ? GgufValueType.Int8
        : typeof(T) == typeof(ushort) ? GgufValueType.UInt16
        : typeof(T) == typeof(short) ? GgufValueType.Int16
        : typeof(T) == typeof(uint) ? GgufValueType.UInt32
        : typeof(T) == typeof(int) ? GgufValueType.Int32
        : typeof(T) == typeof(float) ? GgufValueType.Float32
        : typeof(T) == typeof(bool) ? GgufValueType.Bool
        : typeof(T) == typeof(ulong) ? GgufValueType.UInt64
        : typeof(T) == typeof(long) ? GgufValueType.Int64
        : typeof(T) == typeof(double) ? GgufValueType.Float64
        : null;

    public static ulong AlignUp(ulong offset, uint alignment) => (offset + alignment - 1) / alignment * alignment;

    public static bool IsValidAlignment(uint alignment) => alignment != 0 && (alignment & (alignment - 1)) == 0;

    /// <summary>Bytes that <paramref name="elements"/> elements of <paramref name="type"/> occupy, or null when ne[0] does not fit the type's blocks.</summary>
    public static ulong? ByteSize(GgmlType type, ulong innermost, ulong elements) => type switch
    {
        GgmlType.F32 => checked(elements * 4),
        GgmlType.F16 => checked(elements * 2),
        GgmlType.Q8_0 when innermost % Q8BlockElements == 0 => checked(elements / Q8BlockElements * Q8BlockBytes),
        _ => null,
    };

    // ----------------------------------------------------------------------------------------------
    // tensor codecs

    /// <summary>Encodes F32 values as <paramref name="type"/>; Q8_0 requires a length divisible by 32.</summary>
    public static byte[] Encode(GgmlType type, ReadOnlySpan<float> values)
    {
        switch (type)
        {
            case GgmlType.F32:
                return MemoryMarshal.AsBytes(values).ToArray();
            case GgmlType.F16:
                {
                    var halves = new Half[values.Length];
                    // The float → Half conversion rounds to nearest, ties to even.
                    for (int i = 0; i < values.Length; i++) halves[i] = (Half)values[i];
                    return MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
                }
            case GgmlType.Q8_0:
                return EncodeQ8_0(values);
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "supported tensor types are F32, F16 and Q8_0");
        }
    }

    // Per block: d = max|x| / 127 stored as fp16, q = round(x / d) with ties away from zero (ggml's roundf).
    // The quants are computed with the unrounded d, as ggml's reference quantizer does.
    private static byte[] EncodeQ8_0(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length / Q8BlockElements * Q8BlockBytes];
        for (int block = 0; block < values.Length / Q8BlockElements; block++)
        {
            ReadOnlySpan<float> x = values.Slice(block * Q8BlockElements, Q8BlockElements);
            Span<byte> output = bytes.AsSpan(block * Q8BlockBytes, Q8BlockBytes);
            float maxAbs = 0;
            foreach (float v in x) maxAbs = MathF.Max(maxAbs, MathF.Abs(v));
            float d = maxAbs / 127f;
            MemoryMarshal.Write(output, (Half)d);
            for (int i = 0; i < Q8BlockElements; i++)
            {
                float q = d == 0 ? 0 : MathF.Round(x[i] / d, MidpointRounding.AwayFromZero);
                // A subnormal d has few significant bits, so x / d can land past ±127.
                output[2 + i] = (byte)(sbyte)Math.Clamp(q, -127f, 127f);
            }
        }
        return bytes;
    }

    /// <summary>Decodes <paramref name="bytes"/> of <paramref name="type"/> into <paramref name="output"/>, whose length is the element count.</summary>
    public static void Decode(GgmlType type, ReadOnlySpan<byte> bytes, Span<float> output)
    {
        switch (type)
        {
            case GgmlType.F32:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(output);
                break;
            case GgmlType.F16:
                {
                    ReadOnlySpan<Half> halves = MemoryMarshal.Cast<byte, Half>(bytes);
                    for (int i = 0; i < output.Length; i++) output[i] = (float)halves[i];
                    break;
                }
            case GgmlType.Q8_0:
                for (int block = 0; block < output.Length / Q8BlockElements; block++)
                {
                    ReadOnlySpan<byte> input = bytes.Slice(block * Q8BlockBytes, Q8BlockBytes);
                    float d = (float)MemoryMarshal.Read<Half>(input);
                    Span<float> y = output.Slice(block * Q8BlockElements, Q8BlockElements);
                    for (int i = 0; i < Q8BlockElements; i++) y[i] = d * (sbyte)input[2 + i];
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "supported tensor types are F32, F16 and Q8_0");
        }
    }
}
