using System.Globalization;

namespace Ponder.Strategies;

/// <summary>
/// How much a strategy may spend on one problem: a number of generations (the unit of the papers; what one generation
/// is depends on the strategy, see <see cref="StrategyResult.GenerationsUsed"/>) or a number of FLOPs (policy and
/// verifier together, from the model cards). A strategy never exceeds its budget.
/// </summary>
public sealed record Budget
{
    private Budget(int? generations, double? flops)
    {
        Generations = generations;
        Flops = flops;
    }

    /// <summary>The budget in generations, or null for a FLOP budget.</summary>
    public int? Generations { get; }

    /// <summary>The budget in FLOPs, or null for a generation budget.</summary>
    public double? Flops { get; }

    /// <summary>A budget of <paramref name="generations"/> generations.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="generations"/> is below 1.</exception>
    public static Budget OfGenerations(int generations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generations, 1);
        return new Budget(generations, null);
    }

    /// <summary>A budget of <paramref name="flops"/> FLOPs (policy plus verifier).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="flops"/> is not a finite number > 0.</exception>
    public static Budget OfFlops(double flops)
    {
        if (!(flops > 0) || !double.IsFinite(flops))
            throw new ArgumentOutOfRangeException(nameof(flops), flops, "a FLOP budget must be a finite number > 0");
        return new Budget(null, flops);
    }

    /// <summary>"16 generations" or "1.2E+012 FLOPs".</summary>
    public override string ToString() => Generations is { } n
        ? $"{n} generation{(n == 1 ? "" : "s")}"
        : string.Create(CultureInfo.InvariantCulture, $"{Flops:G3} FLOPs");
}
