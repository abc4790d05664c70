namespace Ponder.Server;

/// <summary>
/// Where <c>ponder serve</c> listens and the limits every request is held to. Null properties take the defaults
/// documented on them. Records: change a copy with <c>with</c>.
/// </summary>
public sealed record PonderServerOptions
{
    /// <summary>The IP address to listen on. Default 127.0.0.1 (this machine only).</summary>
    public string? Host { get; init; }

    /// <summary>The TCP port; 0 picks a free one (see <see cref="PonderServer.BaseAddress"/>). Default 8080.</summary>
    public int? Port { get; init; }

    /// <summary>When set, every request needs <c>Authorization: Bearer {ApiKey}</c>; others get 401.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Largest <c>ponder.budget</c> (generations) a request may ask for. Default 64.</summary>
    public int? MaxBudget { get; init; }

    /// <summary>Largest <c>max_tokens</c> per choice. Default 1024.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Largest <c>n</c>. Default 64.</summary>
    public int? MaxChoices { get; init; }

    /// <summary>Largest request body in bytes; larger ones get 413. Default 1 MiB.</summary>
    public long? MaxBodyBytes { get; init; }

    /// <summary>Requests served at once; a request beyond it gets 429 at once rather than queueing. Default 16.</summary>
    public int? MaxConcurrentRequests { get; init; }

    internal string HostOrDefault => Host ?? "127.0.0.1";
    internal int PortOrDefault => Port ?? 8080;
    internal int MaxBudgetOrDefault => MaxBudget ?? 64;
    internal int MaxTokensOrDefault => MaxTokens ?? 1024;
    internal int MaxChoicesOrDefault => MaxChoices ?? 64;
    internal long MaxBodyBytesOrDefault => MaxBodyBytes ?? 1 << 20;
    internal int MaxConcurrentRequestsOrDefault => MaxConcurrentRequests ?? 16;

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the offending value.</summary>
    public void Validate()
    {
        if (Host is not null && !System.Net.IPAddress.TryParse(Host, out _)) throw new ArgumentException($"host must be an IP address, got {Host}");
        if (Port is < 0 or > 65535) throw new ArgumentException($"port must be in 0…65535, got {Port}");
        if (ApiKey is { Length: 0 }) throw new ArgumentException("the API key must not be empty");
        if (MaxBudget is < 1) throw new ArgumentException($"max budget must be ≥ 1, got {MaxBudget}");
        if (MaxTokens is < 1) throw new ArgumentException($"max tokens must be ≥ 1, got {MaxTokens}");
        if (MaxChoices is < 1) throw new ArgumentException($"max choices must be ≥ 1, got {MaxChoices}");
        if (MaxBodyBytes is < 1) throw new ArgumentException($"max body bytes must be ≥ 1, got {MaxBodyBytes}");
        if (MaxConcurrentRequests is < 1) throw new ArgumentException($"max concurrent requests must be ≥ 1, got {MaxConcurrentRequests}");
    }
}
