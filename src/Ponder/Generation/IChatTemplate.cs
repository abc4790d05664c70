namespace Ponder.Generation;

/// <summary>One message of a chat conversation, as a chat template sees it.</summary>
/// <param name="Role">Who wrote it: <c>system</c>, <c>user</c> or <c>assistant</c>.</param>
/// <param name="Content">Its text.</param>
public sealed record ChatTurn(string Role, string Content);

/// <summary>
/// A model's chat template: turns a conversation into the raw prefix its <see cref="ITextGenerator"/> continues, so that
/// chat requests reach a model that only continues text. Implementations are pure and safe to call concurrently.
/// </summary>
public interface IChatTemplate
{
    /// <summary>The prefix whose continuation is the assistant's reply to <paramref name="messages"/>.</summary>
    /// <exception cref="ArgumentException">The conversation cannot be expressed in this template (the message says why).</exception>
    string Render(IReadOnlyList<ChatTurn> messages);
}
