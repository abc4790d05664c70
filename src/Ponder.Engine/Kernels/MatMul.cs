namespace Ponder.Engine.Kernels;

// Temporary reference-only version; replaced by the optimised kernel from the `kernels` branch.
public static class MatMul
{
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    public static void Gemm(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        => GemmReference(transA, transB, m, n, k, a, b, c, accumulate);

    public static void GemmReference(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float acc = accumulate ? c[i * n + j] : 0f;
                for (int p = 0; p < k; p++)
                    acc = MathF.FusedMultiplyAdd(transA ? a[p * m + i] : a[i * k + p], transB ? b[j * k + p] : b[p * n + j], acc);
                c[i * n + j] = acc;
            }
    }
}
