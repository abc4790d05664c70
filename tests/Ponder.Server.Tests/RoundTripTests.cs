using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using Ponder.AI;
using Ponder.Generation;
using Ponder.OpenAI;
using Ponder.Tasks.Arith;
using SdkFinishReason = global::OpenAI.Chat.ChatFinishReason;

namespace Ponder.Server.Tests;

/// <summary>Real HTTP round trips against <c>ponder serve</c> hosting the built-in arith-small.</summary>
public sealed class RoundTripTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Prompt = "Q:((17*4)+39)-8\n";
    private const string Expression = "((17*4)+39)-8";

    private ChatClient SdkClient(params PipelinePolicy[] policies)
    {
        var options = new OpenAIClientOptions { Endpoint = fixture.Server.BaseAddress };
        foreach (var policy in policies) options.AddPolicy(policy, PipelinePosition.PerCall);
        return new ChatClient(ServerFixture.Arith, new ApiKeyCredential(ServerFixture.ApiKey), options);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PonderClientThroughTheServerGivesTheInProcessContinuations(bool stopAtNewline)
    {
        using var client = new OpenAITextGenerator(OpenAIModelOptions.Parse($"{fixture.Server.BaseAddress}#{ServerFixture.Arith}") with { ApiKey = ServerFixture.ApiKey });
        var request = new GenerationRequest
        {
            Prefix = Prompt, Count = 4, MaxTokens = 64, ReturnLogProbs = true, Stop = stopAtNewline ? ["\n"] : [],
            Sampling = new SamplingOptions { Temperature = 1.2f, Seed = 7 },
        };
        var remote = await client.GenerateAsync(request);
        var local = await fixture.Engine.GenerateAsync(request);

        Assert.Equal(local.Continuations.Select(c => c.Text), remote.Continuations.Select(c => c.Text));
        Assert.Equal(local.Continuations.Select(c => c.FinishReason), remote.Continuations.Select(c => c.FinishReason));
        Assert.Equal(local.Continuations.Select(c => c.GeneratedTokens), remote.Continuations.Select(c => c.GeneratedTokens));
        Assert.Equal(local.Continuations[0].PromptTokens, remote.Continuations[0].PromptTokens);
        Assert.Equal(local.Continuations.Select(c => c.LogProbs!.Select(t => t.LogProb)), remote.Continuations.Select(c => c.LogProbs!.Select(t => t.LogProb)));
        if (stopAtNewline) Assert.All(remote.Continuations, c => Assert.Equal(FinishReason.Stop, c.FinishReason));
    }

    // What the built-in model writes greedily for the prompt, computed in-process: the server must return exactly this.
    private async Task<string> GreedyInProcessAsync() =>
        (await fixture.Engine.GenerateAsync(new GenerationRequest
        {
            Prefix = Prompt, Count = 1, MaxTokens = 192, Sampling = new SamplingOptions { Temperature = 0 },
        })).Continuations[0].Text;

    [Fact]
    public async Task OpenAISdkGetsAChatCompletion()
    {
        var completion = (await SdkClient().CompleteChatAsync([new UserChatMessage(Expression)], new ChatCompletionOptions { Temperature = 0, Seed = 1 })).Value;

        Assert.Equal(await GreedyInProcessAsync(), completion.Content[0].Text);
        Assert.Equal(SdkFinishReason.Stop, completion.FinishReason);
        Assert.Equal(fixture.Engine.EncodePrefix(Prompt).Length, completion.Usage.InputTokenCount);
        Assert.True(completion.Usage.OutputTokenCount >= completion.Content[0].Text.Length);
    }

    [Fact]
    public async Task OpenAISdkWithThePonderExtensionGetsTheStrategysAnswerAndItsCompute()
    {
        var client = SdkClient(new AddToBody("ponder", """{"strategy": "majority", "budget": 8}"""));
        var result = await client.CompleteChatAsync([new UserChatMessage(Expression)], new ChatCompletionOptions { Temperature = 0.8f, Seed = 3 });

        using var raw = JsonDocument.Parse(result.GetRawResponse().Content);
        var ponder = raw.RootElement.GetProperty("ponder");
        // the returned reply is the chosen candidate: it ends with the strategy's answer
        Assert.EndsWith($"A:{ponder.GetProperty("answer").GetString()}\n", result.Value.Content[0].Text);
        Assert.Equal("majority", ponder.GetProperty("strategy").GetString());
        Assert.Equal(8, ponder.GetProperty("budget").GetInt32());
        Assert.Equal(8, ponder.GetProperty("samples").GetInt32());
        Assert.True(ponder.GetProperty("policy_flops").GetDouble() > 0);
        Assert.Equal(0, ponder.GetProperty("verifier_flops").GetDouble());
        Assert.True(ponder.GetProperty("idealized_seconds").GetDouble() > 0);
        Assert.NotEmpty(ponder.GetProperty("trace").EnumerateArray());
        // usage counts every token spent: the 8 samples, not just the returned one.
        Assert.Equal(ponder.GetProperty("completion_tokens").GetInt64(), result.Value.Usage.OutputTokenCount);
        Assert.Equal(ponder.GetProperty("prompt_tokens").GetInt64(), result.Value.Usage.InputTokenCount);
        // the prompt tokens the samples shared from the prefix cache, as OpenAI reports cached tokens
        Assert.Equal(ponder.GetProperty("cached_prompt_tokens").GetInt64(), result.Value.Usage.InputTokenDetails.CachedTokenCount);
        Assert.True(result.Value.Usage.InputTokenDetails.CachedTokenCount > 0);
        Assert.True(result.Value.Usage.OutputTokenCount > 4 * result.Value.Content[0].Text.Length);
    }

    [Fact]
    public async Task OpenAISdkStreamsAChatCompletion()
    {
        var text = new System.Text.StringBuilder();
        SdkFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in SdkClient().CompleteChatStreamingAsync([new UserChatMessage(Expression)], new ChatCompletionOptions { Temperature = 0 }))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }
        Assert.Equal(await GreedyInProcessAsync(), text.ToString());
        Assert.Equal(SdkFinishReason.Stop, finish);
        Assert.NotNull(usage);
    }

    [Fact]
    public async Task MicrosoftExtensionsAIMajorityVoteOverTheOpenAIClient()
    {
        using IChatClient client = SdkClient().AsIChatClient()
            .AsBuilder()
            .UseMajorityVote(new MajorityVoteChatClientOptions { Samples = 5, AnswerKey = ArithAnswerKey.Instance })
            .Build();
        var options = new ChatOptions { Temperature = 0.8f, Seed = 11 };
        var response = await client.GetResponseAsync(Expression, options);

        Assert.NotNull(ArithAnswerKey.Instance.ExtractAnswer(response.Text));
        Assert.Equal(5, response.AdditionalProperties!["ponder.samples"]);
        Assert.True(response.Usage!.OutputTokenCount > 4 * response.Text.Length, "usage counts all five samples");
        Assert.Equal(11, options.Seed); // the caller's options are never changed
    }

    [Fact]
    public async Task CompletionsEndpointStreamsServerSentEvents()
    {
        var body = new JsonObject { ["model"] = ServerFixture.Arith, ["prompt"] = Prompt, ["temperature"] = 0, ["stream"] = true, ["stop"] = "\n" };
        using var response = await fixture.Http.PostAsync("completions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        string events = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("\"text\":\"17*4=68\"", events);
        Assert.Contains("\"stop_reason\":\"\\n\"", events);
        Assert.EndsWith("data: [DONE]\n\n", events);
    }

    [Fact]
    public async Task ListsTheServedModels()
    {
        using var models = JsonDocument.Parse(await fixture.Http.GetStringAsync("models"));
        var ids = models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToArray();
        Assert.Contains(ServerFixture.Arith, ids);
        Assert.Contains("fake-ok", ids);
    }

    [Fact]
    public async Task PlainRequestsForAnUpstreamModelAreProxiedAsTheyAre()
    {
        var body = new JsonObject { ["model"] = "fake-ok", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["n"] = 2 };
        using var response = await fixture.Http.PostAsync("chat/completions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fake", json.RootElement.GetProperty("id").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("choices").GetArrayLength());
    }

    /// <summary>Adds a field to every request body: how a client of the official SDK sends the ponder extension.</summary>
    private sealed class AddToBody(string name, string json) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Rewrite(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Rewrite(message);
            await ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void Rewrite(PipelineMessage message)
        {
            using var buffer = new MemoryStream();
            message.Request.Content!.WriteTo(buffer);
            var body = JsonNode.Parse(buffer.ToArray())!.AsObject();
            body[name] = JsonNode.Parse(json);
            message.Request.Content = BinaryContent.Create(BinaryData.FromString(body.ToJsonString()));
        }
    }
}
