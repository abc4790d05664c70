using Microsoft.Extensions.AI;
using Ponder.AI;
using Ponder.Generation;
using Ponder.Scoring;

namespace Ponder.OpenAI.Tests;

public sealed class ChatClientTests
{
    /// <summary>Answers a scripted reply per call (in call order of seeds) and records the options it saw.</summary>
    private sealed class ScriptedChatClient(Func<ChatOptions?, string> reply) : IChatClient
    {
        public List<ChatOptions?> Seen { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (Seen) Seen.Add(options);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply(options)))
            {
                Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 3, TotalTokenCount = 13 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>Answers are the text after "A:".</summary>
    private sealed class LastLineKey : IAnswerKey
    {
        public string? ExtractAnswer(string solution) => solution.StartsWith("A:", StringComparison.Ordinal) ? solution[2..] : null;
        public bool AreEquivalent(string first, string second) => first == second;
    }

    // Seeds decide the reply, so which sample says what is fixed whatever order the concurrent calls run in.
    private static string BySeed(ChatOptions? options, params string[] replies) =>
        replies[Enumerable.Range(0, replies.Length).First(i => unchecked((long)SplitMix64.Derive(5, (ulong)i)) == options!.Seed)];

    [Fact]
    public async Task MajorityVoteReturnsTheMostFrequentAnswerWithTheUsageOfEverySample()
    {
        var inner = new ScriptedChatClient(o => BySeed(o, "A:7", "A:9", "A:9", "none", "A:7"));
        using var client = inner.AsBuilder().UseMajorityVote(new MajorityVoteChatClientOptions { Samples = 5, AnswerKey = new LastLineKey() }).Build();
        var options = new ChatOptions { Seed = 5, Temperature = 0.7f };
        var response = await client.GetResponseAsync("q", options);

        Assert.Equal("A:7", response.Text); // 7 and 9 tie at two votes; 7 was seen first
        Assert.Equal(5 * 3, response.Usage!.OutputTokenCount);
        Assert.Equal(5 * 10, response.Usage.InputTokenCount);
        Assert.Equal(5, response.AdditionalProperties!["ponder.samples"]);
        Assert.Equal("7×2, 9×2", response.AdditionalProperties["ponder.votes"]);
        Assert.Equal(5, options.Seed); // the caller's options are never changed…
        Assert.All(inner.Seen, seen => Assert.NotSame(options, seen)); // …each sample gets a clone
        Assert.All(inner.Seen, seen => Assert.Equal(0.7f, seen!.Temperature));
    }

    [Fact]
    public async Task BestOfNReturnsTheHighestScoringReply()
    {
        var inner = new ScriptedChatClient(o => BySeed(o, "A:1", "A:3", "A:2"));
        using var client = inner.AsBuilder().UseBestOfN(new BestOfNChatClientOptions
        {
            Samples = 3, Scorer = (_, reply, _) => Task.FromResult(double.Parse(reply.Text[2..], System.Globalization.CultureInfo.InvariantCulture) / 10),
        }).Build();
        var response = await client.GetResponseAsync("q", new ChatOptions { Seed = 5 });

        Assert.Equal("A:3", response.Text);
        Assert.Equal(9, response.Usage!.OutputTokenCount);
    }

    private sealed class FixedPolicy(string strategy, int budget) : IComputePolicy
    {
        public List<string> Questions { get; } = [];

        public ComputeAllocation Allocate(string question)
        {
            Questions.Add(question);
            return new ComputeAllocation(strategy, budget);
        }
    }

    [Fact]
    public async Task ComputeOptimalRunsWhatThePolicyChooses()
    {
        var inner = new ScriptedChatClient(o => o?.Seed is null ? "A:1" : BySeed(o, "A:4", "A:2", "A:4"));
        var policy = new FixedPolicy("majority", 3);
        using var client = inner.AsBuilder().UseComputeOptimal(policy, new ComputeOptimalChatClientOptions { AnswerKey = new LastLineKey() }).Build();
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "what is 2+2?")], new ChatOptions { Seed = 5 });

        Assert.Equal("A:4", response.Text);
        Assert.Equal(["what is 2+2?"], policy.Questions);
        Assert.Equal("majority", response.AdditionalProperties!["ponder.strategy"]);
        Assert.Equal(3, response.AdditionalProperties["ponder.budget"]);
        Assert.Equal(3, inner.Seen.Count);

        using var single = inner.AsBuilder().UseComputeOptimal(new FixedPolicy("sampling", 1)).Build();
        Assert.Equal("A:1", (await single.GetResponseAsync("q")).Text);
        using var beam = inner.AsBuilder().UseComputeOptimal(new FixedPolicy("beam", 8)).Build();
        await Assert.ThrowsAsync<NotSupportedException>(() => beam.GetResponseAsync("q"));
    }

    [Fact]
    public void MiddlewareValidatesItsOptions()
    {
        var inner = new ScriptedChatClient(_ => "");
        Assert.Throws<ArgumentException>(() => inner.AsBuilder().UseMajorityVote(new MajorityVoteChatClientOptions { Samples = 3 }).Build());
        Assert.Throws<ArgumentException>(() => inner.AsBuilder().UseBestOfN(new BestOfNChatClientOptions { Samples = 0, Scorer = (_, _, _) => Task.FromResult(0.0) }).Build());
    }

    /// <summary>A generator that echoes what it was asked, ending at the first stop string when given.</summary>
    private sealed class EchoGenerator : ITextGenerator
    {
        public GenerationRequest? Last { get; private set; }
        public ModelCard? Card => new("echo", 100, 80, 2, 8, 8, 2, 2, 64, 10);

        public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
        {
            Last = request;
            var continuation = request.Stop.Count > 0
                ? new Continuation("4" + request.Stop[0], FinishReason.Stop, 9, 0, 2, null)
                : new Continuation("4", FinishReason.EndOfSequence, 9, 0, 2, null);
            return Task.FromResult(new GenerationResult([continuation]));
        }
    }

    private sealed class QuestionTemplate : IChatTemplate
    {
        public string Render(IReadOnlyList<ChatTurn> messages) => "Q:" + messages[^1].Content + "\n";
    }

    [Fact]
    public async Task AGeneratorBecomesAChatClient()
    {
        var generator = new EchoGenerator();
        using var client = generator.AsChatClient(new QuestionTemplate());
        var response = await client.GetResponseAsync("2+2", new ChatOptions { Temperature = 0, Seed = -1, MaxOutputTokens = 5, StopSequences = ["\n"], TopK = 3 });

        Assert.Equal("Q:2+2\n", generator.Last!.Prefix);
        Assert.Equal((0f, ulong.MaxValue, 5, 3), (generator.Last.Sampling.Temperature, generator.Last.Sampling.Seed, generator.Last.MaxTokens, generator.Last.Sampling.TopK));
        Assert.Equal("4", response.Text); // the stop string is left out, as chat APIs do
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal((9L, 2L, 11L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.TotalTokenCount));
        Assert.Equal("echo", response.ModelId);
        Assert.Same(generator, client.GetService<ITextGenerator>());

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("2+2")) updates.Add(update);
        Assert.Equal("4", string.Concat(updates.Select(u => u.Text)));
    }
}
