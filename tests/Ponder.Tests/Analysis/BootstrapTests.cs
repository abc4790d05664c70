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

    [Fact]
    public void TheIntervalEndsSitAtTheirQuantilesAlike()
    {
        // Ten resamples whose statistic is 0, 1, …, 9: the 10% and 90% quantiles are 0.9 and 8.1, one as far from the
        // smallest value as the other from the largest; flooring both positions gave 0 and 8.
        int next = 0;
        var interval = Bootstrap.Percentiles(4, seed: 1, resamples: 10, confidence: 0.8, _ => next++);
        Assert.Equal(0.9, interval!.Value.Low, 12);
        Assert.Equal(8.1, interval.Value.High, 12);
        // A resample whose statistic is infinite (a law that never reaches its target) keeps the end it reaches infinite.
        int draw = 0;
        Assert.Equal((1.0, double.PositiveInfinity), Bootstrap.Percentiles(4, seed: 1, resamples: 5, confidence: 0.5, _ => draw++ < 2 ? 1.0 : double.PositiveInfinity));
    }
}
