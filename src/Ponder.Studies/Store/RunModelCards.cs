// The model cards of a run, kept in its store's metadata beside run_config. A pool strategy's row holds only the mean
// cost over random subsets of the pool; to price another use of the pool exactly (the compute-optimal policy's pilot,
// whose samples the chosen configuration reuses), the analysis needs the cards the sweep priced calls with.

using System.Text.Json;
using Ponder.Generation;

namespace Ponder.Studies.Store;

/// <summary>The cards of a run's policy and verifier (PRM); null where a model has none (remote models) or is absent.</summary>
/// <param name="Policy">The policy's card.</param>
/// <param name="Verifier">The step scorer's (PRM's) card.</param>
public sealed record RunModelCards(ModelCard? Policy, ModelCard? Verifier)
{
    /// <summary>The store metadata key.</summary>
    public const string MetaKey = "model_cards";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records the cards in <paramref name="store"/>'s metadata.</summary>
    public void Save(SampleStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.SetMeta(MetaKey, JsonSerializer.Serialize(this, Json));
    }

    /// <summary>The cards recorded in <paramref name="store"/>, or null for a store written before runs recorded them.</summary>
    /// <exception cref="InvalidDataException">The recorded cards are malformed.</exception>
    public static RunModelCards? Load(SampleStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.GetMeta(MetaKey) is not { } json) return null;
        try { return JsonSerializer.Deserialize<RunModelCards>(json, Json); }
        catch (JsonException e) { throw new InvalidDataException($"{store.Path}: the recorded model cards are malformed: {e.Message}", e); }
    }
}
