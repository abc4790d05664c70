namespace Ponder.Compute;

/// <summary>A model's API price in US dollars per million tokens.</summary>
/// <param name="Model">The model name as the API spells it (matched case-insensitively against <see cref="ComputeRecord.Model"/>).</param>
/// <param name="InputPerMillion">Price of a million uncached prompt tokens.</param>
/// <param name="CachedInputPerMillion">Price of a million prompt tokens served from the provider's cache; null charges them as uncached.</param>
/// <param name="OutputPerMillion">Price of a million generated tokens.</param>
public sealed record ModelPrice(string Model, double InputPerMillion, double? CachedInputPerMillion, double OutputPerMillion)
{
    /// <summary>The price of <paramref name="record"/>'s tokens.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    public double Cost(ComputeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        long cached = record.CachedPromptTokens;
        long uncached = record.PromptTokens - cached;
        return (uncached * InputPerMillion + cached * (CachedInputPerMillion ?? InputPerMillion) + record.GeneratedTokens * OutputPerMillion) / 1e6;
    }
}

/// <summary>API prices by model name, for the money column of results.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class PriceTable
{
    private readonly Dictionary<string, ModelPrice> _prices;

    /// <summary>A table of <paramref name="prices"/>.</summary>
    /// <exception cref="ArgumentException">A price is negative or a model appears twice.</exception>
    public PriceTable(IEnumerable<ModelPrice> prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        _prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var price in prices)
        {
            ArgumentNullException.ThrowIfNull(price);
            if (price.InputPerMillion < 0 || price.OutputPerMillion < 0 || price.CachedInputPerMillion < 0)
                throw new ArgumentException($"prices must be ≥ 0: model {price.Model}");
            if (!_prices.TryAdd(price.Model, price)) throw new ArgumentException($"model {price.Model} is priced twice");
        }
    }

    /// <summary>The priced models.</summary>
    public IReadOnlyCollection<ModelPrice> Prices => _prices.Values;

    /// <summary>The price of <paramref name="model"/>, or null when it is not in the table.</summary>
    public ModelPrice? Find(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _prices.GetValueOrDefault(model);
    }

    /// <summary>
    /// List prices of a few API models in US dollars per million tokens (input, cached input, output), as the vendors
    /// published them in 2025 (openai.com/api/pricing, anthropic.com/pricing). Prices change: check before quoting money.
    /// </summary>
    public static PriceTable Default { get; } = new([
        new ModelPrice("gpt-4o", 2.50, 1.25, 10.00),
        new ModelPrice("gpt-4o-mini", 0.15, 0.075, 0.60),
        new ModelPrice("gpt-4.1", 2.00, 0.50, 8.00),
        new ModelPrice("gpt-4.1-mini", 0.40, 0.10, 1.60),
        new ModelPrice("o3-mini", 1.10, 0.55, 4.40),
        new ModelPrice("claude-3-5-haiku", 0.80, 0.08, 4.00),
        new ModelPrice("claude-sonnet-4", 3.00, 0.30, 15.00),
    ]);
}
