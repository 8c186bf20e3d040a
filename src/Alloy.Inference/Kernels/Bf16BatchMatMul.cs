// The multi-row product y = x·Wᵀ for bf16 W and 2+ activation rows (batched decode, prefill): register tiles of
// 2 weight rows × 8 tokens (4 × 4/2/1 for token tails, 4 × 2/1 at 256 bits) over L1/L2-sized blocks, weights
// prefetched ahead of the tiles; not the 1-token loop (MatMul), not f32 W.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Alloy.Inference.Kernels;

/// <summary>
/// bf16 × f32 products for tokens ≥ 2. Each token's x is first split into its even and odd elements, so that a
/// 32-bit lane of a weight load (elements 2k, 2k+1) widens with one shift (even) and one mask (odd) and no cross-lane
/// shuffle. A tile keeps one f32 accumulator per (weight row, token) in registers; the 512-bit 2 × 8 tile loads
/// 2 weight vectors and 16 activation vectors per 32 columns for 32 fused multiply-adds, so each weight byte is read
/// from memory once for 8 tokens.
/// <para>Blocking (per thread, over its rows): panels of <see cref="PanelRows"/> rows × column blocks of
/// <see cref="BlockPairs"/> pairs, then token blocks of 8. A block of 8 tokens' activations (32 KB) stays in L1 while
/// the panel's rows stream past it; a panel's block of weights (≤ 256 KB) stays in L2 for the next token block. The
/// first token block of each panel block prefetches the weight rows <see cref="PrefetchRows"/> ahead: on this
/// project's AVX-512 VM the hardware prefetcher alone left the 8-row product at about half of memory bandwidth.</para>
/// <para>Results agree with the scalar twin (<see cref="MatMul.DotScalar{TFormat}"/>) to rounding: f32 sums in another
/// order (per-lane partial sums, column blocks added in y). NaN and ±Inf propagate as in any f32 sum.</para>
/// </summary>
internal static unsafe class Bf16BatchMatMul
{
    /// <summary>Chunk starts between threads are multiples of this (the 4-row tiles' height).</summary>
    private const int RowAlignment = 4;

    /// <summary>Rows per panel: with a <see cref="BlockPairs"/> column block, 128 × 2 KB = 256 KB of weights (L2).</summary>
    private const int PanelRows = 128;

    /// <summary>Pairs (2 columns) per column block: 8 tokens × 1024 columns × 4 bytes = 32 KB of activations (L1).</summary>
    private const int BlockPairs = 512;

    /// <summary>How many rows ahead of a tile the weights are prefetched.</summary>
    private const int PrefetchRows = 8;

    /// <summary>y[t, r] for t &lt; tokens, r &lt; rows; W is [rows, cols] bf16, x [tokens, cols], y [tokens, rows]. width is Vector256 or Vector512.</summary>
    internal static void Multiply(byte* weights, int rows, int cols, float* x, float* y, int tokens, VectorWidth width)
    {
        var buffer = ArrayPool<float>.Shared.Rent(MatMul.SplitLength(tokens, cols / 2));
        try
        {
            fixed (float* b = buffer)
            {
                var split = MatMul.Split(x, tokens, cols, b);
                nint w = (nint)weights, xp = (nint)x, yp = (nint)y, sp = (nint)split;
                RowParallel.For(rows, (long)cols * tokens, RowAlignment, (start, end) =>
                    Rows((byte*)w, rows, cols, (float*)xp, (float*)sp, (float*)yp, tokens, start, end, width));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Output rows [rowStart, rowEnd) for every token on one thread: the rows in whole 4-row groups go panel by panel
    /// and column block by column block through the tiles, then the scalar column tail; the last rows % 4 use the
    /// single-row dot.
    /// </summary>
    private static void Rows(byte* w, int rows, int cols, float* x, float* split, float* y, int tokens, int rowStart, int rowEnd, VectorWidth width)
    {
        var pairs = cols / 2;
        var half = MatMul.SplitHalf(pairs);
        nint rowBytes = (nint)cols * 2;
        var vectorPairs = VectorTail(pairs, width);
        var tiledEnd = rowStart + (rowEnd - rowStart) / RowAlignment * RowAlignment;
        for (var p0 = rowStart; p0 < tiledEnd; p0 += PanelRows)
        {
            var p1 = Math.Min(tiledEnd, p0 + PanelRows);
            for (var k0 = 0; k0 < vectorPairs; k0 += BlockPairs)
            {
                var k1 = Math.Min(vectorPairs, k0 + BlockPairs);
                var prefetch = new PrefetchPlan(w, rowBytes, p0, p1, k0, k1 < vectorPairs ? k1 : -1, tiledEnd);
                PanelBlock(w, rowBytes, split, 2 * half, half, y, rows, tokens, p0, p1, k0, k1, prefetch, width);
            }
            if (2 * vectorPairs < cols)
                for (var row = p0; row < p1; row += RowAlignment)
                    AddColumnTail(w + row * rowBytes, rowBytes, x, cols, 2 * vectorPairs, tokens, y + row, rows, vectorPairs > 0);
        }
        for (var row = tiledEnd; row < rowEnd; row++)
            for (var t = 0; t < tokens; t++)
            {
                var even = split + (nint)t * 2 * half;
                y[(nint)t * rows + row] = width == VectorWidth.Vector512
                    ? MatMul.DotBf16PairsVector512(w + row * rowBytes, x + (nint)t * cols, even, even + half, pairs, cols)
                    : MatMul.DotBf16PairsVector256(w + row * rowBytes, x + (nint)t * cols, even, even + half, pairs, cols);
            }
    }

    /// <summary>
    /// Rows [p0, p1) (a multiple of 4 rows) × pairs [k0, k1) for every token: sets y when k0 = 0, adds to it after.
    /// Only the first token block prefetches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PanelBlock(byte* w, nint rowBytes, float* split, nint stride, int half, float* y, int rows, int tokens,
        int p0, int p1, int k0, int k1, PrefetchPlan prefetch, VectorWidth width)
    {
        var add = k0 > 0;
        var t = 0;
        if (width == VectorWidth.Vector512)
        {
            for (; t + 8 <= tokens; t += 8)
                for (var row = p0; row < p1; row += 2)
                    Tile2x8Vector512(w + row * rowBytes, rowBytes, split + t * stride, stride, half, k0, k1, y + (nint)t * rows + row, rows, add,
                        t == 0 ? prefetch.Ahead(row) : null);
            if (t + 4 <= tokens)
            {
                for (var row = p0; row < p1; row += 4)
                    Tile4x4Vector512(w + row * rowBytes, rowBytes, split + t * stride, stride, half, k0, k1, y + (nint)t * rows + row, rows, add,
                        t == 0 ? prefetch.Ahead(row) : null);
                t += 4;
            }
            if (t + 2 <= tokens)
            {
                for (var row = p0; row < p1; row += 4)
                    Tile4x2Vector512(w + row * rowBytes, rowBytes, split + t * stride, stride, half, k0, k1, y + (nint)t * rows + row, rows, add,
                        t == 0 ? prefetch.Ahead(row) : null);
                t += 2;
            }
            if (t < tokens)
                for (var row = p0; row < p1; row += 4)
                    Tile4x1Vector512(w + row * rowBytes, rowBytes, split + t * stride, half, k0, k1, y + (nint)t * rows + row, add,
                        t == 0 ? prefetch.Ahead(row) : null);
            return;
        }
        for (; t + 2 <= tokens; t += 2)
            for (var row = p0; row < p1; row += 4)
                Tile4x2Vector256(w + row * rowBytes, rowBytes, split + t * stride, stride, half, k0, k1, y + (nint)t * rows + row, rows, add,
                    t == 0 ? prefetch.Ahead(row) : null);
        if (t < tokens)
            for (var row = p0; row < p1; row += 4)
                Tile4x1Vector256(w + row * rowBytes, rowBytes, split + t * stride, half, k0, k1, y + (nint)t * rows + row, add,
                    t == 0 ? prefetch.Ahead(row) : null);
    }

    /// <summary>
    /// Where the tile at a row of one panel block prefetches: the weights the first token block will read
    /// <see cref="PrefetchRows"/> rows later in its order (down the panel, then the panel's next column block, then the
    /// next panel's first block), as a pointer the tile offsets by 4·k bytes for its pairs k ∈ [k0, k1). Rows at or past
    /// the thread's last tiled row are not prefetched.
    /// </summary>
    private readonly struct PrefetchPlan(byte* w, nint rowBytes, int p0, int p1, int k0, int nextK0, int end)
    {
        /// <summary>The prefetch base for the tile whose first row is <paramref name="row"/>, or null.</summary>
        public byte* Ahead(int row)
        {
            var target = row + PrefetchRows;
            if (target < p1)
                return w + target * rowBytes;
            if (nextK0 >= 0)
            {
                var wrapped = p0 + target - p1;
                return wrapped + RowAlignment <= p1 ? w + wrapped * rowBytes + 4 * (nint)(nextK0 - k0) : null;
            }
            return target + RowAlignment <= end ? w + target * rowBytes - 4 * (nint)k0 : null;
        }
    }

    /// <summary>Asks for the cache line at p (x86 prefetcht0; nothing elsewhere). Never faults.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(byte* p)
    {
        if (Sse.IsSupported)
            Sse.Prefetch0(p);
    }

    /// <summary>Pairs covered by the vector loop (a multiple of the lane count).</summary>
    private static int VectorTail(int pairs, VectorWidth width) => width == VectorWidth.Vector512 ? pairs & ~15 : pairs & ~7;

    /// <summary>
    /// Columns [from, cols) of 4 weight rows for every token (scalar, in column order), added to y when
    /// <paramref name="add"/>, written otherwise (no vector columns at all).
    /// </summary>
    private static void AddColumnTail(byte* w, nint rowBytes, float* x, int cols, int from, int tokens, float* y, int stride, bool add)
    {
        for (var t = 0; t < tokens; t++)
            for (var r = 0; r < RowAlignment; r++)
            {
                var sum = 0f;
                for (var c = from; c < cols; c++)
                    sum += Bf16Format.Load(w + r * rowBytes, c) * x[(nint)t * cols + c];
                y[(nint)t * stride + r] = add ? y[(nint)t * stride + r] + sum : sum;
            }
    }

    /// <summary>
    /// 2 rows × 8 tokens over pairs [k0, k1) (multiples of 16); split rows are <paramref name="stride"/> floats apart,
    /// even then odd (odd = even + half). 16 accumulators, 2 widened weight pairs and 2 activations in zmm registers.
    /// Prefetches rows <paramref name="ahead"/> and the next one when not null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2x8Vector512(byte* w, nint rowBytes, float* s, nint stride, int half, int k0, int k1, float* y, int yStride, bool add, byte* ahead)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes);
        var mask = Vector512.Create(0xFFFF0000u);
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default, a06 = default, a07 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default, a16 = default, a17 = default;
        for (var k = k0; k < k1; k += 16)
        {
            if (ahead != null)
            {
                Prefetch(ahead + 4 * k);
                Prefetch(ahead + rowBytes + 4 * k);
            }
            var u = Vector512.Load(l0 + k);
            var we0 = Vector512.ShiftLeft(u, 16).AsSingle();
            var wo0 = (u & mask).AsSingle();
            u = Vector512.Load(l1 + k);
            var we1 = Vector512.ShiftLeft(u, 16).AsSingle();
            var wo1 = (u & mask).AsSingle();

            var e = s + k;
            var xe = Vector512.Load(e); var xo = Vector512.Load(e + half);
            a00 = Vector512.FusedMultiplyAdd(wo0, xo, Vector512.FusedMultiplyAdd(we0, xe, a00));
            a10 = Vector512.FusedMultiplyAdd(wo1, xo, Vector512.FusedMultiplyAdd(we1, xe, a10));
            e += stride; xe = Vector512.Load(e); xo = Vector512.Load(e + half);
            a01 = Vector512.FusedMultiplyAdd(wo0, xo, Vector512.FusedMultiplyAdd(we0, xe, a01));
            a11 = Vector512.FusedMultiplyAdd(wo1, xo, Vector512.FusedMultiplyAdd(we1, xe, a11));
            e += stride; xe = Vector512.Load(e); xo = Vector512.Load(e + half);
            a02 = Vector512.FusedMultiplyAdd(wo0, xo, Vector512.FusedMultiplyAdd(we0, xe, a02));
            a12 = Vector512.FusedMultiplyAdd(wo1, xo, Vector512.FusedMultiplyAdd(we1, xe, a12));
            e += stride; xe = Vector512.Load(e); xo = Vector512.Load(e + half);
            a03 = Vector512.FusedMultiplyAdd(wo0, xo, Vector512.FusedMultiplyAdd(we0, xe, a03));
            a13 = Vector512.FusedMultiplyAdd(wo1, xo, Vector512.FusedMultiplyAdd(we1, xe, a13));
            e += stride; xe = Vector512.Load(e); xo = Vector512.Load(e + half);
            a04 = Vector512.FusedMultiplyAdd(wo0, xo, Vector512.FusedMultiplyAdd(we0, xe, a04));
            a14 = Vector512.FusedMultiplyAdd(wo1, xo, Vector512.FusedMultiplyAdd(we1, xe, a14));
            e += stride; xe = Vector512.Load(e); xo = Vector512.Load(e + half);
            a05 = Vector512.FusedMultiplyAdd(wo0, xo, Vector512.FusedMultiplyAdd(we0, xe, a05));
            a15 = Vector512.FusedMultiplyAdd(wo1, xo, Vector512.FusedMultiplyAdd(we1, xe, a15));
            e += stride; xe = Vector512.Load(e); xo = Vector512.Load(e + half);
            a06 = Vector512.FusedMultiplyAdd(wo0, xo, Vector512.FusedMultiplyAdd(we0, xe, a06));
            a16 = Vector512.FusedMultiplyAdd(wo1, xo, Vector512.FusedMultiplyAdd(we1, xe, a16));
            e += stride; xe = Vector512.Load(e); xo = Vector512.Load(e + half);
            a07 = Vector512.FusedMultiplyAdd(wo0, xo, Vector512.FusedMultiplyAdd(we0, xe, a07));
            a17 = Vector512.FusedMultiplyAdd(wo1, xo, Vector512.FusedMultiplyAdd(we1, xe, a17));
        }
        Store(y, add, Vector512.Sum(a00), Vector512.Sum(a10)); y += yStride;
        Store(y, add, Vector512.Sum(a01), Vector512.Sum(a11)); y += yStride;
        Store(y, add, Vector512.Sum(a02), Vector512.Sum(a12)); y += yStride;
        Store(y, add, Vector512.Sum(a03), Vector512.Sum(a13)); y += yStride;
        Store(y, add, Vector512.Sum(a04), Vector512.Sum(a14)); y += yStride;
        Store(y, add, Vector512.Sum(a05), Vector512.Sum(a15)); y += yStride;
        Store(y, add, Vector512.Sum(a06), Vector512.Sum(a16)); y += yStride;
        Store(y, add, Vector512.Sum(a07), Vector512.Sum(a17));
    }

    /// <summary>y[0..1] = (add ? y : 0) + (r0, r1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, bool add, float r0, float r1)
    {
        y[0] = add ? y[0] + r0 : r0;
        y[1] = add ? y[1] + r1 : r1;
    }

    /// <summary>y[0..3] = (add ? y : 0) + (r0, r1, r2, r3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, bool add, float r0, float r1, float r2, float r3)
    {
        Store(y, add, r0, r1);
        Store(y + 2, add, r2, r3);
    }

    /// <summary>Prefetches one line of each of 4 rows starting at <paramref name="ahead"/>, byte offset <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch4(byte* ahead, nint rowBytes, nint offset)
    {
        Prefetch(ahead + offset);
        Prefetch(ahead + rowBytes + offset);
        Prefetch(ahead + 2 * rowBytes + offset);
        Prefetch(ahead + 3 * rowBytes + offset);
    }

    /// <summary>4 rows × 4 tokens over pairs [k0, k1) (multiples of 16): the 512-bit tail tile for 4–7 tokens left over.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4Vector512(byte* w, nint rowBytes, float* s, nint stride, int half, int k0, int k1, float* y, int yStride, bool add, byte* ahead)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        float* e0 = s, e1 = s + stride, e2 = s + 2 * stride, e3 = s + 3 * stride;
        var mask = Vector512.Create(0xFFFF0000u);
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        for (var k = k0; k < k1; k += 16)
        {
            if (ahead != null)
                Prefetch4(ahead, rowBytes, 4 * k);
            var xe0 = Vector512.Load(e0 + k); var xo0 = Vector512.Load(e0 + half + k);
            var xe1 = Vector512.Load(e1 + k); var xo1 = Vector512.Load(e1 + half + k);
            var xe2 = Vector512.Load(e2 + k); var xo2 = Vector512.Load(e2 + half + k);
            var xe3 = Vector512.Load(e3 + k); var xo3 = Vector512.Load(e3 + half + k);

            var u = Vector512.Load(l0 + k);
            var we = Vector512.ShiftLeft(u, 16).AsSingle();
            var wo = (u & mask).AsSingle();
            a00 = Vector512.FusedMultiplyAdd(wo, xo0, Vector512.FusedMultiplyAdd(we, xe0, a00));
            a01 = Vector512.FusedMultiplyAdd(wo, xo1, Vector512.FusedMultiplyAdd(we, xe1, a01));
            a02 = Vector512.FusedMultiplyAdd(wo, xo2, Vector512.FusedMultiplyAdd(we, xe2, a02));
            a03 = Vector512.FusedMultiplyAdd(wo, xo3, Vector512.FusedMultiplyAdd(we, xe3, a03));

            u = Vector512.Load(l1 + k);
            we = Vector512.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a10 = Vector512.FusedMultiplyAdd(wo, xo0, Vector512.FusedMultiplyAdd(we, xe0, a10));
            a11 = Vector512.FusedMultiplyAdd(wo, xo1, Vector512.FusedMultiplyAdd(we, xe1, a11));
            a12 = Vector512.FusedMultiplyAdd(wo, xo2, Vector512.FusedMultiplyAdd(we, xe2, a12));
            a13 = Vector512.FusedMultiplyAdd(wo, xo3, Vector512.FusedMultiplyAdd(we, xe3, a13));

            u = Vector512.Load(l2 + k);
            we = Vector512.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a20 = Vector512.FusedMultiplyAdd(wo, xo0, Vector512.FusedMultiplyAdd(we, xe0, a20));
            a21 = Vector512.FusedMultiplyAdd(wo, xo1, Vector512.FusedMultiplyAdd(we, xe1, a21));
            a22 = Vector512.FusedMultiplyAdd(wo, xo2, Vector512.FusedMultiplyAdd(we, xe2, a22));
            a23 = Vector512.FusedMultiplyAdd(wo, xo3, Vector512.FusedMultiplyAdd(we, xe3, a23));

            u = Vector512.Load(l3 + k);
            we = Vector512.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a30 = Vector512.FusedMultiplyAdd(wo, xo0, Vector512.FusedMultiplyAdd(we, xe0, a30));
            a31 = Vector512.FusedMultiplyAdd(wo, xo1, Vector512.FusedMultiplyAdd(we, xe1, a31));
            a32 = Vector512.FusedMultiplyAdd(wo, xo2, Vector512.FusedMultiplyAdd(we, xe2, a32));
            a33 = Vector512.FusedMultiplyAdd(wo, xo3, Vector512.FusedMultiplyAdd(we, xe3, a33));
        }
        Store(y, add, Vector512.Sum(a00), Vector512.Sum(a10), Vector512.Sum(a20), Vector512.Sum(a30));
        y += yStride;
        Store(y, add, Vector512.Sum(a01), Vector512.Sum(a11), Vector512.Sum(a21), Vector512.Sum(a31));
        y += yStride;
        Store(y, add, Vector512.Sum(a02), Vector512.Sum(a12), Vector512.Sum(a22), Vector512.Sum(a32));
        y += yStride;
        Store(y, add, Vector512.Sum(a03), Vector512.Sum(a13), Vector512.Sum(a23), Vector512.Sum(a33));
    }

    /// <summary>4 rows × 2 tokens over pairs [k0, k1) (token tails of 2 or 3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x2Vector512(byte* w, nint rowBytes, float* s, nint stride, int half, int k0, int k1, float* y, int yStride, bool add, byte* ahead)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        float* e0 = s, e1 = s + stride;
        var mask = Vector512.Create(0xFFFF0000u);
        Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector512<float> a20 = default, a21 = default, a30 = default, a31 = default;
        for (var k = k0; k < k1; k += 16)
        {
            if (ahead != null)
                Prefetch4(ahead, rowBytes, 4 * k);
            var xe0 = Vector512.Load(e0 + k); var xo0 = Vector512.Load(e0 + half + k);
            var xe1 = Vector512.Load(e1 + k); var xo1 = Vector512.Load(e1 + half + k);

            var u = Vector512.Load(l0 + k);
            var we = Vector512.ShiftLeft(u, 16).AsSingle();
            var wo = (u & mask).AsSingle();
            a00 = Vector512.FusedMultiplyAdd(wo, xo0, Vector512.FusedMultiplyAdd(we, xe0, a00));
            a01 = Vector512.FusedMultiplyAdd(wo, xo1, Vector512.FusedMultiplyAdd(we, xe1, a01));

            u = Vector512.Load(l1 + k);
            we = Vector512.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a10 = Vector512.FusedMultiplyAdd(wo, xo0, Vector512.FusedMultiplyAdd(we, xe0, a10));
            a11 = Vector512.FusedMultiplyAdd(wo, xo1, Vector512.FusedMultiplyAdd(we, xe1, a11));

            u = Vector512.Load(l2 + k);
            we = Vector512.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a20 = Vector512.FusedMultiplyAdd(wo, xo0, Vector512.FusedMultiplyAdd(we, xe0, a20));
            a21 = Vector512.FusedMultiplyAdd(wo, xo1, Vector512.FusedMultiplyAdd(we, xe1, a21));

            u = Vector512.Load(l3 + k);
            we = Vector512.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a30 = Vector512.FusedMultiplyAdd(wo, xo0, Vector512.FusedMultiplyAdd(we, xe0, a30));
            a31 = Vector512.FusedMultiplyAdd(wo, xo1, Vector512.FusedMultiplyAdd(we, xe1, a31));
        }
        Store(y, add, Vector512.Sum(a00), Vector512.Sum(a10), Vector512.Sum(a20), Vector512.Sum(a30));
        y += yStride;
        Store(y, add, Vector512.Sum(a01), Vector512.Sum(a11), Vector512.Sum(a21), Vector512.Sum(a31));
    }

    /// <summary>4 rows × 1 token over pairs [k0, k1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x1Vector512(byte* w, nint rowBytes, float* s, int half, int k0, int k1, float* y, bool add, byte* ahead)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        var mask = Vector512.Create(0xFFFF0000u);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (var k = k0; k < k1; k += 16)
        {
            if (ahead != null)
                Prefetch4(ahead, rowBytes, 4 * k);
            var xe = Vector512.Load(s + k);
            var xo = Vector512.Load(s + half + k);
            var u = Vector512.Load(l0 + k);
            a0 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), xe, a0));
            u = Vector512.Load(l1 + k);
            a1 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), xe, a1));
            u = Vector512.Load(l2 + k);
            a2 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), xe, a2));
            u = Vector512.Load(l3 + k);
            a3 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), xe, a3));
        }
        Store(y, add, Vector512.Sum(a0), Vector512.Sum(a1), Vector512.Sum(a2), Vector512.Sum(a3));
    }

    /// <summary>4 rows × 2 tokens over pairs [k0, k1) (multiples of 8; 16 ymm registers: 8 accumulators, 4 activations, 2 weights, the mask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x2Vector256(byte* w, nint rowBytes, float* s, nint stride, int half, int k0, int k1, float* y, int yStride, bool add, byte* ahead)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        float* e0 = s, e1 = s + stride;
        var mask = Vector256.Create(0xFFFF0000u);
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
        for (var k = k0; k < k1; k += 8)
        {
            if (ahead != null && (k & 15) == 0)
                Prefetch4(ahead, rowBytes, 4 * k);
            var xe0 = Vector256.Load(e0 + k); var xo0 = Vector256.Load(e0 + half + k);
            var xe1 = Vector256.Load(e1 + k); var xo1 = Vector256.Load(e1 + half + k);

            var u = Vector256.Load(l0 + k);
            var we = Vector256.ShiftLeft(u, 16).AsSingle();
            var wo = (u & mask).AsSingle();
            a00 = Vector256.FusedMultiplyAdd(wo, xo0, Vector256.FusedMultiplyAdd(we, xe0, a00));
            a01 = Vector256.FusedMultiplyAdd(wo, xo1, Vector256.FusedMultiplyAdd(we, xe1, a01));

            u = Vector256.Load(l1 + k);
            we = Vector256.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a10 = Vector256.FusedMultiplyAdd(wo, xo0, Vector256.FusedMultiplyAdd(we, xe0, a10));
            a11 = Vector256.FusedMultiplyAdd(wo, xo1, Vector256.FusedMultiplyAdd(we, xe1, a11));

            u = Vector256.Load(l2 + k);
            we = Vector256.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a20 = Vector256.FusedMultiplyAdd(wo, xo0, Vector256.FusedMultiplyAdd(we, xe0, a20));
            a21 = Vector256.FusedMultiplyAdd(wo, xo1, Vector256.FusedMultiplyAdd(we, xe1, a21));

            u = Vector256.Load(l3 + k);
            we = Vector256.ShiftLeft(u, 16).AsSingle();
            wo = (u & mask).AsSingle();
            a30 = Vector256.FusedMultiplyAdd(wo, xo0, Vector256.FusedMultiplyAdd(we, xe0, a30));
            a31 = Vector256.FusedMultiplyAdd(wo, xo1, Vector256.FusedMultiplyAdd(we, xe1, a31));
        }
        Store(y, add, Vector256.Sum(a00), Vector256.Sum(a10), Vector256.Sum(a20), Vector256.Sum(a30));
        y += yStride;
        Store(y, add, Vector256.Sum(a01), Vector256.Sum(a11), Vector256.Sum(a21), Vector256.Sum(a31));
    }

    /// <summary>4 rows × 1 token over pairs [k0, k1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x1Vector256(byte* w, nint rowBytes, float* s, int half, int k0, int k1, float* y, bool add, byte* ahead)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        var mask = Vector256.Create(0xFFFF0000u);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (var k = k0; k < k1; k += 8)
        {
            if (ahead != null && (k & 15) == 0)
                Prefetch4(ahead, rowBytes, 4 * k);
            var xe = Vector256.Load(s + k);
            var xo = Vector256.Load(s + half + k);
            var u = Vector256.Load(l0 + k);
            a0 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), xe, a0));
            u = Vector256.Load(l1 + k);
            a1 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), xe, a1));
            u = Vector256.Load(l2 + k);
            a2 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), xe, a2));
            u = Vector256.Load(l3 + k);
            a3 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), xe, a3));
        }
        Store(y, add, Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3));
    }
}
