// Character-level tokenizer stored as a llama.cpp "llama" (SentencePiece) vocabulary, so llama.cpp tokenizes like we do:
//   id 0 <unk> (UNKNOWN), 1 <s> (CONTROL), 2 </s> (CONTROL), then one NORMAL token per character (space stored as "▁"),
//   then optionally the 256 BYTE tokens <0x00>…<0xFF>: a character outside the alphabet encodes as its UTF-8 bytes
//   (llama.cpp's byte fallback) instead of as <unk>. All scores are 0; with only single-character pieces no merges apply.
// Limits: a "character" is a Unicode scalar value (a Rune), not a grapheme cluster; no space prefix; BOS/EOS added by the caller.

using System.Buffers;
using System.Globalization;
using System.Text;
using Ponder.Engine.Gguf;

namespace Ponder.Engine.Tokenization;

/// <summary>
/// A character-level tokenizer compatible with llama.cpp's <c>llama</c> (SentencePiece) vocabulary type: one token per character,
/// three special tokens, and optional byte fallback tokens for characters outside the alphabet.
/// </summary>
/// <remarks>Thread-safe: instances never change after construction.</remarks>
public sealed class CharTokenizer
{
    // llama.cpp's llama_token_type values.
    private const int TypeNormal = 1;
    private const int TypeUnknown = 2;
    private const int TypeControl = 3;
    private const int TypeByte = 6;

    private const string UnknownPiece = "<unk>";
    private const string BosPiece = "<s>";
    private const string EosPiece = "</s>";
    /// <summary>SentencePiece stores a space as U+2581 LOWER ONE EIGHTH BLOCK.</summary>
    private const char SpaceMark = '\u2581';
    private const int SpecialCount = 3;

    private readonly string[] _pieces;
    private readonly int[] _types;
    private readonly Dictionary<int, int> _idByCharacter = [];
    private readonly int[]? _idByByte;

    private CharTokenizer(string[] pieces, int[] types, bool addBos)
    {
        _pieces = pieces;
        _types = types;
        AddBos = addBos;
        for (int id = SpecialCount; id < pieces.Length; id++)
        {
            if (types[id] == TypeByte)
            {
                _idByByte ??= new int[256];
                _idByByte[ByteValue(pieces[id])] = id;
            }
            else
            {
                _idByCharacter.Add(CharacterOf(pieces[id])!.Value.Value, id);
            }
        }
    }

    /// <summary>Number of tokens: 3 special tokens, one per character, and 256 byte tokens with byte fallback.</summary>
    public int VocabularySize => _pieces.Length;

    /// <summary>The beginning-of-sequence token <c>&lt;s&gt;</c> (id 1).</summary>
    public int Bos => 1;

    /// <summary>The end-of-sequence token <c>&lt;/s&gt;</c> (id 2).</summary>
    public int Eos => 2;

    /// <summary>The unknown token <c>&lt;unk&gt;</c> (id 0): characters outside the alphabet encode to it when there is no byte fallback.</summary>
    public int Unknown => 0;

    /// <summary>The stored piece of token <paramref name="id"/> (SentencePiece form: <c>&lt;s&gt;</c>, <c>▁</c> for a space,
    /// <c>&lt;0x41&gt;</c> for a byte); two tokenizers' tokens with the same piece are the same token.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is outside [0, <see cref="VocabularySize"/>).</exception>
    public string Piece(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, _pieces.Length);
        return _pieces[id];
    }

    /// <summary>Whether sequences start with <see cref="Bos"/> (as trained); <see cref="Encode"/> never adds it, the caller does.</summary>
    public bool AddBos { get; }

    /// <summary>Whether the vocabulary has the 256 byte tokens, so any text encodes without <see cref="Unknown"/>.</summary>
    public bool ByteFallback => _idByByte is not null;

    /// <summary>
    /// Creates a tokenizer with one token per character of <paramref name="characters"/>, in that order from id 3,
    /// followed by the 256 byte tokens when <paramref name="byteFallback"/> is true.
    /// </summary>
    /// <param name="characters">The alphabet: distinct characters (Unicode scalar values); may include space and newline.</param>
    /// <param name="addBos">Whether sequences start with <see cref="Bos"/>; stored as <c>tokenizer.ggml.add_bos_token</c>.</param>
    /// <param name="byteFallback">Whether to add the byte tokens <c>&lt;0x00&gt;</c>…<c>&lt;0xFF&gt;</c> for characters outside the alphabet.</param>
    /// <exception cref="ArgumentException">
    /// A character repeats, is U+2581 (the stored form of space), or the string has an unpaired surrogate.
    /// </exception>
    public static CharTokenizer FromAlphabet(string characters, bool addBos, bool byteFallback = true)
    {
        ArgumentNullException.ThrowIfNull(characters);
        var pieces = new List<string> { UnknownPiece, BosPiece, EosPiece };
        var types = new List<int> { TypeUnknown, TypeControl, TypeControl };
        var seen = new HashSet<Rune>();
        for (int index = 0; index < characters.Length;)
        {
            if (Rune.DecodeFromUtf16(characters.AsSpan(index), out Rune character, out int length) != OperationStatus.Done)
                throw new ArgumentException($"the alphabet has an unpaired surrogate at index {index}", nameof(characters));
            if (character.Value == SpaceMark)
                throw new ArgumentException("the alphabet must not contain U+2581 '▁': it is how a space is stored; include ' ' instead", nameof(characters));
            if (!seen.Add(character))
                throw new ArgumentException($"the alphabet repeats the character {Describe(character)} at index {index}", nameof(characters));
            pieces.Add(character.Value == ' ' ? SpaceMark.ToString() : character.ToString());
            types.Add(TypeNormal);
            index += length;
        }
        if (byteFallback)
        {
            for (int b = 0; b < 256; b++)
            {
                pieces.Add(BytePiece(b));
                types.Add(TypeByte);
            }
        }
        return new CharTokenizer([.. pieces], [.. types], addBos);
    }

    // ============================================================================================
    // encode / decode

    /// <summary>
    /// Encodes <paramref name="text"/> one character at a time, without BOS or EOS. A character outside the alphabet becomes its
    /// UTF-8 byte tokens with byte fallback, otherwise <see cref="Unknown"/>. As in llama.cpp, a literal U+2581 '▁' reads as a space.
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (Rune rune in text.EnumerateRunes()) // an unpaired surrogate enumerates as U+FFFD
        {
            int key = rune.Value == SpaceMark ? ' ' : rune.Value;
            if (_idByCharacter.TryGetValue(key, out int id))
            {
                ids.Add(id);
            }
            else if (_idByByte is not null)
            {
                int length = rune.EncodeToUtf8(utf8);
                foreach (byte b in utf8[..length]) ids.Add(_idByByte[b]);
            }
            else
            {
                ids.Add(Unknown);
            }
        }
        return [.. ids];
    }

    /// <summary>
    /// Decodes token ids to text: characters as themselves, runs of byte tokens as UTF-8 (invalid sequences become U+FFFD),
    /// <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> as nothing, and <c>&lt;unk&gt;</c> as U+FFFD.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside [0, <see cref="VocabularySize"/>).</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder(ids.Length);
        var pendingBytes = new List<byte>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_pieces.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id outside the vocabulary of {_pieces.Length}");
            if (_types[id] == TypeByte)
            {
                pendingBytes.Add(ByteValue(_pieces[id]));
                continue;
            }
            FlushBytes(text, pendingBytes);
            switch (_types[id])
            {
                case TypeUnknown: text.Append('\uFFFD'); break;
                case TypeControl: break;
                default: text.Append(_pieces[id][0] == SpaceMark ? " " : _pieces[id]); break;
            }
        }
        FlushBytes(text, pendingBytes);
        return text.ToString();
    }

    /// <summary>
    /// The text of one token, as <see cref="Decode"/> gives it. A lone byte token of a multi-byte character decodes as U+FFFD;
    /// decode whole sequences to join such bytes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is outside [0, <see cref="VocabularySize"/>).</exception>
    public string TokenText(int id) => Decode([id]);

    private static void FlushBytes(StringBuilder text, List<byte> bytes)
    {
        if (bytes.Count == 0) return;
        text.Append(Encoding.UTF8.GetString(bytes.ToArray())); // Encoding.UTF8 replaces invalid sequences with U+FFFD
        bytes.Clear();
    }

    // ============================================================================================
    // GGUF

    /// <summary>Writes the vocabulary as llama.cpp's <c>tokenizer.ggml.*</c> metadata (model "llama").</summary>
    public void WriteTo(GgufWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.SetString("tokenizer.ggml.model", "llama");
        writer.SetStringArray("tokenizer.ggml.tokens", _pieces);
        writer.SetArray<float>("tokenizer.ggml.scores", new float[_pieces.Length]);
        writer.SetArray<int>("tokenizer.ggml.token_type", _types);
        writer.SetUInt32("tokenizer.ggml.bos_token_id", (uint)Bos);
        writer.SetUInt32("tokenizer.ggml.eos_token_id", (uint)Eos);
        writer.SetUInt32("tokenizer.ggml.unknown_token_id", (uint)Unknown);
        writer.SetBool("tokenizer.ggml.add_space_prefix", false);
        writer.SetBool("tokenizer.ggml.add_bos_token", AddBos);
        writer.SetBool("tokenizer.ggml.add_eos_token", false);
    }

    /// <summary>Reads the vocabulary that <see cref="WriteTo"/> writes, checking that it is a character-level llama vocabulary.</summary>
    /// <exception cref="InvalidDataException">
    /// The metadata is missing, has the wrong types, or describes another kind of vocabulary (another model, multi-character
    /// pieces, other special tokens, a space prefix, an incomplete set of byte tokens); the message names the file and the token.
    /// </exception>
    public static CharTokenizer ReadFrom(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        InvalidDataException Invalid(string problem) => new($"{file.Path}: {problem} (expected a character-level llama vocabulary)");

        string model = file.GetString("tokenizer.ggml.model");
        if (model != "llama")
            throw Invalid($"tokenizer.ggml.model: expected \"llama\", found \"{model}\"");
        string[] pieces = file.GetStringArray("tokenizer.ggml.tokens");
        int[] types = file.GetArray<int>("tokenizer.ggml.token_type");
        if (types.Length != pieces.Length)
            throw Invalid($"tokenizer.ggml.token_type: expected {pieces.Length} entries (one per token), found {types.Length}");
        if (file.TryGetArray("tokenizer.ggml.scores", out float[]? scores) && scores.Length != pieces.Length)
            throw Invalid($"tokenizer.ggml.scores: expected {pieces.Length} entries (one per token), found {scores.Length}");

        (string Piece, int Type)[] specials = [(UnknownPiece, TypeUnknown), (BosPiece, TypeControl), (EosPiece, TypeControl)];
        for (int id = 0; id < SpecialCount; id++)
        {
            if (id >= pieces.Length || pieces[id] != specials[id].Piece || types[id] != specials[id].Type)
                throw Invalid(id >= pieces.Length
                    ? $"expected at least {SpecialCount} tokens, found {pieces.Length}"
                    : $"token {id}: expected \"{specials[id].Piece}\" of type {specials[id].Type}, found \"{pieces[id]}\" of type {types[id]}");
        }
        foreach (var (key, expected) in new[] { ("tokenizer.ggml.unknown_token_id", 0u), ("tokenizer.ggml.bos_token_id", 1u), ("tokenizer.ggml.eos_token_id", 2u) })
        {
            if (file.TryGetUInt32(key, out uint found) && found != expected)
                throw Invalid($"{key}: expected {expected}, found {found}");
        }
        if (file.TryGetBool("tokenizer.ggml.add_space_prefix", out bool spacePrefix) && spacePrefix)
            throw Invalid("tokenizer.ggml.add_space_prefix: expected false, found true");
        if (file.TryGetBool("tokenizer.ggml.add_eos_token", out bool addEos) && addEos)
            throw Invalid("tokenizer.ggml.add_eos_token: expected false, found true");
        // llama.cpp adds BOS for llama vocabularies unless told otherwise.
        bool addBos = !file.TryGetBool("tokenizer.ggml.add_bos_token", out bool storedAddBos) || storedAddBos;

        var characters = new HashSet<int>();
        var bytes = new HashSet<int>();
        for (int id = SpecialCount; id < pieces.Length; id++)
        {
            string piece = pieces[id];
            if (types[id] == TypeByte)
            {
                if (!IsBytePiece(piece))
                    throw Invalid($"token {id}: expected a byte token like <0x41>, found \"{piece}\"");
                if (!bytes.Add(ByteValue(piece)))
                    throw Invalid($"token {id}: byte token {piece} repeats");
            }
            else if (types[id] == TypeNormal)
            {
                Rune? character = CharacterOf(piece);
                if (character is null)
                    throw Invalid($"token {id}: expected a single character, found \"{piece}\"");
                if (character.Value.Value == ' ' && piece != SpaceMark.ToString())
                    throw Invalid($"token {id}: expected a space stored as \"▁\", found \" \"");
                if (!characters.Add(character.Value.Value))
                    throw Invalid($"token {id}: character {Describe(character.Value)} repeats");
            }
            else
            {
                throw Invalid($"token {id} \"{piece}\": expected type {TypeNormal} (NORMAL) or {TypeByte} (BYTE), found {types[id]}");
            }
        }
        if (bytes.Count is not (0 or 256))
            throw Invalid($"expected all 256 byte tokens or none, found {bytes.Count}");
        return new CharTokenizer(pieces, types, addBos);
    }

    // ============================================================================================
    // pieces

    private static string BytePiece(int b) => $"<0x{b:X2}>";

    private static bool IsBytePiece(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
        && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _);

    private static byte ByteValue(string bytePiece) => byte.Parse(bytePiece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>The character a NORMAL piece stands for ("▁" is a space), or null when the piece is not exactly one character.</summary>
    private static Rune? CharacterOf(string piece)
    {
        if (Rune.DecodeFromUtf16(piece, out Rune rune, out int length) != OperationStatus.Done || length != piece.Length) return null;
        return rune.Value == SpaceMark ? new Rune(' ') : rune;
    }

    private static string Describe(Rune character) => Rune.IsControl(character) || Rune.IsWhiteSpace(character)
        ? $"U+{character.Value:X4}"
        : $"'{character}' (U+{character.Value:X4})";
}
