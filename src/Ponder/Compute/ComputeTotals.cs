namespace Ponder.Compute;

/// <summary>The compute of one role (policy or verifier) summed over its calls.</summary>
/// <param name="Calls">Calls made.</param>
/// <param name="Sequences">Sequences over all calls (continuations, or one per scorer call).</param>
/// <param name="PromptTokens">Prompt tokens, cached ones included.</param>
/// <param name="CachedPromptTokens">Prompt tokens served from a cache.</param>
/// <param name="GeneratedTokens">Generated tokens.</param>
/// <param name="PrefillFlops">FLOPs of uncached prompt tokens; null when some call's model card was unknown.</param>
/// <param name="DecodeFlops">FLOPs of generated tokens; null when some call's model card was unknown.</param>
/// <param name="WallTime">Measured wall time summed over calls (calls that overlapped each count in full).</param>
/// <param name="IdealizedSeconds">Idealized runtime on the hardware profile asked for; null without one or with unknown FLOPs.</param>
/// <param name="CostUsd">Money at the prices asked for, summed over priced models; null when no call's model is priced.</param>
public sealed record RoleTotals(
    int Calls,
    long Sequences,
    long PromptTokens,
    long CachedPromptTokens,
    long GeneratedTokens,
    double? PrefillFlops,
    double? DecodeFlops,
    TimeSpan WallTime,
    double? IdealizedSeconds,
    double? CostUsd)
{
    /// <summary>No calls.</summary>
    public static RoleTotals Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, TimeSpan.Zero, null, null);

    /// <summary>Prompt tokens actually computed (not served from cache).</summary>
    public long ComputedPromptTokens => PromptTokens - CachedPromptTokens;

    /// <summary>Prompt plus generated tokens, cached prompt tokens included.</summary>
    public long TotalTokens => PromptTokens + GeneratedTokens;

    /// <summary>Prefill plus decode FLOPs; null when unknown.</summary>
    public double? Flops => PrefillFlops + DecodeFlops;

    /// <summary>Sums <paramref name="records"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    public static RoleTotals Sum(IEnumerable<ComputeRecord> records, HardwareProfile? hardware = null, PriceTable? prices = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        int calls = 0;
        long sequences = 0, prompt = 0, cached = 0, generated = 0;
        var prefill = new List<double?>();
        var decode = new List<double?>();
        var idealized = new List<double?>();
        var cost = new List<double>();
        var wall = TimeSpan.Zero;
        foreach (var r in records)
        {
            calls++;
            sequences += r.Sequences.Count;
            prompt += r.PromptTokens;
            cached += r.CachedPromptTokens;
            generated += r.GeneratedTokens;
            prefill.Add(r.PrefillFlops);
            decode.Add(r.DecodeFlops);
            wall += r.WallTime;
            if (hardware is not null) idealized.Add(IdealizedRuntime.Seconds(r, hardware));
            if (prices?.Find(r.Model) is { } price) cost.Add(price.Cost(r));
        }
        return new RoleTotals(calls, sequences, prompt, cached, generated, OrderFreeSum(prefill), OrderFreeSum(decode), wall,
            hardware is null ? null : OrderFreeSum(idealized), cost.Count == 0 ? null : OrderFreeSum(cost));
    }

    // Calls made concurrently reach the ledger in any order; summing sorted values makes the total independent of it,
    // so a resumed sweep reproduces an uninterrupted one bit for bit. Null (unknown FLOPs) anywhere makes the sum null.
    private static double? OrderFreeSum(List<double?> values) =>
        values.Any(v => v is null) ? null : OrderFreeSum(values.Select(v => v!.Value).ToList());

    private static double OrderFreeSum(List<double> values)
    {
        values.Sort();
        double sum = 0;
        foreach (double v in values) sum += v;
        return sum;
    }
}

/// <summary>Compute of a piece of work: policy and verifier separately, and their sums.</summary>
/// <param name="Policy">The generator's calls.</param>
/// <param name="Verifier">The scorers' calls.</param>
public sealed record ComputeTotals(RoleTotals Policy, RoleTotals Verifier)
{
    /// <summary>No calls.</summary>
    public static ComputeTotals Empty { get; } = new(RoleTotals.Empty, RoleTotals.Empty);

    /// <summary>Policy plus verifier FLOPs; null when either is unknown.</summary>
    public double? Flops => Policy.Flops + Verifier.Flops;

    /// <summary>Policy plus verifier tokens (prompt, cached included, and generated).</summary>
    public long TotalTokens => Policy.TotalTokens + Verifier.TotalTokens;

    /// <summary>Policy plus verifier idealized runtime; null when either is unknown.</summary>
    public double? IdealizedSeconds => Policy.IdealizedSeconds + Verifier.IdealizedSeconds;

    /// <summary>Policy plus verifier money; null when neither is priced.</summary>
    public double? CostUsd => Policy.CostUsd is null && Verifier.CostUsd is null ? null : (Policy.CostUsd ?? 0) + (Verifier.CostUsd ?? 0);

    /// <summary>Policy plus verifier measured call time.</summary>
    public TimeSpan WallTime => Policy.WallTime + Verifier.WallTime;

    /// <summary>Sums <paramref name="records"/> per role.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    public static ComputeTotals From(IEnumerable<ComputeRecord> records, HardwareProfile? hardware = null, PriceTable? prices = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records as IReadOnlyCollection<ComputeRecord> ?? records.ToArray();
        return new ComputeTotals(
            RoleTotals.Sum(list.Where(r => r.Role == ComputeRole.Policy), hardware, prices),
            RoleTotals.Sum(list.Where(r => r.Role == ComputeRole.Verifier), hardware, prices));
    }
}
