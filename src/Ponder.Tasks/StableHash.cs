using Ponder;
using System.Text;

namespace Ponder.Tasks;

/// <summary>
/// Hashes that never change between processes or runtimes (unlike <see cref="string.GetHashCode()"/>, which is randomised
/// per process): they name problems and assign them to splits, so they must be the same forever.
/// </summary>
internal static class StableHash
{
    /// <summary>FNV-1a (64-bit) of the UTF-8 bytes of <paramref name="text"/>, passed through <see cref="SplitMix64.Mix"/>.</summary>
    /// <remarks>FNV-1a's low bits depend weakly on the early bytes; the finaliser spreads every input bit over the result, so
    /// taking it modulo a small number gives even buckets.</remarks>
    public static ulong Of(string text)
    {
        // Expressions are short, so the UTF-8 bytes fit on the stack and hashing allocates nothing.
        int maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> bytes = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        bytes = bytes[..Encoding.UTF8.GetBytes(text, bytes)];
        ulong hash = 0xCBF29CE484222325UL;
        foreach (byte b in bytes)
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }
        return SplitMix64.Mix(hash);
    }
}
