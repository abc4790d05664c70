using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Ponder.Generation;
using Ponder.OpenAI;

namespace Ponder.AI;

/// <summary>
/// An <see cref="IChatClient"/> over any Ponder <see cref="ITextGenerator"/>: the model's <see cref="IChatTemplate"/>
/// turns the messages into the prefix, and the continuation is the assistant's reply. Makes the embedded models usable
/// from any .NET AI app.
/// </summary>
/// <remarks>
/// <para>Options map as in OpenAI's API: <see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.TopP"/>,
/// <see cref="ChatOptions.TopK"/>, <see cref="ChatOptions.Seed"/>, <see cref="ChatOptions.MaxOutputTokens"/> (default 256)
/// and <see cref="ChatOptions.StopSequences"/>; the reply leaves out the stop sequence it ended at. Tools are not
/// supported and are ignored.</para>
/// <para>Generators return whole continuations, so streaming yields the reply in one update.</para>
/// <para>Thread-safe when the generator is.</para>
/// </remarks>
public sealed class TextGeneratorChatClient : IChatClient
{
    private readonly ITextGenerator _generator;
    private readonly IChatTemplate _template;
    private readonly ChatClientMetadata _metadata;

    /// <summary>A chat client over <paramref name="generator"/> that renders conversations with <paramref name="template"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public TextGeneratorChatClient(ITextGenerator generator, IChatTemplate template)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(template);
        _generator = generator;
        _template = template;
        _metadata = new ChatClientMetadata("ponder", defaultModelId: generator.Card?.Name);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The template cannot render the messages, or an option is out of range.</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = messages.Select(m => new ChatTurn(m.Role.Value, m.Text)).ToArray();
        var request = new GenerationRequest
        {
            Prefix = _template.Render(turns),
            MaxTokens = options?.MaxOutputTokens ?? 256,
            Stop = options?.StopSequences?.ToArray() ?? [],
            Sampling = new SamplingOptions
            {
                Temperature = options?.Temperature,
                TopP = options?.TopP,
                TopK = options?.TopK,
                Seed = options?.Seed is { } seed ? unchecked((ulong)seed) : null,
            },
        };
        var result = await _generator.GenerateAsync(request, cancellationToken).ConfigureAwait(false);
        var c = result.Continuations[0];
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, c.TextWithoutStop(request.Stop)))
        {
            ModelId = _generator.Card?.Name,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = c.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop,
            Usage = new UsageDetails
            {
                InputTokenCount = c.PromptTokens,
                CachedInputTokenCount = c.CachedPromptTokens,
                OutputTokenCount = c.GeneratedTokens,
                TotalTokenCount = c.PromptTokens + c.GeneratedTokens,
            },
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(_generator)) return _generator;
        if (serviceType.IsInstanceOfType(_template)) return _template;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Does nothing: the generator belongs to the caller.</summary>
    public void Dispose()
    {
    }
}
