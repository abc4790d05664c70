using Ponder.Compute;
using Ponder.Generation;
using Ponder.OpenAI;
using Ponder.Scoring;
using Ponder.Strategies;
using Ponder.Studies.Arith;
using Ponder.Tasks.Arith;
using Ponder.Tasks.Grading;

namespace Ponder.Server;

/// <summary>
/// A model <c>ponder serve</c> offers: generators with a chat template and the task knowledge strategies need, and for
/// an upstream model the transport that requests without a strategy are proxied over unchanged.
/// </summary>
public sealed class ServedModel
{
    private readonly Func<ITextGenerator, IStepScorer?, StrategyContext> _context;

    private ServedModel(string name, ITextGenerator generator, ITextGenerator chatGenerator, IChatTemplate chatTemplate, bool continuesPrefixes,
        Func<ITextGenerator, IStepScorer?, StrategyContext> context, OpenAIUpstream? upstream)
    {
        Name = name;
        Generator = generator;
        ChatGenerator = chatGenerator;
        ChatTemplate = chatTemplate;
        ContinuesPrefixes = continuesPrefixes;
        _context = context;
        Upstream = upstream;
    }

    /// <summary>The name clients put in <c>model</c>.</summary>
    public string Name { get; }

    /// <summary>Generates for completion requests.</summary>
    public ITextGenerator Generator { get; }

    /// <summary>
    /// Generates for chat requests, from the prefix <see cref="ChatTemplate"/> renders: the embedded engine itself, or an
    /// upstream's <c>/v1/chat/completions</c> (so that its own chat template applies).
    /// </summary>
    public ITextGenerator ChatGenerator { get; }

    /// <summary>Turns chat messages into the prefix <see cref="ChatGenerator"/> continues.</summary>
    public IChatTemplate ChatTemplate { get; }

    /// <summary>
    /// Whether the generators continue raw prefixes, so step-level strategies (beam, DVTS, lookahead, early rejection) can
    /// continue partial solutions. False for chat requests to upstreams and for chat-only upstreams.
    /// </summary>
    public bool ContinuesPrefixes { get; }

    /// <summary>For an upstream model: the transport requests without a strategy are proxied over. Null for an embedded model.</summary>
    public OpenAIUpstream? Upstream { get; }

    /// <summary>The strategy context for <paramref name="policy"/> (one of this model's generators, possibly recorded) and an optional PRM.</summary>
    public StrategyContext CreateContext(ITextGenerator policy, IStepScorer? prm) => _context(policy, prm);

    /// <summary>An embedded arith model (built-in or GGUF) served by <paramref name="generator"/>: arith's chat template, answer key and step format.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static ServedModel Arith(string name, ITextGenerator generator, HardwareProfile? hardware = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(generator);
        return new ServedModel(name, generator, generator, ArithChatTemplate.Instance, continuesPrefixes: true,
            (policy, prm) => ArithStrategies.Context(policy, prm, hardware), upstream: null);
    }

    /// <summary>
    /// A model on OpenAI-compatible servers, served under its own name. Requests without a strategy are proxied as they
    /// are; strategies vote over free-form math answers (<see cref="MathAnswerKey"/>) with steps separated by blank
    /// lines, and see a chat conversation as one user message (<see cref="ConversationChatTemplate"/>).
    /// </summary>
    /// <remarks>The caller keeps <paramref name="upstream"/>'s lifetime.</remarks>
    public static ServedModel Proxy(OpenAIUpstream upstream, HardwareProfile? hardware = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        var generator = new OpenAITextGenerator(upstream);
        StrategyContext Context(ITextGenerator policy, IStepScorer? prm) => new()
        {
            Policy = policy,
            AnswerKey = MathAnswerKey.Instance,
            StepScorer = prm,
            StepDelimiter = "\n\n",
            Hardware = hardware,
        };
        return new ServedModel(upstream.Options.Model!, generator, new OpenAITextGenerator(upstream, OpenAIApi.ChatCompletions),
            ConversationChatTemplate.Instance, continuesPrefixes: generator.Api == OpenAIApi.Completions, Context, upstream);
    }
}

/// <summary>
/// How a conversation reaches an upstream's chat endpoint as the one user message a generator sends: a single user
/// message as it is, a longer conversation as a transcript with role labels.
/// </summary>
public sealed class ConversationChatTemplate : IChatTemplate
{
    /// <summary>The one instance (the template has no state).</summary>
    public static ConversationChatTemplate Instance { get; } = new();

    /// <inheritdoc />
    public string Render(IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) throw new ArgumentException("the conversation is empty");
        if (messages is [{ Role: "user" } only]) return only.Content;
        return string.Join("\n\n", messages.Select(m => $"{m.Role}: {m.Content}"));
    }
}
