using System.Globalization;
using System.Text.Json;
using Ponder.Generation;

namespace Ponder.Server;

/// <summary>The <c>ponder</c> extension object of a request: which test-time compute to apply.</summary>
/// <param name="Strategy">A registered strategy name, or null when <see cref="Policy"/> chooses.</param>
/// <param name="Budget">Budget in generations, or null for the default (or the policy's choice).</param>
/// <param name="Prm">Name of a process reward model the server loaded, or null.</param>
/// <param name="Policy">Name of a compute-optimal policy the server loaded, or null.</param>
/// <param name="Options">The strategy's options as JSON (camelCase, as <c>ponder solve --options</c> takes them), or null.</param>
internal sealed record PonderExtension(string? Strategy, int? Budget, string? Prm, string? Policy, JsonElement? Options);

/// <summary>
/// A validated <c>/v1/completions</c> or <c>/v1/chat/completions</c> request. Parsing checks every field it reads and
/// throws <see cref="OpenAIError"/> naming the field; fields it does not know (user, presence_penalty, …) are ignored,
/// as OpenAI-compatible servers do.
/// </summary>
internal sealed record CompletionCall
{
    public required bool Chat { get; init; }
    public required string Model { get; init; }
    public string? Prompt { get; init; }
    public IReadOnlyList<ChatTurn>? Messages { get; init; }
    public required int N { get; init; }
    public float? Temperature { get; init; }
    public float? TopP { get; init; }
    public int? TopK { get; init; }
    public int? MaxTokens { get; init; }
    public required IReadOnlyList<string> Stop { get; init; }
    public ulong? Seed { get; init; }
    public required bool LogProbs { get; init; }
    public required bool Stream { get; init; }
    public required bool IncludeUsage { get; init; }
    public PonderExtension? Ponder { get; init; }

    /// <summary>
    /// A field the request sets that the embedded engine and the strategies cannot honour (echo, suffix, best_of beyond n),
    /// or null. A plain request to an upstream passes through with it; anything else is refused naming it, not answered
    /// as if it were absent.
    /// </summary>
    public string? EngineUnsupported { get; init; }

    /// <summary>Most stop strings a request may give.</summary>
    private const int MaxStops = 16;

    public static CompletionCall Parse(JsonElement root, bool chat, PonderServerOptions limits)
    {
        if (root.ValueKind != JsonValueKind.Object) throw OpenAIError.Invalid(null, "the request body must be a JSON object", "invalid_json");
        string model = String(root, "model") ?? throw OpenAIError.Invalid("model", "you must provide a model parameter", "missing_required_parameter");
        string? prompt = null;
        IReadOnlyList<ChatTurn>? messages = null;
        if (chat) messages = ReadMessages(root);
        else prompt = ReadPrompt(root);

        int n = Int(root, "n") ?? 1;
        if (n < 1 || n > limits.MaxChoicesOrDefault)
            throw OpenAIError.Invalid("n", Invariant($"n must be between 1 and {limits.MaxChoicesOrDefault}, got {n}"));
        float? temperature = Number(root, "temperature");
        if (temperature is < 0 or > 2) throw OpenAIError.Invalid("temperature", Invariant($"temperature must be between 0 and 2, got {temperature}"));
        float? topP = Number(root, "top_p");
        if (topP is <= 0 or > 1) throw OpenAIError.Invalid("top_p", Invariant($"top_p must be in (0, 1], got {topP}"));
        int? topK = Int(root, "top_k");
        if (topK is < 0) throw OpenAIError.Invalid("top_k", Invariant($"top_k must be ≥ 0, got {topK}"));
        string maxTokensName = chat && root.TryGetProperty("max_completion_tokens", out _) ? "max_completion_tokens" : "max_tokens";
        int? maxTokens = Int(root, maxTokensName);
        if (maxTokens is { } m && (m < 1 || m > limits.MaxTokensOrDefault))
            throw OpenAIError.Invalid(maxTokensName, Invariant($"{maxTokensName} must be between 1 and {limits.MaxTokensOrDefault}, got {m}"));
        ulong? seed = root.TryGetProperty("seed", out var s) && s.ValueKind != JsonValueKind.Null
            ? s.TryGetInt64(out long signed) ? unchecked((ulong)signed) : s.TryGetUInt64(out ulong unsigned) ? unsigned
                : throw OpenAIError.Invalid("seed", "seed must be an integer")
            : null;
        bool logProbs = chat ? Bool(root, "logprobs") ?? false : LegacyLogProbs(root);
        bool stream = Bool(root, "stream") ?? false;
        bool includeUsage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        var stops = Stops(root);
        var ponder = Extension(root, limits);
        // A strategy's answer is chosen among samples that end where the task's solutions end: a stop string would cut
        // them before their answers, and no one sample's log-probabilities describe the choice.
        if (ponder is not null && stops.Count > 0)
            throw OpenAIError.Invalid("stop", "stop cannot be combined with ponder: a strategy's samples end where the task's solutions end");
        if (ponder is not null && logProbs)
            throw OpenAIError.Invalid("logprobs", "logprobs cannot be combined with ponder: the answer is chosen among samples, so no one sample's log-probabilities describe it");
        string? unsupported = Bool(root, "echo") == true ? "echo"
            : root.TryGetProperty("suffix", out var suffix) && suffix.ValueKind == JsonValueKind.String && suffix.GetString()!.Length > 0 ? "suffix"
            : Int(root, "best_of") > n ? "best_of"
            : null;
        return new CompletionCall
        {
            Chat = chat, Model = model, Prompt = prompt, Messages = messages, N = n, Temperature = temperature, TopP = topP, TopK = topK,
            MaxTokens = maxTokens, Stop = stops, Seed = seed, LogProbs = logProbs, Stream = stream, IncludeUsage = includeUsage,
            Ponder = ponder, EngineUnsupported = unsupported,
        };
    }

    private static string ReadPrompt(JsonElement root)
    {
        if (!root.TryGetProperty("prompt", out var p) || p.ValueKind == JsonValueKind.Null)
            throw OpenAIError.Invalid("prompt", "you must provide a prompt", "missing_required_parameter");
        if (p.ValueKind == JsonValueKind.String) return p.GetString()!;
        if (p.ValueKind == JsonValueKind.Array && p.GetArrayLength() == 1 && p[0].ValueKind == JsonValueKind.String) return p[0].GetString()!;
        throw OpenAIError.Invalid("prompt", "prompt must be a string (or an array holding one string; batches of prompts are not supported)");
    }

    private static ChatTurn[] ReadMessages(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var list) || list.ValueKind == JsonValueKind.Null)
            throw OpenAIError.Invalid("messages", "you must provide a messages parameter", "missing_required_parameter");
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            throw OpenAIError.Invalid("messages", "messages must be a non-empty array");
        var turns = new List<ChatTurn>();
        int i = 0;
        foreach (var message in list.EnumerateArray())
        {
            string param = Invariant($"messages[{i++}]");
            if (message.ValueKind != JsonValueKind.Object) throw OpenAIError.Invalid(param, $"{param} must be an object with role and content");
            string role = String(message, "role", param + ".") ?? throw OpenAIError.Invalid(param + ".role", $"{param} has no role");
            if (role is not ("system" or "developer" or "user" or "assistant"))
                throw OpenAIError.Invalid(param + ".role", $"{param}.role must be system, developer, user or assistant, got \"{role}\"");
            turns.Add(new ChatTurn(role == "developer" ? "system" : role, Content(message, param + ".content")));
        }
        return turns.ToArray();
    }

    // Content is a string or an array of parts, of which only text parts can reach a text model.
    private static string Content(JsonElement message, string param)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null) return "";
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind == JsonValueKind.Array)
            return string.Concat(content.EnumerateArray().Select(part =>
                part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueEquals("text")
                && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                    ? text.GetString()
                    : throw OpenAIError.Invalid(param, $"{param}: only text parts are supported")));
        throw OpenAIError.Invalid(param, $"{param} must be a string or an array of text parts");
    }

    private static IReadOnlyList<string> Stops(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null) return [];
        string[] stops = stop.ValueKind switch
        {
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array => stop.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw OpenAIError.Invalid("stop", "stop must hold strings")).ToArray(),
            _ => throw OpenAIError.Invalid("stop", "stop must be a string or an array of strings"),
        };
        if (stops.Length > MaxStops) throw OpenAIError.Invalid("stop", Invariant($"at most {MaxStops} stop strings, got {stops.Length}"));
        if (stops.Any(x => x.Length == 0)) throw OpenAIError.Invalid("stop", "stop strings must not be empty");
        return stops;
    }

    // Completions take logprobs as the number of alternatives per token (0…5); the chosen tokens' values come with any.
    private static bool LegacyLogProbs(JsonElement root)
    {
        if (!root.TryGetProperty("logprobs", out var lp) || lp.ValueKind == JsonValueKind.Null) return false;
        if (lp.ValueKind is JsonValueKind.True or JsonValueKind.False) return lp.ValueKind == JsonValueKind.True;
        return lp.TryGetInt32(out int k) && k is >= 0 and <= 5 ? true : throw OpenAIError.Invalid("logprobs", "logprobs must be an integer between 0 and 5");
    }

    private static PonderExtension? Extension(JsonElement root, PonderServerOptions limits)
    {
        if (!root.TryGetProperty("ponder", out var p) || p.ValueKind == JsonValueKind.Null) return null;
        if (p.ValueKind != JsonValueKind.Object) throw OpenAIError.Invalid("ponder", "ponder must be an object such as {\"strategy\": \"majority\", \"budget\": 8}");
        string? strategy = String(p, "strategy", "ponder.");
        string? policy = String(p, "policy", "ponder.");
        if (strategy is null == (policy is null))
            throw OpenAIError.Invalid("ponder", "ponder needs exactly one of strategy and policy");
        int? budget = Int(p, "budget", "ponder.");
        if (budget is { } b && (b < 1 || b > limits.MaxBudgetOrDefault))
            throw OpenAIError.Invalid("ponder.budget", Invariant($"ponder.budget must be between 1 and {limits.MaxBudgetOrDefault} generations, got {b}"),
                b > limits.MaxBudgetOrDefault ? "budget_too_large" : "invalid_value");
        JsonElement? options = null;
        if (p.TryGetProperty("options", out var o) && o.ValueKind != JsonValueKind.Null)
            options = o.ValueKind == JsonValueKind.Object ? o.Clone() : throw OpenAIError.Invalid("ponder.options", "ponder.options must be an object");
        return new PonderExtension(strategy, budget, String(p, "prm", "ponder."), policy, options);
    }

    private static string? String(JsonElement obj, string name, string prefix = "") =>
        !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString() : throw OpenAIError.Invalid(prefix + name, $"{prefix}{name} must be a string");

    private static int? Int(JsonElement obj, string name, string prefix = "") =>
        !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i
        : throw OpenAIError.Invalid(prefix + name, $"{prefix}{name} must be an integer" + (v.ValueKind == JsonValueKind.Number ? " in range" : ""));

    private static float? Number(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetSingle() : throw OpenAIError.Invalid(name, $"{name} must be a number");

    private static bool? Bool(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw OpenAIError.Invalid(name, $"{name} must be true or false");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
