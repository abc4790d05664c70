// FmaPeak: measures the machine's practical FP32 fused-multiply-add peak, so benchmarks can report kernel speed as a
// fraction of what the cores deliver right now (the machine is shared; its peak moves with the other tenants' load).
//
// Each thread runs 12 independent chains of 8-lane FMAs held in registers: enough chains to cover the FMA latency
// on two pipes (latency 4–5 cycles × 2 pipes), no memory traffic. One FMA lane counts as 2 flops.
// Limits: needs AVX2 + FMA for a meaningful figure; elsewhere it times Vector256 multiply-adds that the JIT
// emulates, which is still a fair ceiling for the kernels that run there. Threads are not pinned to cores.

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ponder.Engine.Kernels;

/// <summary>Micro-benchmark of the FP32 fused-multiply-add throughput of this machine.</summary>
/// <remarks>Safe to call concurrently, though concurrent calls compete for the same cores.</remarks>
public static class FmaPeak
{
    // FMAs per chain between checks of the stop signal: the check costs nothing measurable, the overshoot < 1 ms.
    private const int StepsPerCheck = 1 << 14;
    private const int Chains = 12;

    /// <summary>
    /// Runs FMA chains on <paramref name="threads"/> threads for about <paramref name="duration"/> and returns the
    /// total rate in GFLOP/s (each FMA lane counts as two flops).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1 or
    /// <paramref name="duration"/> is not positive.</exception>
    public static double MeasureGflops(int threads, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);

        var flops = new double[threads];
        var seconds = new double[threads];
        var stop = new StopSignal();
        using var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                (flops[index], seconds[index]) = RunChains(stop);
            }) { IsBackground = true, Name = "FmaPeak" };
            workers[t].Start();
        }
        start.SignalAndWait();
        Thread.Sleep(duration);
        stop.Requested = true;
        foreach (var worker in workers) worker.Join();

        // Each thread's own rate is what its core delivered; they start and stop together to within a wake-up.
        double total = 0;
        for (int t = 0; t < threads; t++) total += flops[t] / seconds[t];
        return total / 1e9;
    }

    private sealed class StopSignal
    {
        public volatile bool Requested;
    }

    private static (double Flops, double Seconds) RunChains(StopSignal stop)
    {
        long start = Stopwatch.GetTimestamp();
        long steps = Spin(stop, out float sink);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (float.IsNaN(sink)) throw new InvalidOperationException("FMA chains diverged.");
        return ((double)steps * Chains * Vector256<float>.Count * 2, seconds);
    }

    // Runs the chains until stopped and returns the steps taken. Contains no call at all: around any call (reading
    // the clock, throwing) the JIT keeps the twelve accumulators on the stack, and the loop would time the spills.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Spin(StopSignal stop, out float sink)
    {
        // acc = acc * m + d converges to d / (1 - m) and stays there: no overflow, no denormals to slow the pipes.
        var m = Vector256.Create(0.999f);
        var d = Vector256.Create(1e-3f);
        Vector256<float> c0 = Vector256.Create(0f), c1 = Vector256.Create(1f), c2 = Vector256.Create(2f),
            c3 = Vector256.Create(3f), c4 = Vector256.Create(4f), c5 = Vector256.Create(5f),
            c6 = Vector256.Create(6f), c7 = Vector256.Create(7f), c8 = Vector256.Create(8f),
            c9 = Vector256.Create(9f), c10 = Vector256.Create(10f), c11 = Vector256.Create(11f);

        long steps = 0;
        do
        {
            for (int s = 0; s < StepsPerCheck; s++)
            {
                c0 = Vector256.FusedMultiplyAdd(c0, m, d); c1 = Vector256.FusedMultiplyAdd(c1, m, d);
                c2 = Vector256.FusedMultiplyAdd(c2, m, d); c3 = Vector256.FusedMultiplyAdd(c3, m, d);
                c4 = Vector256.FusedMultiplyAdd(c4, m, d); c5 = Vector256.FusedMultiplyAdd(c5, m, d);
                c6 = Vector256.FusedMultiplyAdd(c6, m, d); c7 = Vector256.FusedMultiplyAdd(c7, m, d);
                c8 = Vector256.FusedMultiplyAdd(c8, m, d); c9 = Vector256.FusedMultiplyAdd(c9, m, d);
                c10 = Vector256.FusedMultiplyAdd(c10, m, d); c11 = Vector256.FusedMultiplyAdd(c11, m, d);
            }
            steps += StepsPerCheck;
        } while (!stop.Requested);

        // Fold the chains into a value the caller observes, so the JIT cannot drop the loop.
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        sink = Vector256.Sum(sum);
        return steps;
    }
}
