// MatMul: the engine's single-precision matrix multiply, C[M,N] = (accumulate ? C : 0) + op(A)[M,K] · op(B)[K,N].
//
// Every C element is computed as ONE sequential chain of fused multiply-adds over k, starting from C (or 0):
//     acc = accumulate ? C[i,j] : 0;  for p in 0..K-1: acc = fma(opA[i,p], opB[p,j], acc)
// The fast kernel performs exactly that chain per element, only many elements at once, so Gemm is bit-identical to
// GemmReference. Consequence the engine relies on: a row of C does not depend on which other rows are in the batch
// (batched decode equals one-at-a-time decode exactly), nor on the thread count.
//
// Layout (BLIS-style, Goto's algorithm):
//   for each NC column block, for each KC slice of k:   pack op(B)[slice, block] into NR-wide panels (kc × NR each)
//     for each MC row block, for each panel, for each MR rows: micro-kernel, MR×NR accumulators in registers
// Partial sums go to C between k-slices and are reloaded for the next slice; a float store/load is exact, so
// slicing k does not change the chain. A is mostly read in place: both of its layouts give the micro-kernel cheap
// broadcasts (six row streams when A is [M,K], six adjacent floats per step when A is [K,M]); only a [K,M] A with
// long rows is packed, because its k steps alias in cache. B stored [N,K] is transposed 8×8 in registers.
// Threads split M (or N when M is short) into disjoint rectangles; k is never split.
//
// Limits: row-major contiguous operands without leading-dimension arguments; C must not overlap A or B; the fast
// path needs x64 AVX2 + FMA (elsewhere Gemm runs the reference). Small m is bound by packing B (which is redone on
// every call) and by the 6-row tile: m = 1 runs at a few percent of peak; batch rows where possible.

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Engine.Kernels;

/// <summary>Single-precision GEMM whose fast path is bit-identical to a sequential-FMA reference.</summary>
/// <remarks>All methods are safe to call concurrently; each thread uses its own packing buffer.</remarks>
public static class MatMul
{
    // Micro-tile: 6 rows × 16 columns = 12 ymm accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers.
    private const int MR = 6;
    private const int NR = 16;
    // A kc × NR panel of B (16 KiB) stays in L1 while the MC × KC block of A (96 KiB) is re-read from L2.
    private const int KC = 256;
    private const int MC = 96;
    // Bounds the packed B block (KC × NC floats = 2 MiB) for very wide outputs.
    private const int NC = 2048;
    // A stored [K,M] is packed from this m up; below, the packing costs more than the strided reads (measured).
    private const int TransposedAPackingRows = 512;
    // Below this many multiply-adds, Parallel.For's fork/join costs more than it saves.
    private const long ParallelThreshold = 1L << 18;

    private static int maxThreads = Environment.ProcessorCount;

    [ThreadStatic]
    private static float[]? packBuffer;

    /// <summary>Most threads one <see cref="Gemm"/> call uses; defaults to <see cref="Environment.ProcessorCount"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxThreads
    {
        get => maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            maxThreads = value;
        }
    }

    /// <summary>
    /// Computes C[M,N] = (accumulate ? C : 0) + op(A)[M,K] · op(B)[K,N] with all operands row-major and contiguous.
    /// A is stored [M,K] when <paramref name="transA"/> is false and [K,M] when true; B is stored [K,N] when
    /// <paramref name="transB"/> is false and [N,K] when true. The result is bit-identical to
    /// <see cref="GemmReference"/> for any thread count.
    /// </summary>
    /// <remarks>
    /// <paramref name="c"/> must not overlap <paramref name="a"/> or <paramref name="b"/>. Products of at least
    /// 2^18 multiply-adds run on up to <see cref="MaxThreads"/> threads. Each thread keeps a packing buffer of up to
    /// about 2 MiB for its lifetime; nothing is allocated per call except the parallel loop's bookkeeping.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    public static unsafe void Gemm(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        Validate(m, n, k, a, b, c);
        if (!Fma.IsSupported || !Avx2.IsSupported)
        {
            GemmReference(transA, transB, m, n, k, a, b, c, accumulate);
            return;
        }
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
            Dispatch(new Problem(transA, transB, m, n, k, pa, pb, pc, accumulate, null));
    }

    /// <summary>
    /// Packs op(B)[K,N] once into the micro-kernel's panel layout, for a B that is multiplied many times (inference
    /// weights): <see cref="Gemm(bool, int, ReadOnlySpan{float}, PackedMatrix, Span{float}, bool)"/> then skips the
    /// per-call packing. B is stored [K,N] when <paramref name="transB"/> is false and [N,K] when true.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="b"/> is shorter than its matrix.</exception>
    public static unsafe PackedMatrix Pack(bool transB, int k, int n, ReadOnlySpan<float> b)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (b.Length < (long)k * n)
            throw new ArgumentException($"B needs k*n = {k}*{n} = {(long)k * n} floats but has {b.Length}.", nameof(b));
        int paddedN = (n + NR - 1) / NR * NR;
        var data = new float[(long)paddedN * k];
        fixed (float* pb = b, packed = data)
            for (int pc = 0; pc < k; pc += KC)
                PackB(transB, n, k, pb, pc, Math.Min(KC, k - pc), 0, n, packed + (nint)pc * paddedN);
        return new PackedMatrix(k, n, paddedN, data);
    }

    /// <summary>
    /// <see cref="Gemm(bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/> with
    /// a B packed by <see cref="Pack"/>: C[M,N] = (accumulate ? C : 0) + op(A)[M,K] · B[K,N], bit-identical to the
    /// unpacked call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    public static unsafe void Gemm(bool transA, int m, ReadOnlySpan<float> a, PackedMatrix b, Span<float> c, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = b.Columns, k = b.Rows;
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (a.Length < (long)m * k)
            throw new ArgumentException($"A needs m*k = {m}*{k} = {(long)m * k} floats but has {a.Length}.", nameof(a));
        if (c.Length < (long)m * n)
            throw new ArgumentException($"C needs m*n = {m}*{n} = {(long)m * n} floats but has {c.Length}.", nameof(c));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }
        if (!Fma.IsSupported || !Avx2.IsSupported)
            throw new PlatformNotSupportedException("packed GEMM needs AVX2 and FMA; use the unpacked overload");
        fixed (float* pa = a, pb = b.Data, pc = c)
            Dispatch(new Problem(transA, false, m, n, k, pa, null, pc, accumulate, pb));
    }

    private static unsafe void Dispatch(Problem problem)
    {
        int m = problem.M, n = problem.N, k = problem.K;
        int threads = (long)m * n * k < ParallelThreshold ? 1 : Math.Min(maxThreads, threadLimit == 0 ? int.MaxValue : threadLimit);
        int rowTiles = (m + MR - 1) / MR, colPanels = (n + NR - 1) / NR;
        // Split the dimension with more units, for the better balance. Splitting columns also splits the packing
        // of B; splitting rows makes every thread pack all of B, which is small next to many rows' work.
        bool splitRows = rowTiles >= colPanels;
        threads = Math.Min(threads, splitRows ? rowTiles : colPanels);
        if (threads <= 1)
        {
            problem.Run(0, m, 0, n);
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            if (splitRows)
            {
                int i0 = (int)((long)rowTiles * t / threads) * MR, i1 = (int)((long)rowTiles * (t + 1) / threads) * MR;
                problem.Run(i0, Math.Min(i1, m), 0, n);
            }
            else
            {
                int j0 = (int)((long)colPanels * t / threads) * NR, j1 = (int)((long)colPanels * (t + 1) / threads) * NR;
                problem.Run(0, m, j0, Math.Min(j1, n));
            }
        });
    }

    [ThreadStatic]
    private static int threadLimit;

    /// <summary>
    /// Caps the threads of GEMMs called from the current thread until the returned scope is disposed — for callers that
    /// already run several GEMMs in parallel (nested parallel loops only add synchronisation).
    /// </summary>
    public static ThreadLimitScope LimitThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var scope = new ThreadLimitScope(threadLimit);
        threadLimit = threads;
        return scope;
    }

    /// <summary>Restores the previous thread cap of the current thread on dispose.</summary>
    public readonly struct ThreadLimitScope(int previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => threadLimit = previous;
    }

    /// <summary>
    /// Naive reference for <see cref="Gemm"/>: each C element is one sequential fused-multiply-add chain over k,
    /// starting from C when <paramref name="accumulate"/> is true and from 0 otherwise.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    public static void GemmReference(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        Validate(m, n, k, a, b, c);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float acc = accumulate ? c[i * n + j] : 0f;
                for (int p = 0; p < k; p++)
                {
                    float x = transA ? a[p * m + i] : a[i * k + p];
                    float y = transB ? b[j * k + p] : b[p * n + j];
                    acc = MathF.FusedMultiplyAdd(x, y, acc);
                }
                c[i * n + j] = acc;
            }
        }
    }

    private static void Validate(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (a.Length < (long)m * k)
            throw new ArgumentException($"A needs m*k = {m}*{k} = {(long)m * k} floats but has {a.Length}.", nameof(a));
        if (b.Length < (long)k * n)
            throw new ArgumentException($"B needs k*n = {k}*{n} = {(long)k * n} floats but has {b.Length}.", nameof(b));
        if (c.Length < (long)m * n)
            throw new ArgumentException($"C needs m*n = {m}*{n} = {(long)m * n} floats but has {c.Length}.", nameof(c));
    }

    // One Gemm call's operands, pinned by the caller for the call's duration; Run computes a rectangle of C.
    private readonly unsafe struct Problem(bool transA, bool transB, int m, int n, int k,
        float* a, float* b, float* c, bool accumulate, float* prepacked)
    {
        public int M => m;
        public int N => n;
        public int K => k;
        // Row stride of a pre-packed B: each k-slice holds all panels of all columns (see Pack).
        private readonly nint paddedN = (n + NR - 1) / NR * NR;

        // A stored [K,M] with a long row (m >= TransposedAPackingRows) is read at a stride of m floats per k step; at
        // the usual power-of-two m every one of those reads falls in the same cache set, so such an A is packed.
        // Otherwise A is read in place: op(A)[i,p] = a[i * aRowStride + p * aColStride], or, packed,
        // tile[p * MR + r] (aRowStride = 1, aColStride = MR).
        private readonly bool packA = transA && m >= TransposedAPackingRows;
        private readonly nint aRowStride = transA ? 1 : k;
        private readonly nint aColStride = !transA ? 1 : m >= TransposedAPackingRows ? MR : m;

        // C[i0..i1, j0..j1]; threads call it on disjoint rectangles.
        public void Run(int i0, int i1, int j0, int j1)
        {
            float* tile = stackalloc float[MR * NR];
            int panelsMax = (Math.Min(NC, j1 - j0) + NR - 1) / NR;
            int kcMax = Math.Min(KC, k);
            int packedBLength = prepacked is null ? kcMax * panelsMax * NR : 0;
            float[] buffer = PackBuffer(packedBLength + (packA ? MC * kcMax : 0));
            fixed (float* packed = buffer)
            {
                for (int jc = j0; jc < j1; jc += NC)
                {
                    int nc = Math.Min(NC, j1 - jc);
                    for (int pc = 0; pc < k; pc += KC)
                    {
                        int kc = Math.Min(KC, k - pc);
                        float* block = prepacked is null ? packed : prepacked + pc * paddedN + (nint)jc * kc;
                        if (prepacked is null) PackB(transB, n, k, b, pc, kc, jc, nc, packed);
                        bool loadC = accumulate || pc > 0;
                        for (int ic = i0; ic < i1; ic += MC)
                        {
                            int mc = Math.Min(MC, i1 - ic);
                            float* packedA = packed + packedBLength;
                            if (packA) PackTransposedA(m, a, ic, mc, pc, kc, packedA);
                            for (int jr = 0; jr < nc; jr += NR)
                            {
                                int nr = Math.Min(NR, nc - jr);
                                float* panel = block + (nint)jr * kc;
                                for (int ir = 0; ir < mc; ir += MR)
                                {
                                    int mr = Math.Min(MR, mc - ir);
                                    nint i = ic + ir, j = jc + jr;
                                    float* ap = packA ? packedA + (nint)ir * kc : a + i * aRowStride + pc * aColStride;
                                    float* cp = c + i * n + j;
                                    if (mr == MR && nr == NR)
                                    {
                                        Kernel(kc, ap, aRowStride, aColStride, MR, panel, cp, n, loadC);
                                        continue;
                                    }
                                    // Edge tile: run the full kernel on a scratch tile (missing rows repeat the
                                    // last row, missing columns are zero padding) and keep only the valid part.
                                    if (loadC) CopyTile(cp, n, tile, NR, mr, nr);
                                    Kernel(kc, ap, aRowStride, aColStride, mr, panel, tile, NR, loadC);
                                    CopyTile(tile, NR, cp, n, mr, nr);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // Packs op(A)[ic..ic+mc, pc..pc+kc] of a transposed A (stored [K,M]) into MR-row tiles, tile t = [kc][MR] at
    // packed + t*MR*kc, so the micro-kernel reads A as one contiguous stream. Rows past mc in the last tile are left
    // unset: the kernel repeats the last valid row instead.
    private static unsafe void PackTransposedA(int m, float* a, int ic, int mc, int pc, int kc, float* packed)
    {
        // op(A)[i, p] = a[p*m + i]: each tile row is 6 adjacent floats of A's row p. Walk A's rows in order (each
        // read once, contiguously) rather than tile by tile, which would stride by m and thrash the caches.
        for (int p = 0; p < kc; p++)
        {
            float* src = a + (nint)(pc + p) * m + ic;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mr = Math.Min(MR, mc - ir);
                float* dst = packed + (nint)ir * kc + p * MR;
                // An 8-wide copy writes 2 floats into the tile's slot for p + 1, rewritten on the next pass;
                // the last p has no next pass, and the last rows of A have no 8 floats to read.
                if (mr == MR && p + 1 < kc && ic + ir + 8 <= m)
                    Avx.Store(dst, Avx.LoadVector256(src + ir));
                else
                    for (int r = 0; r < mr; r++) dst[r] = src[ir + r];
            }
        }
    }

    private static float[] PackBuffer(int length)
    {
        if (packBuffer is null || packBuffer.Length < length) packBuffer = new float[length];
        return packBuffer;
    }

    // Packs op(B)[pc..pc+kc, jc..jc+nc] into ceil(nc/NR) panels, panel q = [kc][NR] holding columns jc+q*NR..,
    // zero-padded past nc, so the micro-kernel reads B as one contiguous stream.
    private static unsafe void PackB(bool transB, int n, int k, float* b, int pc, int kc, int jc, int nc, float* packed)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* panel = packed + (nint)jr * kc;
            if (!transB)
            {
                // op(B)[p, j] = b[p*n + j]: each panel row is a contiguous run of B's row p.
                float* src = b + (nint)pc * n + jc + jr;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++, src += n, panel += NR)
                    {
                        Avx.Store(panel, Avx.LoadVector256(src));
                        Avx.Store(panel + 8, Avx.LoadVector256(src + 8));
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += n, panel += NR)
                    {
                        for (int jj = 0; jj < nr; jj++) panel[jj] = src[jj];
                        for (int jj = nr; jj < NR; jj++) panel[jj] = 0f;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = b[j*k + p]: a transpose, done 8×8 in registers for each half of the panel.
                for (int half = 0; half < NR; half += 8)
                {
                    int cols = Math.Clamp(nr - half, 0, 8);
                    float* src = b + (nint)(jc + jr + half) * k + pc;
                    float* dst = panel + half;
                    int p = 0;
                    if (cols == 8)
                        for (; p + 8 <= kc; p += 8) Transpose8x8(src + p, k, dst + p * NR, NR);
                    for (; p < kc; p++)
                        for (int col = 0; col < 8; col++)
                            dst[p * NR + col] = col < cols ? src[(nint)col * k + p] : 0f;
                }
            }
        }
    }

    // dst[q*dstStride + r] = src[r*srcStride + q] for r, q in 0..7.
    private static unsafe void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + srcStride),
            r2 = Avx.LoadVector256(src + 2 * srcStride), r3 = Avx.LoadVector256(src + 3 * srcStride),
            r4 = Avx.LoadVector256(src + 4 * srcStride), r5 = Avx.LoadVector256(src + 5 * srcStride),
            r6 = Avx.LoadVector256(src + 6 * srcStride), r7 = Avx.LoadVector256(src + 7 * srcStride);
        // Interleave pairs of rows, then pairs of pairs (within 128-bit lanes), then swap the lanes' halves.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1),
            t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3),
            t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5),
            t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE),
            s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE),
            s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE),
            s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    private static unsafe void CopyTile(float* src, nint srcStride, float* dst, nint dstStride, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            for (int col = 0; col < cols; col++)
                dst[r * dstStride + col] = src[r * srcStride + col];
    }

    // C[0..5, 0..15] = (loadC ? C : 0) + Σ_p a(r,p) · panel[p, 0..15], p ascending, one FMA per step per element.
    // a(r,p) = a[r*rowStride + p*colStride]; rows < MR repeats the last row so no read goes past A.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel(int kc, float* a, nint rowStride, nint colStride, int rows,
        float* panel, float* c, nint ldc, bool loadC)
    {
        float* a0 = a;
        float* a1 = rows > 1 ? a0 + rowStride : a0;
        float* a2 = rows > 2 ? a1 + rowStride : a1;
        float* a3 = rows > 3 ? a2 + rowStride : a2;
        float* a4 = rows > 4 ? a3 + rowStride : a3;
        float* a5 = rows > 5 ? a4 + rowStride : a4;

        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (loadC)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8);
            c10 = Avx.LoadVector256(c + ldc); c11 = Avx.LoadVector256(c + ldc + 8);
            c20 = Avx.LoadVector256(c + 2 * ldc); c21 = Avx.LoadVector256(c + 2 * ldc + 8);
            c30 = Avx.LoadVector256(c + 3 * ldc); c31 = Avx.LoadVector256(c + 3 * ldc + 8);
            c40 = Avx.LoadVector256(c + 4 * ldc); c41 = Avx.LoadVector256(c + 4 * ldc + 8);
            c50 = Avx.LoadVector256(c + 5 * ldc); c51 = Avx.LoadVector256(c + 5 * ldc + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        nint off = 0;
        for (int p = 0; p < kc; p++, off += colStride, panel += NR)
        {
            Vector256<float> b0 = Avx.LoadVector256(panel), b1 = Avx.LoadVector256(panel + 8);
            Vector256<float> x = Avx.BroadcastScalarToVector256(a0 + off);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Avx.BroadcastScalarToVector256(a1 + off);
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Avx.BroadcastScalarToVector256(a2 + off);
            c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Avx.BroadcastScalarToVector256(a3 + off);
            c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Avx.BroadcastScalarToVector256(a4 + off);
            c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Avx.BroadcastScalarToVector256(a5 + off);
            c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
        }

        Avx.Store(c, c00); Avx.Store(c + 8, c01);
        Avx.Store(c + ldc, c10); Avx.Store(c + ldc + 8, c11);
        Avx.Store(c + 2 * ldc, c20); Avx.Store(c + 2 * ldc + 8, c21);
        Avx.Store(c + 3 * ldc, c30); Avx.Store(c + 3 * ldc + 8, c31);
        Avx.Store(c + 4 * ldc, c40); Avx.Store(c + 4 * ldc + 8, c41);
        Avx.Store(c + 5 * ldc, c50); Avx.Store(c + 5 * ldc + 8, c51);
    }
}

/// <summary>A matrix B[K,N] packed once by <see cref="MatMul.Pack"/> for repeated products. Immutable, thread-safe.</summary>
public sealed class PackedMatrix
{
    internal PackedMatrix(int rows, int columns, int paddedColumns, float[] data)
    {
        Rows = rows;
        Columns = columns;
        PaddedColumns = paddedColumns;
        Data = data;
    }

    /// <summary>K.</summary>
    public int Rows { get; }
    /// <summary>N.</summary>
    public int Columns { get; }
    internal int PaddedColumns { get; }
    internal float[] Data { get; }
}
