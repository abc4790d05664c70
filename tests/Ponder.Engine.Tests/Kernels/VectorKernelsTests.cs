using Ponder.Engine.Kernels;

namespace Ponder.Engine.Tests.Kernels;

public sealed unsafe class VectorKernelsTests
{
    [Theory]
    [InlineData(8, 1, 8)]
    [InlineData(32, 17, 96)]
    [InlineData(24, 8, 24)]
    [InlineData(6, 11, 12)]
    [InlineData(64, 40, 64)]
    public void ScoresAndWeightedSumMatchNaiveLoops(int hs, int count, int stride)
    {
        var random = new Random(hs * 100 + count);
        float[] q = Random(random, hs), rows = Random(random, count * stride), weights = Random(random, count), output = Random(random, hs);
        var scores = new float[count];
        var expectedOutput = (float[])output.Clone();
        fixed (float* pq = q, pr = rows, pw = weights, po = output, ps = scores)
        {
            VectorKernels.Scores(pq, pr, stride, count, hs, 0.5f, ps);
            VectorKernels.WeightedSum(po, pr, stride, count, hs, pw);
        }
        for (int j = 0; j < count; j++)
        {
            double dot = 0;
            for (int i = 0; i < hs; i++) dot += (double)q[i] * rows[j * stride + i];
            Assert.True(Math.Abs(dot * 0.5 - scores[j]) < 1e-4, $"score {j}: {scores[j]} vs {dot * 0.5}");
        }
        for (int i = 0; i < hs; i++)
        {
            double sum = expectedOutput[i];
            for (int j = 0; j < count; j++) sum += (double)weights[j] * rows[j * stride + i];
            Assert.True(Math.Abs(sum - output[i]) < 1e-4, $"output {i}: {output[i]} vs {sum}");
        }
    }

    private static float[] Random(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
