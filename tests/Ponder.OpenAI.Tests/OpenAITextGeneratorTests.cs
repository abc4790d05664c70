using System.Net;
using System.Text.Json.Nodes;
using Ponder.Generation;

namespace Ponder.OpenAI.Tests;

public sealed class OpenAITextGeneratorTests
{
    private static readonly Uri First = new("http://127.0.0.1:9001/v1");
    private static readonly Uri Second = new("http://127.0.0.1:9002/v1/");

    private static OpenAIModelOptions Options(OpenAIApi api = OpenAIApi.Completions, bool multipleChoices = true) => new()
    {
        BaseUrls = [First, Second], Model = "m", ApiKey = "k", Api = api, MultipleChoices = multipleChoices,
        MaxRetries = 2, RetryDelay = TimeSpan.Zero,
    };

    [Fact]
    public void ModelReferencesParse()
    {
        var plain = OpenAIModelOptions.Parse("http://127.0.0.1:8000/v1#Qwen2.5-1.5B-Instruct");
        Assert.Equal([new Uri("http://127.0.0.1:8000/v1")], plain.BaseUrls);
        Assert.Equal("Qwen2.5-1.5B-Instruct", plain.Model);
        Assert.Equal(OpenAIApi.Completions, plain.Api);

        var balanced = OpenAIModelOptions.Parse("chat+http://a:1/v1,https://b:2/v1#gpt-4o-mini");
        Assert.Equal(2, balanced.BaseUrls!.Count);
        Assert.Equal(OpenAIApi.ChatCompletions, balanced.Api);

        Assert.True(OpenAIModelOptions.IsModelReference("chat+https://x/v1#m"));
        Assert.False(OpenAIModelOptions.IsModelReference("builtin:arith-small"));
        Assert.Contains("no model name", Assert.Throws<ArgumentException>(() => OpenAIModelOptions.Parse("http://a:1/v1")).Message);
        Assert.Contains("not an http(s) URL", Assert.Throws<ArgumentException>(() => OpenAIModelOptions.Parse("http://a:1/v1,ftp://b#m")).Message);
    }

    [Theory]
    [InlineData("http://a:1/v1#draft#m")]
    [InlineData("http://a:1/v1?api-version=2024-06-01#m")]
    public void ABaseUrlWithAQueryOrFragmentIsRefusedNotMangled(string spec)
    {
        // Request paths are appended to the base URL, which would land them inside its query or fragment.
        Assert.Contains("query or fragment", Assert.Throws<ArgumentException>(() => OpenAIModelOptions.Parse(spec)).Message);
    }

    [Fact]
    public async Task CompletionsRequestCarriesEveryFieldAndTheAnswerKeepsItsStopString()
    {
        var handler = new ScriptedHandler((_, _, _) => Task.FromResult(ScriptedHandler.Json(new JsonObject
        {
            ["choices"] = new JsonArray(
                new JsonObject { ["index"] = 1, ["text"] = "2+2=4", ["finish_reason"] = "length" },
                new JsonObject
                {
                    ["index"] = 0, ["text"] = "1+1=2", ["finish_reason"] = "stop", ["stop_reason"] = "\n",
                    ["logprobs"] = new JsonObject { ["tokens"] = new JsonArray("1", "+"), ["token_logprobs"] = new JsonArray(-0.5, -0.25) },
                }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 7, ["completion_tokens"] = 11, ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 3 } },
        })));
        using var generator = new OpenAITextGenerator(Options(), handler);
        var result = await generator.GenerateAsync(new GenerationRequest
        {
            Prefix = "Q:", Count = 2, MaxTokens = 9, Stop = ["\n"], ReturnLogProbs = true,
            Sampling = new SamplingOptions { Temperature = 0.5f, TopP = 0.9f, TopK = 5, Seed = ulong.MaxValue },
        });

        var (url, body) = Assert.Single(handler.Requests);
        Assert.Equal("http://127.0.0.1:9001/v1/completions", url.AbsoluteUri);
        Assert.Equal("m", (string?)body["model"]);
        Assert.Equal("Q:", (string?)body["prompt"]);
        Assert.Equal(2, (int?)body["n"]);
        Assert.Equal(9, (int?)body["max_tokens"]);
        Assert.Equal(0.5f, (float?)body["temperature"]);
        Assert.Equal(0.9f, (float?)body["top_p"]);
        Assert.Equal(5, (int?)body["top_k"]);
        Assert.Equal(-1L, (long?)body["seed"]);
        Assert.Equal("\n", (string?)body["stop"]![0]);
        Assert.Equal(0, (int?)body["logprobs"]);

        var (first, second) = (result.Continuations[0], result.Continuations[1]);
        Assert.Equal("1+1=2\n", first.Text);
        Assert.Equal(FinishReason.Stop, first.FinishReason);
        Assert.Equal(new TokenLogProb[] { new("1", -0.5f), new("+", -0.25f) }, first.LogProbs);
        Assert.Equal((7, 3), (first.PromptTokens, first.CachedPromptTokens));
        Assert.Equal("2+2=4", second.Text);
        Assert.Equal(FinishReason.Length, second.FinishReason);
        Assert.Equal(7, second.CachedPromptTokens); // the prompt of one request is shared by its choices
        Assert.Equal(11, result.GeneratedTokens);
    }

    [Fact]
    public async Task WithoutNSupportContinuationsAreParallelRequestsWithDerivedSeedsSpreadOverTheServers()
    {
        var handler = new ScriptedHandler((_, body, _) => Task.FromResult(ScriptedHandler.Completion(("A:" + (long)body["seed"]!, "stop", null))));
        using var generator = new OpenAITextGenerator(Options(multipleChoices: false), handler);
        var result = await generator.GenerateAsync(new GenerationRequest { Prefix = "Q:", Count = 4, Sampling = new SamplingOptions { Seed = 9 } });

        Assert.Equal(4, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal(1, (int?)r.Body["n"]));
        var seeds = Enumerable.Range(0, 4).Select(i => "A:" + unchecked((long)SplitMix64.Derive(9, (ulong)i))).ToArray();
        Assert.Equal(seeds, result.Continuations.Select(c => c.Text));
        Assert.Equal(2, handler.Requests.Count(r => r.Url.Port == 9001));
        Assert.Equal(2, handler.Requests.Count(r => r.Url.Port == 9002));
    }

    [Fact]
    public async Task WithoutNSupportAContinuationsSeedDoesNotDependOnHowManyAreAskedFor()
    {
        var handler = new ScriptedHandler((_, body, _) => Task.FromResult(ScriptedHandler.Completion(("A:" + (long)body["seed"]!, "stop", null))));
        using var generator = new OpenAITextGenerator(Options(multipleChoices: false), handler);
        var alone = await generator.GenerateAsync(new GenerationRequest { Prefix = "Q:", Count = 1, Sampling = new SamplingOptions { Seed = 9 } });
        var beside = await generator.GenerateAsync(new GenerationRequest { Prefix = "Q:", Count = 3, Sampling = new SamplingOptions { Seed = 9 } });

        Assert.Equal(beside.Continuations[0].Text, alone.Continuations[0].Text);
    }

    [Fact]
    public async Task WithoutNSupportOneRefusedRequestEndsTheCallAndCancelsTheOthers()
    {
        var handler = new ScriptedHandler(async (_, _, call) =>
        {
            if (call == 0) return ScriptedHandler.Json(new JsonObject { ["error"] = "prompt too long" }, HttpStatusCode.BadRequest);
            await Task.Delay(Timeout.Infinite);
            throw new InvalidOperationException("unreachable");
        });
        using var generator = new OpenAITextGenerator(Options(multipleChoices: false), handler);
        // The others hang until cancelled: the call can only end if they are. The bound keeps a broken build from hanging the run.
        var error = await Assert.ThrowsAsync<UpstreamException>(() =>
            generator.GenerateAsync(new GenerationRequest { Prefix = "x", Count = 3 }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.True(error.IsClientError);
        Assert.Contains("prompt too long", error.Message);
    }

    [Fact]
    public async Task ChatModeSendsThePrefixAsOneUserMessage()
    {
        var handler = new ScriptedHandler((_, _, _) => Task.FromResult(ScriptedHandler.Json(new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "The answer is 4." }, ["finish_reason"] = "stop",
                ["logprobs"] = new JsonObject { ["content"] = new JsonArray(new JsonObject { ["token"] = "The", ["logprob"] = -1.0 }) },
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 12, ["completion_tokens"] = 5 },
        })));
        using var generator = new OpenAITextGenerator(Options(OpenAIApi.ChatCompletions), handler);
        var result = await generator.GenerateAsync(new GenerationRequest { Prefix = "What is 2+2?", ReturnLogProbs = true });

        var (url, body) = Assert.Single(handler.Requests);
        Assert.EndsWith("/v1/chat/completions", url.AbsoluteUri);
        Assert.Equal("user", (string?)body["messages"]![0]!["role"]);
        Assert.Equal("What is 2+2?", (string?)body["messages"]![0]!["content"]);
        Assert.True((bool?)body["logprobs"]);
        var c = Assert.Single(result.Continuations);
        Assert.Equal(("The answer is 4.", FinishReason.EndOfSequence, 12, 5), (c.Text, c.FinishReason, c.PromptTokens, c.GeneratedTokens));
        Assert.Equal([new TokenLogProb("The", -1f)], c.LogProbs);
    }

    [Theory]
    [InlineData("""{"error": {"message": "model overloaded"}}""", "no \"choices\"", "model overloaded")]
    [InlineData("""{"choices": [{"index": 0, "text": "4"}]}""", "no \"usage\"", "\"text\"")]
    [InlineData("""{"choices": [{"index": 0, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}""", "no \"text\"", "finish_reason")]
    public async Task AnAnswerWithoutAFieldSaysWhichOneIsMissing(string answer, string missing, string shown)
    {
        var handler = new ScriptedHandler((_, _, _) => Task.FromResult(ScriptedHandler.Json(JsonNode.Parse(answer)!)));
        using var generator = new OpenAITextGenerator(Options(), handler);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => generator.GenerateAsync(new GenerationRequest { Prefix = "x" }));

        Assert.Contains("unexpected answer", error.Message);
        Assert.Contains(missing, error.Message);
        Assert.Contains(shown, error.Message);
    }

    [Theory]
    [InlineData("""{"prompt_tokens": 3}""", "no \"completion_tokens\"")]
    [InlineData("""{"prompt_tokens": 3, "completion_tokens": -5}""", "\"completion_tokens\" is -5")]
    [InlineData("""{"prompt_tokens": -1, "completion_tokens": 2}""", "\"prompt_tokens\" is -1")]
    public async Task AnAnswerWithoutItsTokenCountsIsAnErrorNotZeroCompute(string usage, string complaint)
    {
        var handler = new ScriptedHandler((_, _, _) => Task.FromResult(ScriptedHandler.Json(new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["text"] = "abc", ["finish_reason"] = "stop" }),
            ["usage"] = JsonNode.Parse(usage),
        })));
        using var generator = new OpenAITextGenerator(Options(), handler);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => generator.GenerateAsync(new GenerationRequest { Prefix = "x" }));

        Assert.Contains(complaint, error.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task TransientFailuresAreRetriedOnTheNextServer(HttpStatusCode failure)
    {
        var handler = new ScriptedHandler((_, _, call) => Task.FromResult(call < 2
            ? ScriptedHandler.Json(new JsonObject { ["error"] = "busy" }, failure)
            : ScriptedHandler.Completion(("ok", "stop", null))));
        using var generator = new OpenAITextGenerator(Options(), handler);
        var result = await generator.GenerateAsync(new GenerationRequest { Prefix = "x" });

        Assert.Equal("ok", result.Continuations[0].Text);
        Assert.Equal([9001, 9002, 9001], handler.Requests.Select(r => r.Url.Port));
    }

    [Fact]
    public async Task ARetryMovesToTheNextServerEvenWhenOtherRequestsWentOutMeanwhile()
    {
        var otherArrived = new TaskCompletionSource();
        var handler = new ScriptedHandler(async (request, _, call) =>
        {
            if (request.RequestUri!.Port == 9002)
            {
                otherArrived.TrySetResult();
                return ScriptedHandler.Completion(("ok", "stop", null));
            }
            // The first server is down; its first refusal comes only after the other request went to the second server.
            if (call == 0) await otherArrived.Task;
            throw new HttpRequestException("connection refused");
        });
        using var generator = new OpenAITextGenerator(Options() with { MaxRetries = 1 }, handler);
        var first = generator.GenerateAsync(new GenerationRequest { Prefix = "a" });
        var other = generator.GenerateAsync(new GenerationRequest { Prefix = "b" });

        Assert.Equal("ok", (await first).Continuations[0].Text);
        Assert.Equal("ok", (await other).Continuations[0].Text);
    }

    [Fact]
    public async Task AnAnswerWhoseBodyBreaksOffIsRetriedOnTheNextServer()
    {
        var handler = new ScriptedHandler((_, _, call) => Task.FromResult(call == 0 ? ScriptedHandler.BodyBreaksOff() : ScriptedHandler.Completion(("ok", "stop", null))));
        using var generator = new OpenAITextGenerator(Options(), handler);
        var result = await generator.GenerateAsync(new GenerationRequest { Prefix = "x" });

        Assert.Equal("ok", result.Continuations[0].Text);
        Assert.Equal([9001, 9002], handler.Requests.Select(r => r.Url.Port));
    }

    [Fact]
    public async Task TheAttemptTimeoutBoundsTheBodyAsWellAsTheHeaders()
    {
        var handler = new ScriptedHandler((_, _, call) => Task.FromResult(call == 0 ? ScriptedHandler.BodyStalls() : ScriptedHandler.Completion(("ok", "stop", null))));
        using var generator = new OpenAITextGenerator(Options() with { AttemptTimeout = TimeSpan.FromMilliseconds(200) }, handler);
        // The bound only keeps a broken build from hanging the run; a working one answers after one attempt timeout.
        var result = await generator.GenerateAsync(new GenerationRequest { Prefix = "x" }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("ok", result.Continuations[0].Text);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task PersistentFailuresEndInAnUpstreamExceptionAfterEveryRetry()
    {
        var handler = new ScriptedHandler((_, _, _) => throw new HttpRequestException("connection refused"));
        using var generator = new OpenAITextGenerator(Options(), handler);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => generator.GenerateAsync(new GenerationRequest { Prefix = "x" }));

        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains("failed after 3 attempts", error.Message);
        Assert.Contains("connection refused", error.Message);
        Assert.Null(error.StatusCode);
    }

    [Fact]
    public async Task ClientErrorsAreNotRetried()
    {
        var handler = new ScriptedHandler((_, _, _) => Task.FromResult(ScriptedHandler.Json(new JsonObject { ["error"] = "bad model" }, HttpStatusCode.NotFound)));
        using var generator = new OpenAITextGenerator(Options(), handler);
        var error = await Assert.ThrowsAsync<UpstreamException>(() => generator.GenerateAsync(new GenerationRequest { Prefix = "x" }));

        Assert.Single(handler.Requests);
        Assert.True(error.IsClientError);
        Assert.Contains("bad model", error.Message);
    }

    [Fact]
    public async Task RequestsInFlightAreBounded()
    {
        var gate = new TaskCompletionSource();
        int arrived = 0;
        var twoArrived = new TaskCompletionSource();
        var handler = new ScriptedHandler(async (_, _, _) =>
        {
            if (Interlocked.Increment(ref arrived) == 2) twoArrived.TrySetResult();
            await gate.Task;
            return ScriptedHandler.Completion(("ok", "stop", null));
        });
        using var generator = new OpenAITextGenerator(Options(multipleChoices: false) with { MaxConcurrency = 2 }, handler);
        var all = generator.GenerateAsync(new GenerationRequest { Prefix = "x", Count = 6 });
        await twoArrived.Task;
        Assert.Equal(2, handler.Requests.Count);
        gate.SetResult();
        await all;

        Assert.Equal(6, handler.Requests.Count);
        Assert.Equal(2, handler.MaxInFlight);
    }

    [Fact]
    public async Task CancellationStopsAWaitingRequest()
    {
        var arrived = new TaskCompletionSource();
        var handler = new ScriptedHandler(async (_, _, _) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite);
            throw new InvalidOperationException("unreachable");
        });
        using var generator = new OpenAITextGenerator(Options(), handler);
        using var cancel = new CancellationTokenSource();
        var call = generator.GenerateAsync(new GenerationRequest { Prefix = "x" }, cancel.Token);
        await arrived.Task;
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(handler.Requests);
    }
}
