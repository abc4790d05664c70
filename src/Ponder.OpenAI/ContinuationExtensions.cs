using Ponder.Generation;

namespace Ponder.OpenAI;

/// <summary>How OpenAI-compatible APIs show a <see cref="Continuation"/>.</summary>
public static class ContinuationExtensions
{
    /// <summary>
    /// The continuation's text without the stop string it ended at (of <paramref name="stops"/>, the longest that ends
    /// it), as OpenAI's APIs return text; Ponder's contract keeps the stop string.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string TextWithoutStop(this Continuation continuation, IReadOnlyList<string> stops)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(stops);
        if (continuation.FinishReason != FinishReason.Stop) return continuation.Text;
        string? stop = stops.Where(s => continuation.Text.EndsWith(s, StringComparison.Ordinal)).MaxBy(s => s.Length);
        return stop is null ? continuation.Text : continuation.Text[..^stop.Length];
    }
}
