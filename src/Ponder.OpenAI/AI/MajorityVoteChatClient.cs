using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Ponder.Scoring;

namespace Ponder.AI;

/// <summary>Options of <see cref="MajorityVoteChatClient"/>. Null properties take the defaults documented on them.</summary>
public sealed record MajorityVoteChatClientOptions
{
    /// <summary>Samples per request (the budget N). Default 5.</summary>
    public int? Samples { get; init; }

    /// <summary>Extracts the final answer of a reply and decides which answers are the same. Required.</summary>
    public IAnswerKey? AnswerKey { get; init; }

    internal int SamplesOrDefault => Samples ?? 5;

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the offending value.</summary>
    public void Validate()
    {
        if (Samples is < 1) throw new ArgumentException($"samples must be ≥ 1, got {Samples}");
        if (AnswerKey is null) throw new ArgumentException("majority vote needs an answer key");
    }
}

/// <summary>
/// Self-consistency as chat middleware: asks the inner client N times concurrently and returns a reply with the most
/// frequent final answer (ties to the answer seen first); its usage counts the tokens of all N samples and its
/// additional properties hold <c>ponder.samples</c> and <c>ponder.votes</c>.
/// </summary>
/// <remarks>Voting needs every sample, so streaming yields the chosen reply once it is known. Thread-safe when the inner
/// client is; the options are copied at construction and the request's options are cloned per sample.</remarks>
public sealed class MajorityVoteChatClient : DelegatingChatClient
{
    private readonly MajorityVoteChatClientOptions _options;

    /// <summary>Votes over <paramref name="innerClient"/>'s replies.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public MajorityVoteChatClient(IChatClient innerClient, MajorityVoteChatClientOptions options) : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options with { };
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var samples = await ChatSampling.SampleAsync(InnerClient, messages.ToArray(), options, _options.SamplesOrDefault, cancellationToken).ConfigureAwait(false);
        return ChatSampling.Majority(samples, _options.AnswerKey!);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }
}
