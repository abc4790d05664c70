namespace Ponder.Generation;

/// <summary>Why a continuation ended.</summary>
public enum FinishReason
{
    /// <summary>A stop string was generated.</summary>
    Stop,
    /// <summary>The token limit (max tokens or the context length) was reached.</summary>
    Length,
    /// <summary>The model emitted its end-of-sequence token.</summary>
    EndOfSequence,
}

/// <summary>A generated token and its log-probability under the sampling distribution before temperature.</summary>
public readonly record struct TokenLogProb(string Token, float LogProb);

/// <summary>One continuation of a prefix, with the tokens it cost.</summary>
/// <param name="Text">The generated text (stop string included, end-of-sequence token excluded).</param>
/// <param name="FinishReason">Why generation ended.</param>
/// <param name="PromptTokens">Tokens in the prefix.</param>
/// <param name="CachedPromptTokens">Prefix tokens whose keys and values were reused rather than computed for this continuation.</param>
/// <param name="GeneratedTokens">Tokens generated, the end-of-sequence token included when emitted.</param>
/// <param name="LogProbs">Per generated token log-probabilities when requested, else null.</param>
public sealed record Continuation(
    string Text,
    FinishReason FinishReason,
    int PromptTokens,
    int CachedPromptTokens,
    int GeneratedTokens,
    IReadOnlyList<TokenLogProb>? LogProbs);

/// <summary>The continuations of one <see cref="GenerationRequest"/>, in request order.</summary>
public sealed record GenerationResult(IReadOnlyList<Continuation> Continuations)
{
    /// <summary>Prefix tokens computed (not served from cache) over the whole call.</summary>
    public int ComputedPromptTokens => Continuations.Sum(c => c.PromptTokens - c.CachedPromptTokens);

    /// <summary>Tokens generated over the whole call.</summary>
    public int GeneratedTokens => Continuations.Sum(c => c.GeneratedTokens);
}
