using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.Generation;

namespace Ponder.OpenAI;

/// <summary>
/// An <see cref="ITextGenerator"/> over an OpenAI-compatible server: <c>/v1/completions</c> continues the raw prefix
/// (what step-level search needs); <see cref="OpenAIApi.ChatCompletions"/> sends the prefix as one user message for
/// servers without it (whole-solution strategies only). N continuations are one request with <c>n</c> when the servers
/// support it, else N parallel requests whose seeds derive from (seed, i). Retries, timeouts, load balancing and the
/// bound on requests in flight come from <see cref="OpenAIUpstream"/>.
/// </summary>
/// <remarks>
/// <para>OpenAI-compatible servers drop the stop string from the text; it is put back (as the contract asks) when the
/// server says which one it met in <c>stop_reason</c>, as vLLM and <c>ponder serve</c> do. Without it a <c>stop</c>
/// finish counts as end of sequence.</para>
/// <para>Servers count completion tokens per request, not per choice: with several choices and no log-probabilities
/// the count is shared out in proportion to the choices' text lengths (the total stays exact).</para>
/// <para>Thread-safe. Disposing it disposes the transport it created (not one passed in).</para>
/// </remarks>
public sealed class OpenAITextGenerator : ITextGenerator, IDisposable
{
    private readonly OpenAIUpstream _upstream;
    private readonly bool _ownsUpstream;

    /// <summary>A generator for <paramref name="options"/> with its own transport.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public OpenAITextGenerator(OpenAIModelOptions options, HttpMessageHandler? transport = null)
        : this(new OpenAIUpstream(options, transport), ownsUpstream: true)
    {
    }

    /// <summary>
    /// A generator over a shared transport (e.g. a proxy's), which it does not dispose, using <paramref name="api"/>
    /// (default: the transport's <see cref="OpenAIModelOptions.Api"/>).
    /// </summary>
    public OpenAITextGenerator(OpenAIUpstream upstream, OpenAIApi? api = null) : this(upstream, ownsUpstream: false, api)
    {
    }

    private OpenAITextGenerator(OpenAIUpstream upstream, bool ownsUpstream, OpenAIApi? api = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (api is { } a && !Enum.IsDefined(a)) throw new ArgumentException($"unknown API {a}");
        _upstream = upstream;
        _ownsUpstream = ownsUpstream;
        Api = api ?? upstream.Options.ApiOrDefault;
    }

    /// <summary>The model and servers.</summary>
    public OpenAIModelOptions Options => _upstream.Options;

    /// <summary>The endpoint this generator uses.</summary>
    public OpenAIApi Api { get; }

    /// <inheritdoc />
    public ModelCard? Card => Options.Card;

    /// <inheritdoc />
    /// <exception cref="UpstreamException">The server failed the request after retries, or refused it.</exception>
    public async Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        // Without n a single continuation takes the derived seed too, so its text is the first of any larger request's.
        if (Options.MultipleChoicesOrDefault)
            return new GenerationResult(await RequestAsync(request, request.Count, request.Sampling.Seed, cancellationToken).ConfigureAwait(false));
        // One failure fails the whole call: cancel the other requests rather than wait for them and waste the server's time.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var calls = Enumerable.Range(0, request.Count).Select(i => RequestOrCancelOthersAsync(request,
            request.Sampling.Seed is { } seed ? SplitMix64.Derive(seed, (ulong)i) : null, failed)).ToArray();
        var parts = await Task.WhenAll(calls).ConfigureAwait(false);
        return new GenerationResult(parts.SelectMany(p => p).ToArray());
    }

    private async Task<IReadOnlyList<Continuation>> RequestOrCancelOthersAsync(GenerationRequest request, ulong? seed, CancellationTokenSource failed)
    {
        try { return await RequestAsync(request, 1, seed, failed.Token).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<IReadOnlyList<Continuation>> RequestAsync(GenerationRequest request, int n, ulong? seed, CancellationToken cancellationToken)
    {
        bool chat = Api == OpenAIApi.ChatCompletions;
        var body = new JsonObject { ["model"] = Options.Model, ["n"] = n, ["max_tokens"] = request.MaxTokens };
        if (chat) body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = request.Prefix });
        else body["prompt"] = request.Prefix;
        if (request.Sampling.Temperature is { } temperature) body["temperature"] = temperature;
        if (request.Sampling.TopP is { } topP) body["top_p"] = topP;
        // Not in OpenAI's API, but vLLM, llama.cpp and ponder serve read it.
        if (request.Sampling.TopK is > 0) body["top_k"] = request.Sampling.TopK;
        // OpenAI's seed is a signed 64-bit integer: send the same bits.
        if (seed is { } s) body["seed"] = unchecked((long)s);
        if (request.Stop.Count > 0) body["stop"] = new JsonArray(request.Stop.Select(x => (JsonNode)x!).ToArray());
        if (request.ReturnLogProbs) body["logprobs"] = chat ? true : 0;

        using var response = await _upstream.PostAsync(chat ? "chat/completions" : "completions", JsonSerializer.SerializeToUtf8Bytes(body),
            streaming: false, cancellationToken).ConfigureAwait(false);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(await response.Message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new UpstreamException($"model {Options.Model}: the server's answer is not JSON: {e.Message}", (int)response.Message.StatusCode, e);
        }
        using (document) return Parse(document.RootElement, request, n, chat);
    }

    private Continuation[] Parse(JsonElement root, GenerationRequest request, int n, bool chat)
    {
        try
        {
            var choices = Required(root, "choices").EnumerateArray()
                .OrderBy(c => c.TryGetProperty("index", out var i) ? i.GetInt32() : 0).ToArray();
            if (choices.Length != n)
                throw new UpstreamException($"model {Options.Model}: asked for {n} choices, the server returned {choices.Length}", null);
            var usage = Required(root, "usage");
            int promptTokens = TokenCount(usage, "prompt_tokens");
            int completionTokens = TokenCount(usage, "completion_tokens");
            int cached = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
                && details.TryGetProperty("cached_tokens", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;

            var texts = new string[n];
            var finishes = new FinishReason[n];
            var logProbs = new IReadOnlyList<TokenLogProb>?[n];
            for (int i = 0; i < n; i++)
            {
                var choice = choices[i];
                string text = (chat ? Required(Required(choice, "message"), "content").GetString() : Required(choice, "text").GetString()) ?? "";
                (texts[i], finishes[i]) = Finish(choice, text, request.Stop);
                logProbs[i] = request.ReturnLogProbs ? LogProbs(choice, chat) : null;
            }
            int[] generated = SplitCompletionTokens(completionTokens, texts, logProbs);
            // One request prefills its prompt once, so with n choices the prompt is shared: charge it to the first.
            return Enumerable.Range(0, n).Select(i => new Continuation(texts[i], finishes[i], promptTokens,
                i == 0 ? Math.Min(cached, promptTokens) : promptTokens, generated[i], logProbs[i])).ToArray();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new UpstreamException($"model {Options.Model}: unexpected answer from the server: {e.Message}", null, e);
        }
    }

    // JsonElement.GetProperty's KeyNotFoundException does not say which key is missing (an error object sent with 200, say).
    private static JsonElement Required(JsonElement element, string name)
    {
        if (element.TryGetProperty(name, out var value)) return value;
        string json = element.GetRawText();
        throw new KeyNotFoundException($"no \"{name}\" in {(json.Length <= 200 ? json : json[..200] + "…")}");
    }

    // Compute accounting rests on the server's counts: a missing or negative one is an error, not zero compute.
    private static int TokenCount(JsonElement usage, string name)
    {
        int count = Required(usage, name).GetInt32();
        return count >= 0 ? count : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"\"{name}\" is {count}"));
    }

    private static (string Text, FinishReason Finish) Finish(JsonElement choice, string text, IReadOnlyList<string> stops)
    {
        string? reason = choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        if (reason == "length") return (text, FinishReason.Length);
        if (choice.TryGetProperty("stop_reason", out var stop) && stop.ValueKind == JsonValueKind.String && stops.Contains(stop.GetString()!))
            return (text + stop.GetString(), FinishReason.Stop);
        return (text, FinishReason.EndOfSequence);
    }

    private static TokenLogProb[]? LogProbs(JsonElement choice, bool chat)
    {
        if (!choice.TryGetProperty("logprobs", out var lp) || lp.ValueKind != JsonValueKind.Object) return null;
        if (chat)
            return lp.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
                ? content.EnumerateArray().Select(t => new TokenLogProb(Required(t, "token").GetString() ?? "", Required(t, "logprob").GetSingle())).ToArray()
                : null;
        var tokens = Required(lp, "tokens").EnumerateArray().Select(t => t.GetString() ?? "").ToArray();
        var values = Required(lp, "token_logprobs").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetSingle() : 0f).ToArray();
        return tokens.Zip(values, (t, v) => new TokenLogProb(t, v)).ToArray();
    }

    // Exact per choice when every choice carries its tokens' log-probabilities; else in proportion to text length.
    private static int[] SplitCompletionTokens(int total, string[] texts, IReadOnlyList<TokenLogProb>?[] logProbs)
    {
        if (texts.Length == 1) return [total];
        if (logProbs.All(l => l is not null) && logProbs.Sum(l => l!.Count) == total) return logProbs.Select(l => l!.Count).ToArray();
        long length = texts.Sum(t => (long)t.Length);
        var shares = texts.Select(t => length == 0 ? total / texts.Length : (int)(total * (long)t.Length / length)).ToArray();
        shares[0] += total - shares.Sum();
        return shares;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsUpstream) _upstream.Dispose();
    }
}
