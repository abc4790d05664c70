using Ponder.Analysis;

namespace Ponder.Tests.Analysis;

public sealed class BootstrapTests
{
    [Fact]
    public void TheIntervalHoldsTheMeanAndIsReproducible()
    {
        double[] values = Enumerable.Range(0, 50).Select(i => i % 3 == 0 ? 1.0 : 0.0).ToArray();
        var interval = Bootstrap.Mean(values, seed: 3);
        Assert.Equal(values.Average(), interval.Estimate, 12);
        Assert.InRange(interval.Estimate, interval.Low, interval.High);
        Assert.True(interval.High - interval.Low is > 0.1 and < 0.4, $"a 95% interval of a proportion near 1/3 over 50 problems, got {interval}");
        Assert.Equal(interval, Bootstrap.Mean(values, seed: 3));
    }

    [Fact]
    public void ConstantValuesHaveAPointInterval() =>
        Assert.Equal(new Interval(0.5, 0.5, 0.5), Bootstrap.Mean([0.5, 0.5, 0.5], seed: 1));

    [Fact]
    public void UndefinedResamplesAreLeftOutAndAllUndefinedIsNull()
    {
        Assert.Null(Bootstrap.Percentiles(5, 1, 100, 0.95, _ => null));
        var half = Bootstrap.Percentiles(5, 1, 100, 0.95, indices => indices[0] % 2 == 0 ? 1.0 : null);
        Assert.Equal((1.0, 1.0), half);
        Assert.Throws<ArgumentException>(() => Bootstrap.Mean([], 1));
    }
}
