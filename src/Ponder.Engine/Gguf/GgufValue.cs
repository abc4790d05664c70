namespace Ponder.Engine.Gguf;

/// <summary>
/// One typed GGUF metadata value: a scalar, a string, or an array of one element type (nested arrays are not supported).
/// Instances are immutable; create them with the static factories or get them from <see cref="GgufFile"/>.
/// </summary>
/// <remarks>Thread-safe: instances never change after construction.</remarks>
public sealed class GgufValue
{
    private readonly object _value;

    private GgufValue(GgufValueType type, GgufValueType? elementType, object value)
    {
        Type = type;
        ElementType = elementType;
        _value = value;
    }

    /// <summary>The value's type.</summary>
    public GgufValueType Type { get; }

    /// <summary>The element type when <see cref="Type"/> is <see cref="GgufValueType.Array"/>; otherwise null.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>Number of elements of an array, or 1 for a scalar or string.</summary>
    public int Count => _value is Array array ? array.Length : 1;

    /// <summary>Creates a UINT8 value.</summary>
    public static GgufValue FromUInt8(byte value) => new(GgufValueType.UInt8, null, value);
    /// <summary>Creates an INT8 value.</summary>
    public static GgufValue FromInt8(sbyte value) => new(GgufValueType.Int8, null, value);
    /// <summary>Creates a UINT16 value.</summary>
    public static GgufValue FromUInt16(ushort value) => new(GgufValueType.UInt16, null, value);
    /// <summary>Creates an INT16 value.</summary>
    public static GgufValue FromInt16(short value) => new(GgufValueType.Int16, null, value);
    /// <summary>Creates a UINT32 value.</summary>
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, null, value);
    /// <summary>Creates an INT32 value.</summary>
    public static GgufValue FromInt32(int value) => new(GgufValueType.Int32, null, value);
    /// <summary>Creates a FLOAT32 value.</summary>
    public static GgufValue FromFloat32(float value) => new(GgufValueType.Float32, null, value);
    /// <summary>Creates a BOOL value.</summary>
    public static GgufValue FromBool(bool value) => new(GgufValueType.Bool, null, value);
    /// <summary>Creates a UINT64 value.</summary>
    public static GgufValue FromUInt64(ulong value) => new(GgufValueType.UInt64, null, value);
    /// <summary>Creates an INT64 value.</summary>
    public static GgufValue FromInt64(long value) => new(GgufValueType.Int64, null, value);
    /// <summary>Creates a FLOAT64 value.</summary>
    public static GgufValue FromFloat64(double value) => new(GgufValueType.Float64, null, value);

    /// <summary>Creates a STRING value.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static GgufValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.String, null, value);
    }

    /// <summary>Creates an ARRAY of STRING; the strings are copied.</summary>
    /// <exception cref="ArgumentException">An element is null.</exception>
    public static GgufValue FromStringArray(ReadOnlySpan<string> values)
    {
        foreach (string s in values)
            if (s is null) throw new ArgumentException("string array elements must not be null", nameof(values));
        return new(GgufValueType.Array, GgufValueType.String, values.ToArray());
    }

    /// <summary>
    /// Creates an ARRAY whose element type follows <typeparamref name="T"/>: byte → UINT8, sbyte → INT8, ushort → UINT16,
    /// short → INT16, uint → UINT32, int → INT32, float → FLOAT32, bool → BOOL, ulong → UINT64, long → INT64, double → FLOAT64.
    /// The values are copied.
    /// </summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has no GGUF value type.</exception>
    public static GgufValue FromArray<T>(ReadOnlySpan<T> values) where T : unmanaged =>
        new(GgufValueType.Array, ElementTypeOf<T>(), values.ToArray());

    /// <summary>Returns the scalar as <typeparamref name="T"/>, or null when the value is not a scalar of that CLR type.</summary>
    internal T? AsScalar<T>() where T : struct => _value is T scalar ? scalar : null;

    /// <summary>Returns the string, or null when the value is not a STRING.</summary>
    internal string? AsString() => _value as string;

    /// <summary>Returns a copy of the array, or null when the value is not an array of <typeparamref name="T"/>.</summary>
    internal T[]? AsArrayCopy<T>() => _value is T[] array ? (T[])array.Clone() : null;

    /// <summary>The boxed scalar, string or array itself; callers must not modify it.</summary>
    internal object Raw => _value;

    /// <summary>The value's type as the specification spells it, e.g. UINT32 or ARRAY of STRING.</summary>
    internal string TypeName => ElementType is { } element ? $"ARRAY of {GgufFormat.Name(element)}" : GgufFormat.Name(Type);

    internal static GgufValueType ElementTypeOf<T>() where T : unmanaged =>
        GgufFormat.TypeOf<T>() ?? throw new ArgumentException($"GGUF has no value type for {typeof(T).Name}");

    internal static GgufValue ArrayOf(GgufValueType elementType, Array values) => new(GgufValueType.Array, elementType, values);

    internal static GgufValue Scalar(GgufValueType type, object value) => new(type, null, value);

    /// <summary>A short human-readable form, e.g. <c>UINT32 4</c> or <c>ARRAY of STRING [259]</c>.</summary>
    public override string ToString() => _value switch
    {
        Array array => $"{TypeName} [{array.Length}]",
        string s => $"STRING \"{s}\"",
        IFormattable f => $"{TypeName} {f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)}",
        _ => $"{TypeName} {_value}",
    };
}
