using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.AI;

/// <summary>What <see cref="ComputeOptimalChatClient"/> needs to run the strategies a policy may choose.</summary>
public sealed record ComputeOptimalChatClientOptions
{
    /// <summary>The answer key for <c>majority</c>. Required when the policy chooses it.</summary>
    public IAnswerKey? AnswerKey { get; init; }

    /// <summary>The scorer for <c>best-of-n</c>. Required when the policy chooses it.</summary>
    public ChatReplyScorer? Scorer { get; init; }
}

/// <summary>
/// Compute-optimal test-time compute as chat middleware: an <see cref="IComputePolicy"/> chooses the strategy and budget
/// from the last user message, then the request runs as <c>sampling</c> with budget 1 (one plain call), <c>majority</c>
/// (<see cref="MajorityVoteChatClient"/>'s vote) or <c>best-of-n</c> (<see cref="BestOfNChatClient"/>'s choice). The
/// response's additional properties hold <c>ponder.strategy</c> and <c>ponder.budget</c>.
/// </summary>
/// <remarks>Only whole-reply strategies are possible over a chat client; a policy choosing another one fails the request
/// with <see cref="NotSupportedException"/>. Thread-safe when the inner client, the policy and the scorer are.</remarks>
public sealed class ComputeOptimalChatClient : DelegatingChatClient
{
    private readonly IComputePolicy _policy;
    private readonly ComputeOptimalChatClientOptions _options;

    /// <summary>Applies <paramref name="policy"/> over <paramref name="innerClient"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ComputeOptimalChatClient(IChatClient innerClient, IComputePolicy policy, ComputeOptimalChatClientOptions? options = null) : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        _options = options is null ? new() : options with { };
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The policy chose a strategy a chat client cannot run, or one whose verifier is not configured.</exception>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages.ToArray();
        string question = conversation.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var allocation = _policy.Allocate(question);
        if (allocation.Budget < 1) throw new NotSupportedException($"the policy chose a budget of {allocation.Budget}; budgets are ≥ 1");
        ChatResponse response;
        switch (allocation.Strategy)
        {
            case RepeatedSamplingStrategy.StrategyName when allocation.Budget == 1:
                response = await InnerClient.GetResponseAsync(conversation, options, cancellationToken).ConfigureAwait(false);
                break;
            case MajorityVoteStrategy.StrategyName:
                var key = _options.AnswerKey ?? throw new NotSupportedException("the policy chose majority, but no answer key is configured");
                var votes = await ChatSampling.SampleAsync(InnerClient, conversation, options, allocation.Budget, cancellationToken).ConfigureAwait(false);
                response = ChatSampling.Majority(votes, key);
                break;
            case BestOfNStrategy.StrategyName:
                var scorer = _options.Scorer ?? throw new NotSupportedException("the policy chose best-of-n, but no scorer is configured");
                var samples = await ChatSampling.SampleAsync(InnerClient, conversation, options, allocation.Budget, cancellationToken).ConfigureAwait(false);
                var scores = await Task.WhenAll(samples.Select(s => scorer(conversation, s, cancellationToken))).ConfigureAwait(false);
                response = ChatSampling.Best(samples, scores);
                break;
            default:
                throw new NotSupportedException(
                    $"the policy chose {allocation.Strategy} with budget {allocation.Budget}; over a chat client only sampling (budget 1), majority and best-of-n run");
        }
        response.AdditionalProperties ??= [];
        response.AdditionalProperties["ponder.strategy"] = allocation.Strategy;
        response.AdditionalProperties["ponder.budget"] = allocation.Budget;
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }
}
