using Ponder.Generation;

namespace Ponder.Tasks.Arith;

/// <summary>
/// The built-in arith models' chat template: the last user message is the expression, and the prefix is the task's prompt
/// <c>"Q:{expression}\n"</c>. The models were trained on single questions, so earlier turns and system messages are
/// ignored rather than shown to a model that has never seen them.
/// </summary>
public sealed class ArithChatTemplate : IChatTemplate
{
    /// <summary>The one instance (the template has no state).</summary>
    public static ArithChatTemplate Instance { get; } = new();

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var question = messages.LastOrDefault(m => m.Role == "user")
            ?? throw new ArgumentException("the arith template needs a user message holding the expression");
        string expression = question.Content.Trim();
        // Users may paste a whole prompt; the template adds the marker itself.
        if (expression.StartsWith(ArithTask.QuestionMarker, StringComparison.Ordinal)) expression = expression[ArithTask.QuestionMarker.Length..].Trim();
        if (expression.Length == 0) throw new ArgumentException("the user message is empty: expected an arith expression such as ((17*4)+39)-8");
        return $"{ArithTask.QuestionMarker}{expression}\n";
    }
}
