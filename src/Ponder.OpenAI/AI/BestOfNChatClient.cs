using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Ponder.AI;

/// <summary>Scores a reply to a conversation in [0, 1]; higher means more likely correct (an outcome reward model or a checker).</summary>
/// <param name="messages">The conversation the reply answers.</param>
/// <param name="reply">The reply.</param>
/// <param name="cancellationToken">Cancels the scoring.</param>
public delegate Task<double> ChatReplyScorer(IReadOnlyList<ChatMessage> messages, ChatResponse reply, CancellationToken cancellationToken);

/// <summary>Options of <see cref="BestOfNChatClient"/>. Null properties take the defaults documented on them.</summary>
public sealed record BestOfNChatClientOptions
{
    /// <summary>Samples per request (the budget N). Default 5.</summary>
    public int? Samples { get; init; }

    /// <summary>Scores each sample. Required.</summary>
    public ChatReplyScorer? Scorer { get; init; }

    internal int SamplesOrDefault => Samples ?? 5;

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the offending value.</summary>
    public void Validate()
    {
        if (Samples is < 1) throw new ArgumentException($"samples must be ≥ 1, got {Samples}");
        if (Scorer is null) throw new ArgumentException("best-of-N needs a scorer");
    }
}

/// <summary>
/// Best-of-N as chat middleware: asks the inner client N times concurrently, scores every reply and returns the
/// highest-scoring one (ties to the earlier sample); its usage counts the tokens of all N samples and its additional
/// properties hold <c>ponder.samples</c> and <c>ponder.scores</c>.
/// </summary>
/// <remarks>Streaming yields the chosen reply once it is known. Thread-safe when the inner client and the scorer are.</remarks>
public sealed class BestOfNChatClient : DelegatingChatClient
{
    private readonly BestOfNChatClientOptions _options;

    /// <summary>Picks the best of <paramref name="innerClient"/>'s replies.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public BestOfNChatClient(IChatClient innerClient, BestOfNChatClientOptions options) : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options with { };
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages.ToArray();
        var samples = await ChatSampling.SampleAsync(InnerClient, conversation, options, _options.SamplesOrDefault, cancellationToken).ConfigureAwait(false);
        var scores = await Task.WhenAll(samples.Select(s => _options.Scorer!(conversation, s, cancellationToken))).ConfigureAwait(false);
        return ChatSampling.Best(samples, scores);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }
}
