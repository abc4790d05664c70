using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ponder.Analysis;
using Ponder.AI;
using Ponder.Generation;
using Ponder.OpenAI;
using Ponder.Scoring;
using Ponder.Strategies;
using Ponder.Studies.Sweeps;

namespace Ponder.Server;

/// <summary>One choice of a reply: its text as OpenAI shows it (without the stop string), why it ended and which stop string it met.</summary>
internal sealed record ReplyChoice(string Text, string FinishReason, string? StopReason, IReadOnlyList<TokenLogProb>? LogProbs);

/// <summary>What the server answers a completion request with, before it is written as JSON or as server-sent events.</summary>
internal sealed record Reply(string Id, IReadOnlyList<ReplyChoice> Choices, long PromptTokens, long CachedPromptTokens, long CompletionTokens, JsonObject? Ponder);

/// <summary>
/// Serves <c>/v1/completions</c> and <c>/v1/chat/completions</c>: proxies plain requests for upstream models as they are,
/// generates plain requests for embedded models, and runs a strategy when the request has a <c>ponder</c> object.
/// An argument the generator or a strategy refuses is the request's fault (400 naming the field); a null argument is
/// the server's own (500).
/// </summary>
internal sealed class CompletionHandler(
    PonderServerOptions limits,
    IReadOnlyDictionary<string, ServedModel> models,
    IReadOnlyDictionary<string, IStepScorer> prms,
    IReadOnlyDictionary<string, IComputePolicy> policies,
    IReadOnlyDictionary<string, ComputeOptimalPolicy> learnedPolicies)
{
    private static readonly StrategyRegistry Registry = StrategyRegistry.CreateDefault();

    /// <summary>Strategies that only ever continue the prompt itself, so they run where partial solutions cannot be continued.</summary>
    private static readonly HashSet<string> WholeSolutionStrategies =
    [
        RepeatedSamplingStrategy.StrategyName, MajorityVoteStrategy.StrategyName, BestOfNStrategy.StrategyName,
        WeightedBestOfNStrategy.StrategyName, AdaptiveConsistencyStrategy.StrategyName, ResampleUntilAcceptedStrategy.StrategyName,
    ];

    /// <summary>The budget of a strategy request that names none.</summary>
    private const int DefaultBudget = 8;

    /// <summary>max_tokens of a request that gives none, as OpenAI-compatible servers and the strategies default it (the server's limit permitting).</summary>
    private const int DefaultMaxTokens = 256;

    private int MaxTokensOrDefault(CompletionCall call) => call.MaxTokens ?? Math.Min(DefaultMaxTokens, limits.MaxTokensOrDefault);

    /// <summary>Most trace lines a response carries.</summary>
    private const int TraceLines = 12;

    public async Task HandleAsync(HttpContext http, bool chat)
    {
        var cancellationToken = http.RequestAborted;
        byte[] body = await ReadBodyAsync(http.Request, cancellationToken);
        JsonDocument document;
        try { document = JsonDocument.Parse(body); }
        catch (JsonException e) { throw OpenAIError.Invalid(null, $"the request body is not valid JSON: {e.Message}", "invalid_json"); }
        using (document)
        {
            var call = CompletionCall.Parse(document.RootElement, chat, limits);
            var model = models.GetValueOrDefault(call.Model) ?? throw new OpenAIError(StatusCodes.Status404NotFound,
                $"the model {call.Model} does not exist; served: {string.Join(", ", models.Keys)}", "invalid_request_error", "model", "model_not_found");
            if (call.Ponder is null && model.Upstream is { } upstream)
            {
                await ProxyAsync(http, upstream, body, chat, call.Stream, cancellationToken);
                return;
            }
            if (call.EngineUnsupported is { } field)
                throw OpenAIError.Invalid(field, field == "best_of"
                    ? "best_of is not supported here; ask for best-of-N with \"ponder\": {\"strategy\": \"best-of-n\", \"budget\": N}"
                    : $"{field} is not supported here", "unsupported_parameter");
            var reply = call.Ponder is null ? await GenerateAsync(model, call, cancellationToken) : await SolveAsync(model, call, cancellationToken);
            if (call.Stream) await ReplyWriter.WriteEventsAsync(http.Response, call, reply, cancellationToken);
            else await ReplyWriter.WriteJsonAsync(http.Response, call, reply, cancellationToken);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        // Kestrel enforces the body limit while this reads (BadHttpRequestException with 413).
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    // Plain requests for an upstream model pass through unchanged, streams included; only failures are rewritten.
    private static async Task ProxyAsync(HttpContext http, OpenAIUpstream upstream, byte[] body, bool chat, bool stream, CancellationToken cancellationToken)
    {
        using var response = await Upstream(() => upstream.PostAsync(chat ? "chat/completions" : "completions", body, stream, cancellationToken));
        http.Response.StatusCode = (int)response.Message.StatusCode;
        http.Response.ContentType = response.Message.Content.Headers.ContentType?.ToString() ?? "application/json";
        await response.Message.Content.CopyToAsync(http.Response.Body, cancellationToken);
    }

    private async Task<Reply> GenerateAsync(ServedModel model, CompletionCall call, CancellationToken cancellationToken)
    {
        var request = new GenerationRequest
        {
            Prefix = Prefix(model, call),
            Count = call.N,
            MaxTokens = MaxTokensOrDefault(call),
            Stop = call.Stop,
            ReturnLogProbs = call.LogProbs,
            Sampling = new SamplingOptions { Temperature = call.Temperature, TopP = call.TopP, TopK = call.TopK, Seed = call.Seed },
        };
        var generator = call.Chat ? model.ChatGenerator : model.Generator;
        GenerationResult result;
        try { result = await Upstream(() => generator.GenerateAsync(request, cancellationToken)); }
        catch (ArgumentException e) when (e is not ArgumentNullException) { throw OpenAIError.Invalid(call.Chat ? "messages" : "prompt", e.Message); }
        var choices = result.Continuations.Select(c => Choice(c, call.Stop)).ToArray();
        return new Reply(NewId(call), choices, result.Continuations[0].PromptTokens, result.Continuations[0].CachedPromptTokens, result.GeneratedTokens, null);
    }

    private async Task<Reply> SolveAsync(ServedModel model, CompletionCall call, CancellationToken cancellationToken)
    {
        var extension = call.Ponder!;
        if (call.N != 1) throw OpenAIError.Invalid("n", "with a ponder strategy n must be 1: the strategy returns one answer");
        string prompt = Prefix(model, call);
        string strategy;
        int budget;
        ComputeOptimalPolicy? learned = null;
        if (extension.Policy is { } learnedName && learnedPolicies.TryGetValue(learnedName, out learned))
        {
            strategy = ComputeOptimalStrategy.StrategyName;
            budget = extension.Budget ?? Math.Min(DefaultBudget, limits.MaxBudgetOrDefault);
        }
        else if (extension.Policy is { } policyName)
        {
            var policy = policies.GetValueOrDefault(policyName) ?? throw OpenAIError.Invalid("ponder.policy",
                $"unknown policy {policyName}; loaded: {(policies.Count + learnedPolicies.Count == 0 ? "none" : string.Join(", ", policies.Keys.Concat(learnedPolicies.Keys).Order(StringComparer.Ordinal)))}", "unknown_policy");
            string question = call.Chat ? call.Messages!.LastOrDefault(m => m.Role == "user")?.Content ?? "" : call.Prompt!;
            var allocation = policy.Allocate(question);
            strategy = allocation.Strategy;
            budget = Math.Clamp(extension.Budget ?? allocation.Budget, 1, limits.MaxBudgetOrDefault);
        }
        else
        {
            strategy = extension.Strategy!;
            budget = extension.Budget ?? Math.Min(DefaultBudget, limits.MaxBudgetOrDefault);
        }
        if (!Registry.Names.Contains(strategy))
            throw OpenAIError.Invalid(extension.Policy is null ? "ponder.strategy" : "ponder.policy",
                $"unknown strategy {strategy}; known: {string.Join(", ", Registry.Names)}", "unknown_strategy");
        bool continuesPrefixes = call.Chat ? model.Upstream is null : model.ContinuesPrefixes;
        if (!continuesPrefixes && !WholeSolutionStrategies.Contains(strategy))
            throw OpenAIError.Invalid("ponder.strategy",
                $"{strategy} continues partial solutions, which this model cannot do here (an upstream's chat endpoint); use one of {string.Join(", ", WholeSolutionStrategies)}, or /v1/completions on a completions upstream");
        IStepScorer? prm = null;
        if (extension.Prm is { } prmName)
            prm = prms.GetValueOrDefault(prmName) ?? throw OpenAIError.Invalid("ponder.prm",
                $"unknown PRM {prmName}; loaded: {(prms.Count == 0 ? "none" : string.Join(", ", prms.Keys))}");
        if (prm is null && SweepOptions.NeedsVerifier(strategy))
            throw OpenAIError.Invalid("ponder.prm", $"{strategy} needs a process reward model: name one in ponder.prm (loaded: {(prms.Count == 0 ? "none" : string.Join(", ", prms.Keys))})");

        var context = model.CreateContext(call.Chat ? model.ChatGenerator : model.Generator, prm);
        IStrategy solver;
        try { solver = Registry.Create(strategy, context, StrategyOptions(strategy, call, extension, learned)); }
        catch (ArgumentException e) when (e is not ArgumentNullException) { throw OpenAIError.Invalid("ponder.options", e.Message); }
        var problem = new Problem(NewId(call), prompt);
        ulong seed = call.Seed ?? (ulong)Random.Shared.NextInt64(1L << 53);
        StrategyResult result;
        try { result = await Upstream(() => solver.SolveAsync(problem, Budget.OfGenerations(budget), seed, cancellationToken)); }
        catch (ArgumentException e) when (e is not ArgumentNullException) { throw OpenAIError.Invalid("ponder", e.Message); }

        var compute = result.Compute;
        var ponder = new JsonObject
        {
            ["strategy"] = result.Strategy,
            ["budget"] = budget,
            ["seed"] = result.Seed,
            ["samples"] = result.Candidates.Count,
            ["generations_used"] = result.GenerationsUsed,
            ["answer"] = result.Answer,
            ["prompt_tokens"] = compute.Policy.PromptTokens + compute.Verifier.PromptTokens,
            ["cached_prompt_tokens"] = compute.Policy.CachedPromptTokens + compute.Verifier.CachedPromptTokens,
            ["completion_tokens"] = compute.Policy.GeneratedTokens + compute.Verifier.GeneratedTokens,
            ["policy_calls"] = compute.Policy.Calls,
            ["verifier_calls"] = compute.Verifier.Calls,
            ["policy_flops"] = compute.Policy.Flops,
            ["verifier_flops"] = compute.Verifier.Flops,
            ["idealized_seconds"] = compute.IdealizedSeconds,
            ["wall_seconds"] = result.Elapsed.TotalSeconds,
            ["trace"] = new JsonArray(result.Trace.Take(TraceLines).Select(line => (JsonNode)line!).ToArray()),
        };
        // A solution cut at the token limit says so, as a plain choice does; so does a reply left empty because every
        // sample was cut before its answer.
        var chosen = result.ChosenIndex is { } index ? result.Candidates[index] : null;
        bool cut = chosen is null
            ? result.Candidates.Count > 0 && result.Candidates.All(c => c.Finish == FinishReason.Length)
            : chosen.Finish == FinishReason.Length;
        var choice = new ReplyChoice(result.Solution ?? "", cut ? "length" : "stop", null, null);
        return new Reply(problem.Id, [choice], compute.Policy.PromptTokens + compute.Verifier.PromptTokens,
            compute.Policy.CachedPromptTokens + compute.Verifier.CachedPromptTokens,
            compute.Policy.GeneratedTokens + compute.Verifier.GeneratedTokens, ponder);
    }

    // The strategy's options: ponder.options, with the request's sampling fields filling what it leaves open. The server's
    // token limit binds every generation a strategy makes as it binds a plain request's choices, or ponder.options would
    // be a way around --max-tokens (and an upstream would be asked for more than the server allows).
    private StrategyOptions StrategyOptions(string strategy, CompletionCall call, PonderExtension extension, ComputeOptimalPolicy? learned)
    {
        int limit = limits.MaxTokensOrDefault;
        var json = extension.Options is { } given ? JsonObject.Create(given)! : new JsonObject();
        if (learned is not null && json.ContainsKey("policy"))
            throw OpenAIError.Invalid("ponder.options.policy", $"ponder.policy names the loaded policy {extension.Policy}; ponder.options must not give another");
        void Fill(string name, JsonNode? value)
        {
            if (value is not null && !json.ContainsKey(name)) json[name] = value;
        }
        Fill("temperature", call.Temperature);
        Fill("topP", call.TopP);
        Fill("topK", call.TopK);
        Fill("maxTokens", MaxTokensOrDefault(call));
        var options = Registry.ParseOptions(strategy, JsonSerializer.SerializeToElement(json))!;
        if (learned is not null) options = (ComputeOptimalOptions)options with { Policy = learned };
        if (options.MaxTokens > limit)
            throw OpenAIError.Invalid("ponder.options.maxTokens", string.Create(CultureInfo.InvariantCulture, $"ponder.options.maxTokens must be at most the server's limit of {limit}, got {options.MaxTokens}"));
        if (options is StepSearchOptions { MaxStepTokens: { } stepTokens } && stepTokens > limit)
            throw OpenAIError.Invalid("ponder.options.maxStepTokens", string.Create(CultureInfo.InvariantCulture, $"ponder.options.maxStepTokens must be at most the server's limit of {limit}, got {stepTokens}"));
        return options;
    }

    private static string Prefix(ServedModel model, CompletionCall call)
    {
        if (!call.Chat) return call.Prompt!;
        try { return model.ChatTemplate.Render(call.Messages!); }
        catch (ArgumentException e) when (e is not ArgumentNullException) { throw OpenAIError.Invalid("messages", e.Message); }
    }

    // OpenAI's text leaves out the stop string; stop_reason (as vLLM reports it) says which one ended the choice.
    private static ReplyChoice Choice(Continuation c, IReadOnlyList<string> stops)
    {
        if (c.FinishReason == FinishReason.Length) return new ReplyChoice(c.Text, "length", null, c.LogProbs);
        string text = c.TextWithoutStop(stops);
        return new ReplyChoice(text, "stop", c.FinishReason == FinishReason.Stop ? c.Text[text.Length..] : null, c.LogProbs);
    }

    private static string NewId(CompletionCall call) => (call.Chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");

    // Upstream failures become 502 (or the upstream's own 4xx when it refused the request itself).
    private static async Task<T> Upstream<T>(Func<Task<T>> call)
    {
        try { return await call(); }
        catch (UpstreamException e) when (e.IsClientError)
        {
            throw new OpenAIError(e.StatusCode!.Value, e.Message, "invalid_request_error", null, "upstream_rejected");
        }
        catch (UpstreamException e)
        {
            throw new OpenAIError(StatusCodes.Status502BadGateway, e.Message, "upstream_error", null, "upstream_failed");
        }
    }
}
