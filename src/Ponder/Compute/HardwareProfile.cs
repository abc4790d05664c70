namespace Ponder.Compute;

/// <summary>
/// The figures an idealized runtime needs about a machine: peak FLOP/s, memory bandwidth and the bytes of a stored
/// weight and of a stored key/value element. See <see cref="IdealizedRuntime"/>.
/// </summary>
/// <param name="Name">Short name, e.g. <c>h100-sxm</c>.</param>
/// <param name="PeakFlopsPerSecond">Peak dense FLOP/s at the precision the weights are used in.</param>
/// <param name="MemoryBytesPerSecond">Peak memory bandwidth in bytes per second.</param>
/// <param name="BytesPerWeight">Bytes of one stored weight (4 for FP32, 2 for FP16/BF16, about 1.06 for Q8_0).</param>
/// <param name="BytesPerCacheValue">Bytes of one stored key or value element in the KV cache.</param>
/// <param name="Source">Where the figures come from.</param>
public sealed record HardwareProfile(
    string Name,
    double PeakFlopsPerSecond,
    double MemoryBytesPerSecond,
    double BytesPerWeight,
    double BytesPerCacheValue,
    string Source)
{
    /// <summary>
    /// This project's machine: 2 cores of an AMD EPYC (Zen 3) with AVX2 and FMA running the FP32 engine. Peak = 2 cores ×
    /// 2 FMA pipes × 8 FP32 lanes × 2 FLOPs × about 3.1 GHz ≈ 100 GFLOP/s per core, matching the engine's FMA benchmark
    /// (DESIGN §3). The bandwidth, 20 GB/s, is an assumption for two cores' share of a shared server's DDR4, not a measurement.
    /// </summary>
    public static HardwareProfile Cpu2CoreAvx2 { get; } = new(
        "cpu-2core-avx2", 200e9, 20e9, 4, 4,
        "2 × ~100 GFLOP/s FP32 FMA peak per Zen 3 core (measured by the engine's FMA benchmark); 20 GB/s assumed");

    /// <summary>NVIDIA A100 SXM4 80 GB: 312 TFLOP/s dense BF16 tensor cores, 2,039 GB/s HBM2e (NVIDIA A100 datasheet); BF16 weights and cache.</summary>
    public static HardwareProfile A100 { get; } = new(
        "a100-sxm", 312e12, 2.039e12, 2, 2, "NVIDIA A100 datasheet: 312 TFLOP/s dense BF16, 2,039 GB/s (80 GB SXM)");

    /// <summary>NVIDIA H100 SXM5 80 GB: 989 TFLOP/s dense BF16 tensor cores (1,979 with sparsity), 3.35 TB/s HBM3 (NVIDIA H100 datasheet); BF16 weights and cache.</summary>
    public static HardwareProfile H100 { get; } = new(
        "h100-sxm", 989.4e12, 3.35e12, 2, 2, "NVIDIA H100 datasheet: 989 TFLOP/s dense BF16 (SXM), 3.35 TB/s");

    /// <summary>NVIDIA GeForce RTX 4090: 165.2 TFLOP/s dense FP16 tensor with FP32 accumulate, 1,008 GB/s GDDR6X (NVIDIA Ada Lovelace whitepaper); FP16 weights and cache.</summary>
    public static HardwareProfile Rtx4090 { get; } = new(
        "rtx-4090", 165.2e12, 1.008e12, 2, 2, "NVIDIA Ada Lovelace whitepaper: 165.2 TFLOP/s dense FP16 (FP32 accumulate), 1,008 GB/s");

    /// <summary>The shipped profiles.</summary>
    public static IReadOnlyList<HardwareProfile> Builtin { get; } = [Cpu2CoreAvx2, A100, H100, Rtx4090];

    /// <summary>The shipped profile named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static HardwareProfile? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Builtin.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless every figure is finite and positive.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Name);
        foreach (var (value, what) in new[] { (PeakFlopsPerSecond, "peak FLOP/s"), (MemoryBytesPerSecond, "memory bandwidth"), (BytesPerWeight, "bytes per weight"), (BytesPerCacheValue, "bytes per cache value") })
            if (!(value > 0) || !double.IsFinite(value))
                throw new ArgumentException($"{what} must be a finite number > 0: profile {Name}, got {value}");
    }
}
