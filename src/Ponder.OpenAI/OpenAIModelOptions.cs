using System.Globalization;
using Ponder.Generation;

namespace Ponder.OpenAI;

/// <summary>Which endpoint of an OpenAI-compatible server generates.</summary>
public enum OpenAIApi
{
    /// <summary><c>POST /v1/completions</c>: continues a raw prefix, so step-level search can continue partial solutions.</summary>
    Completions,

    /// <summary>
    /// <c>POST /v1/chat/completions</c>, for servers without <c>/v1/completions</c>: the prefix is sent as one user message
    /// and the server applies its own chat template, so only whole-solution strategies make sense.
    /// </summary>
    ChatCompletions,
}

/// <summary>
/// A model on one or more OpenAI-compatible servers (vLLM, llama.cpp, Ollama, OpenAI, <c>ponder serve</c>) and how to
/// call it. Null properties take the defaults documented on them. Records: change a copy with <c>with</c>.
/// </summary>
public sealed record OpenAIModelOptions
{
    /// <summary>The scheme of a model reference that selects <see cref="OpenAIApi.ChatCompletions"/>.</summary>
    public const string ChatSchemePrefix = "chat+";

    /// <summary>Base URLs ending in <c>/v1</c>; requests are spread over them round robin and a retry moves to the next. Required.</summary>
    public IReadOnlyList<Uri>? BaseUrls { get; init; }

    /// <summary>The model name the servers know. Required.</summary>
    public string? Model { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer …</c> when set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Which endpoint generates. Default <see cref="OpenAIApi.Completions"/>.</summary>
    public OpenAIApi? Api { get; init; }

    /// <summary>
    /// Whether the servers honour <c>n</c> &gt; 1 (vLLM, OpenAI and <c>ponder serve</c> do; llama.cpp and Ollama do not).
    /// When false, N continuations are N parallel requests. Default true.
    /// </summary>
    public bool? MultipleChoices { get; init; }

    /// <summary>The model's card for FLOP accounting; null reports compute in tokens only.</summary>
    public ModelCard? Card { get; init; }

    /// <summary>Most requests in flight at once over all base URLs; further calls wait. Default 16.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Time limit of one attempt (until the whole answer arrives; for a stream, until its headers do). Default 120 s.</summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>Retries after a 408, 429 or 5xx answer, a connection failure or a timed-out attempt. Default 3.</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Delay before the first retry, doubled for each further one (with jitter; a Retry-After header wins). Default 0.5 s.</summary>
    public TimeSpan? RetryDelay { get; init; }

    internal OpenAIApi ApiOrDefault => Api ?? OpenAIApi.Completions;
    internal bool MultipleChoicesOrDefault => MultipleChoices ?? true;
    internal int MaxConcurrencyOrDefault => MaxConcurrency ?? 16;
    internal TimeSpan AttemptTimeoutOrDefault => AttemptTimeout ?? TimeSpan.FromSeconds(120);
    internal int MaxRetriesOrDefault => MaxRetries ?? 3;
    internal TimeSpan RetryDelayOrDefault => RetryDelay ?? TimeSpan.FromSeconds(0.5);

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the offending value.</summary>
    public void Validate()
    {
        if (BaseUrls is null || BaseUrls.Count == 0) throw new ArgumentException("an OpenAI-compatible model needs at least one base URL");
        foreach (var url in BaseUrls)
            if (url is null || !url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
                throw new ArgumentException($"base URLs must be absolute http(s) URLs such as http://127.0.0.1:8000/v1, got {url}");
            else if (url.Query.Length > 0 || url.Fragment.Length > 0)
                throw new ArgumentException($"base URLs must not have a query or fragment (the request path goes after the base URL), got {url}");
        if (string.IsNullOrWhiteSpace(Model)) throw new ArgumentException("an OpenAI-compatible model needs a model name");
        if (Api is { } api && !Enum.IsDefined(api)) throw new ArgumentException($"unknown API {api}");
        if (MaxConcurrency is < 1) throw new ArgumentException($"max concurrency must be ≥ 1, got {MaxConcurrency}");
        if (AttemptTimeout is { } t && t <= TimeSpan.Zero) throw new ArgumentException($"the attempt timeout must be > 0, got {t}");
        if (MaxRetries is < 0) throw new ArgumentException($"max retries must be ≥ 0, got {MaxRetries}");
        if (RetryDelay is { } d && d < TimeSpan.Zero) throw new ArgumentException($"the retry delay must be ≥ 0, got {d}");
    }

    /// <summary>Whether <paramref name="spec"/> is a model reference <see cref="Parse"/> reads (it starts with http://, https:// or chat+http).</summary>
    public static bool IsModelReference(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string url = spec.StartsWith(ChatSchemePrefix, StringComparison.OrdinalIgnoreCase) ? spec[ChatSchemePrefix.Length..] : spec;
        return url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Reads a model reference <c>[chat+]URL[,URL…]#MODEL</c>: base URLs ending in <c>/v1</c>, comma-separated to
    /// load-balance, then <c>#</c> and the model name; the <c>chat+</c> prefix selects <see cref="OpenAIApi.ChatCompletions"/>.
    /// Example: <c>http://127.0.0.1:8000/v1#Qwen2.5-1.5B-Instruct</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The reference is malformed (the message shows the expected form).</exception>
    public static OpenAIModelOptions Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        const string Form = "expected [chat+]http://HOST:PORT/v1[,http://…/v1]#MODEL";
        bool chat = spec.StartsWith(ChatSchemePrefix, StringComparison.OrdinalIgnoreCase);
        string rest = chat ? spec[ChatSchemePrefix.Length..] : spec;
        int hash = rest.LastIndexOf('#');
        if (hash < 0 || hash == rest.Length - 1) throw new ArgumentException($"model reference \"{spec}\" has no model name after '#': {Form}");
        var urls = new List<Uri>();
        foreach (string part in rest[..hash].Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"model reference \"{spec}\": \"{part}\" is not an http(s) URL: {Form}"));
            urls.Add(url);
        }
        var options = new OpenAIModelOptions
        {
            BaseUrls = urls,
            Model = Uri.UnescapeDataString(rest[(hash + 1)..]),
            Api = chat ? OpenAIApi.ChatCompletions : OpenAIApi.Completions,
        };
        options.Validate();
        return options;
    }
}
