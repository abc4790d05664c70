namespace Ponder.Tasks.Arith;

/// <summary>Reading numbers the way the task writes them. Strict on purpose: a model trained on one spelling of each
/// number should be held to it, and a lenient reader would make the checker disagree with the formats.</summary>
internal static class ArithText
{
    /// <summary>The largest number a problem or solution may write: nine digits, so two of them multiply within a long.</summary>
    public const int MaxNumber = 999_999_999;

    /// <summary>Reads a number at the start of <paramref name="text"/> and advances past it: one to nine decimal digits,
    /// no sign, and no leading zero unless the number is 0. A digit right after the ninth makes it fail.</summary>
    public static bool TryReadNumber(ref ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        int length = 0;
        while (length < text.Length && char.IsAsciiDigit(text[length])) length++;
        if (length is 0 or > 9 || (length > 1 && text[0] == '0')) return false;
        foreach (char c in text[..length]) value = value * 10 + (c - '0');
        text = text[length..];
        return true;
    }

    /// <summary>Whether <paramref name="text"/> is exactly one number as <see cref="TryReadNumber"/> reads it.</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out int value) => TryReadNumber(ref text, out value) && text.IsEmpty;
}
