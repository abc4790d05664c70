using Microsoft.Extensions.AI;
using Ponder.Generation;

namespace Ponder.AI;

/// <summary>Registers Ponder's test-time compute middleware on a <see cref="ChatClientBuilder"/>, and wraps generators as chat clients.</summary>
public static class PonderChatClientExtensions
{
    /// <summary>Adds a <see cref="MajorityVoteChatClient"/> with <paramref name="options"/> to the pipeline.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (checked when the pipeline is built).</exception>
    public static ChatClientBuilder UseMajorityVote(this ChatClientBuilder builder, MajorityVoteChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.Use(inner => new MajorityVoteChatClient(inner, options));
    }

    /// <summary>Adds a <see cref="BestOfNChatClient"/> with <paramref name="options"/> to the pipeline.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (checked when the pipeline is built).</exception>
    public static ChatClientBuilder UseBestOfN(this ChatClientBuilder builder, BestOfNChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder.Use(inner => new BestOfNChatClient(inner, options));
    }

    /// <summary>Adds a <see cref="ComputeOptimalChatClient"/> applying <paramref name="policy"/> to the pipeline.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="policy"/> is null.</exception>
    public static ChatClientBuilder UseComputeOptimal(this ChatClientBuilder builder, IComputePolicy policy, ComputeOptimalChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(policy);
        return builder.Use(inner => new ComputeOptimalChatClient(inner, policy, options));
    }

    /// <summary>A <see cref="TextGeneratorChatClient"/> over <paramref name="generator"/> rendering conversations with <paramref name="template"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IChatClient AsChatClient(this ITextGenerator generator, IChatTemplate template) => new TextGeneratorChatClient(generator, template);
}
