using Ponder.Engine.Kernels;

namespace Ponder.Engine.Tests.Kernels;

public class FmaPeakTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ReturnsAPositiveFiniteRate(int threads)
    {
        double gflops = FmaPeak.MeasureGflops(threads, TimeSpan.FromMilliseconds(20));
        Assert.True(double.IsFinite(gflops) && gflops > 0, $"got {gflops}");
    }

    [Fact]
    public void RejectsInvalidArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaPeak.MeasureGflops(0, TimeSpan.FromMilliseconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaPeak.MeasureGflops(1, TimeSpan.Zero));
    }
}
