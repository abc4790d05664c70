using Ponder.Engine.Gguf;
using Ponder.Engine.Tests.Gguf;
using Ponder.Engine.Tokenization;

namespace Ponder.Engine.Tests.Tokenization;

public sealed class CharTokenizerTests : IDisposable
{
    private const string Alphabet = "0123456789+-*= \n";
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void LayoutFollowsTheLlamaVocabulary()
    {
        CharTokenizer tokenizer = CharTokenizer.FromAlphabet(Alphabet, addBos: true);

        Assert.Equal(3 + Alphabet.Length + 256, tokenizer.VocabularySize);
        Assert.Equal(1, tokenizer.Bos);
        Assert.Equal(2, tokenizer.Eos);
        Assert.Equal(0, tokenizer.Unknown);
        Assert.True(tokenizer.AddBos);
        Assert.True(tokenizer.ByteFallback);
        Assert.Equal([3, 4, 17], tokenizer.Encode("01 "));
        Assert.Equal("", tokenizer.TokenText(tokenizer.Bos));
        Assert.Equal("", tokenizer.TokenText(tokenizer.Eos));
        Assert.Equal("\uFFFD", tokenizer.TokenText(tokenizer.Unknown));
        Assert.Equal(" ", tokenizer.TokenText(17));
        Assert.Equal("A", tokenizer.TokenText(3 + Alphabet.Length + 0x41)); // the byte token <0x41>
    }

    [Fact]
    public void EncodeDecodeRoundTripsWithSpacesAndNewlines()
    {
        CharTokenizer tokenizer = CharTokenizer.FromAlphabet(Alphabet, addBos: false);
        const string text = "12 + 30 = 42\n 7*6=42 \n";

        int[] ids = tokenizer.Encode(text);

        Assert.Equal(text.Length, ids.Length);
        Assert.All(ids, id => Assert.InRange(id, 3, 3 + Alphabet.Length - 1));
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Equal(text, tokenizer.Decode([tokenizer.Bos, .. ids, tokenizer.Eos]));
        Assert.Empty(tokenizer.Encode(""));
    }

    [Fact]
    public void CharactersOutsideTheAlphabetFallBackToTheirUtf8Bytes()
    {
        CharTokenizer tokenizer = CharTokenizer.FromAlphabet("ab ", addBos: true);
        int firstByte = 3 + 3;

        int[] ids = tokenizer.Encode("a€b😀");

        Assert.Equal([3, firstByte + 0xE2, firstByte + 0x82, firstByte + 0xAC, 4, firstByte + 0xF0, firstByte + 0x9F, firstByte + 0x98, firstByte + 0x80], ids);
        Assert.Equal("a€b😀", tokenizer.Decode(ids));
        Assert.Equal("\uFFFD", tokenizer.TokenText(firstByte + 0xE2)); // a lone lead byte is not a character
        Assert.Equal("\uFFFDb", tokenizer.Decode([firstByte + 0xE2, 4]));
    }

    [Fact]
    public void WithoutByteFallbackUnknownCharactersBecomeUnk()
    {
        CharTokenizer tokenizer = CharTokenizer.FromAlphabet("ab", addBos: true, byteFallback: false);

        Assert.False(tokenizer.ByteFallback);
        Assert.Equal(5, tokenizer.VocabularySize);
        Assert.Equal([3, 0, 4], tokenizer.Encode("a€b"));
        Assert.Equal("a\uFFFDb", tokenizer.Decode([3, 0, 4]));
    }

    [Fact]
    public void ALiteralSpaceMarkReadsAsASpaceAsInLlamaCpp()
    {
        CharTokenizer tokenizer = CharTokenizer.FromAlphabet("a ", addBos: true);
        Assert.Equal(tokenizer.Encode("a a"), tokenizer.Encode("a▁a"));
    }

    [Fact]
    public void BadAlphabetsAndIdsAreRejected()
    {
        Assert.Contains("repeats the character 'a' (U+0061) at index 2", Assert.Throws<ArgumentException>(() => CharTokenizer.FromAlphabet("aba", true)).Message);
        Assert.Contains("U+2581", Assert.Throws<ArgumentException>(() => CharTokenizer.FromAlphabet("a▁", true)).Message);
        Assert.Contains("unpaired surrogate at index 1", Assert.Throws<ArgumentException>(() => CharTokenizer.FromAlphabet("a\uD800", true)).Message);
        CharTokenizer tokenizer = CharTokenizer.FromAlphabet("ab", true);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([tokenizer.VocabularySize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.TokenText(-1));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void GgufRoundTripKeepsTheVocabularyAndTheLlamaCppKeys(bool addBos, bool byteFallback)
    {
        CharTokenizer original = CharTokenizer.FromAlphabet(Alphabet + "é😀", addBos, byteFallback);
        var writer = new GgufWriter();
        original.WriteTo(writer);
        string path = _folder.File("tokenizer.gguf");
        writer.Write(path);

        GgufFile file = GgufFile.Read(path);
        CharTokenizer read = CharTokenizer.ReadFrom(file);

        Assert.Equal("llama", file.GetString("tokenizer.ggml.model"));
        string[] tokens = file.GetStringArray("tokenizer.ggml.tokens");
        Assert.Equal(["<unk>", "<s>", "</s>", "0"], tokens[..4]);
        Assert.Equal("▁", tokens[3 + Alphabet.IndexOf(' ')]);
        Assert.Equal("😀", tokens[3 + Alphabet.Length + 1]);
        int[] types = file.GetArray<int>("tokenizer.ggml.token_type");
        Assert.Equal([2, 3, 3, 1], types[..4]);
        if (byteFallback)
        {
            Assert.Equal("<0x00>", tokens[^256]);
            Assert.Equal("<0xFF>", tokens[^1]);
            Assert.Equal(6, types[^1]);
        }
        else
        {
            Assert.Equal("😀", tokens[^1]);
            Assert.Equal(1, types[^1]);
        }
        Assert.All(file.GetArray<float>("tokenizer.ggml.scores"), score => Assert.Equal(0f, score));
        Assert.Equal(1u, file.GetUInt32("tokenizer.ggml.bos_token_id"));
        Assert.Equal(2u, file.GetUInt32("tokenizer.ggml.eos_token_id"));
        Assert.Equal(0u, file.GetUInt32("tokenizer.ggml.unknown_token_id"));
        Assert.False(file.GetBool("tokenizer.ggml.add_space_prefix"));
        Assert.Equal(addBos, file.GetBool("tokenizer.ggml.add_bos_token"));
        Assert.False(file.GetBool("tokenizer.ggml.add_eos_token"));

        Assert.Equal(original.VocabularySize, read.VocabularySize);
        Assert.Equal(addBos, read.AddBos);
        Assert.Equal(byteFallback, read.ByteFallback);
        const string text = "é 12+3=15\n😀 ü";
        Assert.Equal(original.Encode(text), read.Encode(text));
        Assert.Equal(original.Decode(original.Encode(text)), read.Decode(read.Encode(text)));
    }

    [Fact]
    public void ReadFromRejectsVocabulariesThatAreNotCharacterLevelLlama()
    {
        string Fails(Action<GgufWriter> change)
        {
            var writer = new GgufWriter();
            CharTokenizer.FromAlphabet("ab ", addBos: true).WriteTo(writer);
            change(writer);
            string path = _folder.File("bad.gguf");
            writer.Write(path);
            GgufFile file = GgufFile.Read(path);
            string message = Assert.Throws<InvalidDataException>(() => CharTokenizer.ReadFrom(file)).Message;
            Assert.StartsWith(path + ": ", message);
            return message;
        }
        string[] Tokens(params string[] characters) => ["<unk>", "<s>", "</s>", .. characters];

        Assert.Contains("tokenizer.ggml.model: expected \"llama\", found \"gpt2\"", Fails(w => w.SetString("tokenizer.ggml.model", "gpt2")));
        Assert.Contains("token 4: expected a single character, found \"ab\"", Fails(w =>
        {
            w.SetStringArray("tokenizer.ggml.tokens", Tokens("a", "ab"));
            w.SetArray<int>("tokenizer.ggml.token_type", [2, 3, 3, 1, 1]);
            w.SetArray<float>("tokenizer.ggml.scores", new float[5]);
        }));
        Assert.Contains("token 4: character 'a' (U+0061) repeats", Fails(w =>
        {
            w.SetStringArray("tokenizer.ggml.tokens", Tokens("a", "a"));
            w.SetArray<int>("tokenizer.ggml.token_type", [2, 3, 3, 1, 1]);
            w.SetArray<float>("tokenizer.ggml.scores", new float[5]);
        }));
        Assert.Contains("token 1: expected \"<s>\" of type 3, found \"<|begin|>\" of type 3", Fails(w =>
            w.SetStringArray("tokenizer.ggml.tokens", ["<unk>", "<|begin|>", .. Enumerable.Repeat("x", 260)])));
        Assert.Contains("tokenizer.ggml.token_type: expected 262 entries (one per token), found 3", Fails(w => w.SetArray<int>("tokenizer.ggml.token_type", [2, 3, 3])));
        Assert.Contains("token 3 \"a\": expected type 1 (NORMAL) or 6 (BYTE), found 4", Fails(w =>
        {
            int[] types = [2, 3, 3, 4, 1, 1, .. Enumerable.Repeat(6, 256)];
            w.SetArray<int>("tokenizer.ggml.token_type", types);
        }));
        Assert.Contains("expected all 256 byte tokens or none, found 255", Fails(w =>
        {
            w.SetStringArray("tokenizer.ggml.tokens", Tokens(["a", "b", "▁", .. Enumerable.Range(0, 255).Select(b => $"<0x{b:X2}>")]));
            w.SetArray<int>("tokenizer.ggml.token_type", [2, 3, 3, 1, 1, 1, .. Enumerable.Repeat(6, 255)]);
            w.SetArray<float>("tokenizer.ggml.scores", new float[261]);
        }));
        Assert.Contains("tokenizer.ggml.add_space_prefix: expected false, found true", Fails(w => w.SetBool("tokenizer.ggml.add_space_prefix", true)));
        Assert.Contains("tokenizer.ggml.bos_token_id: expected 1, found 5", Fails(w => w.SetUInt32("tokenizer.ggml.bos_token_id", 5)));
        Assert.Contains("tokenizer.ggml.bos_token_id: expected UINT32, found INT32", Fails(w => w.SetInt32("tokenizer.ggml.bos_token_id", 1)));
    }

    [Fact]
    public void ReadFromAFileWithoutAVocabularyNamesTheMissingKey()
    {
        var writer = new GgufWriter();
        writer.SetString("general.architecture", "llama");
        string path = _folder.File("no-vocab.gguf");
        writer.Write(path);
        GgufFile file = GgufFile.Read(path);

        Assert.Equal($"{path}: missing metadata key tokenizer.ggml.model", Assert.Throws<InvalidDataException>(() => CharTokenizer.ReadFrom(file)).Message);
    }
}
