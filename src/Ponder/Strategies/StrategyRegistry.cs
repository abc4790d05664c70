using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Strategies;

/// <summary>
/// Strategies by name, each with its options type, so that a strategy can be built from a name and a small JSON config
/// (<c>{"beamWidth": 4, "aggregation": "min"}</c>).
/// </summary>
/// <remarks>Register everything first; afterwards concurrent lookups and creations are safe.</remarks>
public sealed class StrategyRegistry
{
    private readonly Dictionary<string, Registration> _strategies = new(StringComparer.Ordinal);

    private sealed record Registration(Type OptionsType, Func<StrategyContext, StrategyOptions?, IStrategy> Create);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>A registry of the built-in strategies: sampling, majority, best-of-n, weighted-best-of-n, beam, dvts, lookahead, revision, early-rejection, adaptive-consistency, resample-until-accepted, compute-optimal.</summary>
    public static StrategyRegistry CreateDefault()
    {
        var registry = new StrategyRegistry();
        registry.Add<RepeatedSamplingOptions>(RepeatedSamplingStrategy.StrategyName, (c, o) => new RepeatedSamplingStrategy(c, o));
        registry.Add<MajorityVoteOptions>(MajorityVoteStrategy.StrategyName, (c, o) => new MajorityVoteStrategy(c, o));
        registry.Add<BestOfNOptions>(BestOfNStrategy.StrategyName, (c, o) => new BestOfNStrategy(c, o));
        registry.Add<BestOfNOptions>(WeightedBestOfNStrategy.StrategyName, (c, o) => new WeightedBestOfNStrategy(c, o));
        registry.Add<BeamSearchOptions>(BeamSearchStrategy.StrategyName, (c, o) => new BeamSearchStrategy(c, o));
        registry.Add<DvtsOptions>(DvtsStrategy.StrategyName, (c, o) => new DvtsStrategy(c, o));
        registry.Add<LookaheadOptions>(LookaheadStrategy.StrategyName, (c, o) => new LookaheadStrategy(c, o));
        registry.Add<RevisionOptions>(RevisionStrategy.StrategyName, (c, o) => new RevisionStrategy(c, o));
        registry.Add<EarlyRejectionOptions>(EarlyRejectionStrategy.StrategyName, (c, o) => new EarlyRejectionStrategy(c, o));
        registry.Add<AdaptiveConsistencyOptions>(AdaptiveConsistencyStrategy.StrategyName, (c, o) => new AdaptiveConsistencyStrategy(c, o));
        registry.Add<ResampleUntilAcceptedOptions>(ResampleUntilAcceptedStrategy.StrategyName, (c, o) => new ResampleUntilAcceptedStrategy(c, o));
        registry.Add<ComputeOptimalOptions>(ComputeOptimalStrategy.StrategyName, (c, o) => new ComputeOptimalStrategy(c, o));
        return registry;
    }

    /// <summary>The registered names, in registration order.</summary>
    public IReadOnlyList<string> Names => _strategies.Keys.ToArray();

    /// <summary>Registers <paramref name="name"/>, built by <paramref name="create"/> from a context and options (null = defaults).</summary>
    /// <exception cref="ArgumentException">The name is empty or already registered.</exception>
    public void Add<TOptions>(string name, Func<StrategyContext, TOptions?, IStrategy> create) where TOptions : StrategyOptions
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(create);
        if (!_strategies.TryAdd(name, new Registration(typeof(TOptions), (c, o) => create(c, (TOptions?)o))))
            throw new ArgumentException($"strategy {name} is already registered");
    }

    /// <summary>The options type of <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No strategy has that name.</exception>
    public Type OptionsType(string name) => Find(name).OptionsType;

    /// <summary>Builds <paramref name="name"/> over <paramref name="context"/> with <paramref name="options"/> (null = defaults).</summary>
    /// <exception cref="ArgumentException">No strategy has that name, the options are of another strategy's type, or they are invalid.</exception>
    public IStrategy Create(string name, StrategyContext context, StrategyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var registration = Find(name);
        if (options is not null && options.GetType() != registration.OptionsType)
            throw new ArgumentException($"strategy {name} takes {registration.OptionsType.Name}, not {options.GetType().Name}");
        return registration.Create(context, options);
    }

    /// <summary>Builds <paramref name="name"/> with options read from a JSON object (camelCase names, enums in kebab case such as <c>"prod"</c>, <c>"hierarchical"</c>).</summary>
    /// <exception cref="ArgumentException">No strategy has that name, or the JSON has an unknown property or an invalid value.</exception>
    public IStrategy Create(string name, StrategyContext context, JsonElement options) => Create(name, context, ParseOptions(name, options));

    /// <summary>Reads <paramref name="name"/>'s options from a JSON object as <see cref="Create(string, StrategyContext, JsonElement)"/> does.</summary>
    /// <exception cref="ArgumentException">No strategy has that name, or the JSON has an unknown property or an invalid value.</exception>
    public StrategyOptions? ParseOptions(string name, JsonElement options)
    {
        var registration = Find(name);
        try
        {
            return (StrategyOptions?)options.Deserialize(registration.OptionsType, Json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"invalid options for strategy {name}: {e.Message}", e);
        }
    }

    private Registration Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _strategies.TryGetValue(name, out var registration)
            ? registration
            : throw new ArgumentException($"unknown strategy {name}; known: {string.Join(", ", _strategies.Keys)}");
    }
}
