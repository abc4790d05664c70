namespace Ponder.Compute;

/// <summary>
/// The record of every generator and scorer call of one piece of work (typically one strategy run on one problem).
/// </summary>
/// <remarks>Thread-safe: concurrent calls may reserve call indices and add records at once. Records are listed in the
/// order their calls started, which is deterministic when calls are started in a deterministic order, whatever order
/// they finish in.</remarks>
public sealed class ComputeLedger
{
    private readonly object _gate = new();
    private readonly List<ComputeRecord> _records = [];
    private long _nextCallIndex;

    /// <summary>Reserves the index of a call that is starting (0, 1, 2, …).</summary>
    public long NextCallIndex() => Interlocked.Increment(ref _nextCallIndex) - 1;

    /// <summary>Appends the record of a finished call.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    /// <exception cref="ArgumentException">A sequence's token counts are inconsistent.</exception>
    public void Add(ComputeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Sequences);
        foreach (var s in record.Sequences) s.Validate();
        lock (_gate) _records.Add(record);
    }

    /// <summary>A snapshot of the records, in the order their calls started.</summary>
    public IReadOnlyList<ComputeRecord> Records
    {
        get
        {
            lock (_gate) return _records.OrderBy(r => r.CallIndex).ToArray();
        }
    }

    /// <summary>FLOPs recorded so far (policy and verifier); null when a call's model card was unknown.</summary>
    public double? TotalFlops
    {
        get
        {
            lock (_gate)
            {
                double? total = 0;
                foreach (var r in _records) total += r.TotalFlops;
                return total;
            }
        }
    }

    /// <summary>Totals per role, with idealized runtime on <paramref name="hardware"/> and money from <paramref name="prices"/> when given.</summary>
    public ComputeTotals Totals(HardwareProfile? hardware = null, PriceTable? prices = null) =>
        ComputeTotals.From(Records, hardware, prices);
}
