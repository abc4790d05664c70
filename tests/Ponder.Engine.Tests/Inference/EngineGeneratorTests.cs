using Ponder.Engine.Inference;
using Ponder.Engine.Tests.Model;
using Ponder.Generation;

namespace Ponder.Engine.Tests.Inference;

public sealed class EngineGeneratorTests
{
    private static GenerationRequest Request(int count, ulong seed = 17) => new()
    {
        Prefix = "Q:((12+7)*3)-4\n", Count = count, MaxTokens = 24,
        Sampling = new SamplingOptions { Temperature = 1f, Seed = seed },
        ReturnLogProbs = true,
    };

    [Fact]
    public async Task SharedPrefixSamplingEqualsIndependentSamplingWithTheSameSeeds()
    {
        var model = EngineModelTests.Random();
        var shared = new EngineGenerator(model, sharePrefix: true);
        var independent = new EngineGenerator(model, sharePrefix: false);
        var a = await shared.GenerateAsync(Request(6));
        var b = await independent.GenerateAsync(Request(6));
        Assert.Equal(a.Continuations.Select(c => c.Text), b.Continuations.Select(c => c.Text));
        Assert.Equal(a.Continuations.SelectMany(c => c.LogProbs!), b.Continuations.SelectMany(c => c.LogProbs!));
        Assert.Equal(1, shared.PrefixPrefills);
        Assert.Equal(6, independent.PrefixPrefills);
        int promptTokens = a.Continuations[0].PromptTokens;
        Assert.Equal(promptTokens, a.ComputedPromptTokens);
        Assert.Equal(6 * promptTokens, b.ComputedPromptTokens);
        Assert.True(a.Continuations.Select(c => c.Text).Distinct().Count() > 1, "temperature 1 should give different continuations");
    }

    [Fact]
    public async Task ARunReusesThePrefixItsEarlierRequestsComputedAndSamplesTheSameTexts()
    {
        var generator = new EngineGenerator(EngineModelTests.Random());
        var run = generator.BeginRun();
        var first = await run.GenerateAsync(Request(2));
        Assert.Equal(0, first.Continuations[0].CachedPromptTokens);

        // the next step of a search: the prefix extended by a continuation the run generated
        var extended = Request(3, seed: 29) with { Prefix = Request(1).Prefix + first.Continuations[1].Text };
        var cached = await run.GenerateAsync(extended);
        var fresh = await generator.GenerateAsync(extended);
        Assert.Equal(fresh.Continuations.Select(c => c.Text), cached.Continuations.Select(c => c.Text));
        Assert.Equal(fresh.Continuations.SelectMany(c => c.LogProbs!), cached.Continuations.SelectMany(c => c.LogProbs!));
        // all the first request computed (its last sampled token never went through the model), short of the prompt's
        // last token, which a request computes to sample from
        int promptTokens = cached.Continuations[0].PromptTokens;
        int computed = first.Continuations[1].PromptTokens + first.Continuations[1].GeneratedTokens - 1;
        Assert.Equal(Math.Min(computed, promptTokens - 1), cached.Continuations[0].CachedPromptTokens);
        Assert.True(cached.Continuations[0].CachedPromptTokens > first.Continuations[1].PromptTokens);
        Assert.Equal(promptTokens, cached.Continuations[1].CachedPromptTokens);
        Assert.Equal(0, fresh.Continuations[0].CachedPromptTokens);

        // another run starts cold
        Assert.Equal(0, (await generator.BeginRun().GenerateAsync(extended)).Continuations[0].CachedPromptTokens);
    }

    [Fact]
    public async Task AContinuationsTextDoesNotDependOnTheBatch()
    {
        var generator = new EngineGenerator(EngineModelTests.Random());
        var two = await generator.GenerateAsync(Request(2));
        var eight = await generator.GenerateAsync(Request(8));
        Assert.Equal(two.Continuations.Select(c => c.Text), eight.Continuations.Take(2).Select(c => c.Text));
    }

    [Fact]
    public async Task GreedyDecodingIsDeterministicAndHonoursStopStringsAndMaxTokens()
    {
        var generator = new EngineGenerator(EngineModelTests.Random());
        var greedy = Request(3) with { Sampling = new SamplingOptions { Temperature = 0 }, MaxTokens = 10 };
        var result = await generator.GenerateAsync(greedy);
        Assert.Single(result.Continuations.Select(c => c.Text).Distinct());
        Assert.All(result.Continuations, c => Assert.True(c.GeneratedTokens <= 10));

        string text = result.Continuations[0].Text;
        Assert.True(text.Length >= 3, $"greedy text too short to test stop strings: '{text}'");
        string stop = text.Substring(1, 2);
        var stopped = await generator.GenerateAsync(greedy with { Stop = [stop] });
        Assert.All(stopped.Continuations, c =>
        {
            Assert.Equal(FinishReason.Stop, c.FinishReason);
            Assert.EndsWith(stop, c.Text);
            Assert.Equal(text[..(text.IndexOf(stop, StringComparison.Ordinal) + stop.Length)], c.Text);
        });
    }

    [Fact]
    public async Task TopKOneIsGreedy()
    {
        var generator = new EngineGenerator(EngineModelTests.Random());
        var greedy = await generator.GenerateAsync(Request(1) with { Sampling = new SamplingOptions { Temperature = 0 } });
        var topK = await generator.GenerateAsync(Request(4) with { Sampling = new SamplingOptions { Temperature = 1.5f, TopK = 1, Seed = 3 } });
        Assert.All(topK.Continuations, c => Assert.Equal(greedy.Continuations[0].Text, c.Text));
        var topP = await generator.GenerateAsync(Request(4) with { Sampling = new SamplingOptions { Temperature = 1.5f, TopP = 1e-6f, Seed = 3 } });
        Assert.All(topP.Continuations, c => Assert.Equal(greedy.Continuations[0].Text, c.Text));
    }

    [Fact]
    public async Task InvalidRequestsAreRejectedWithClearMessages()
    {
        var generator = new EngineGenerator(EngineModelTests.Random());
        var e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(Request(0)));
        Assert.Contains("count must be ≥ 1", e.Message);
        e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(Request(1) with { Prefix = new string('1', 200) }));
        Assert.Contains("context length is 64", e.Message);
        e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(Request(1) with { Sampling = new SamplingOptions { TopP = 0 } }));
        Assert.Contains("top-p", e.Message);
    }
}
