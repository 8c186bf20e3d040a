// The multi-row product y = x·Wᵀ for bf16 W and 2+ activation rows (batched decode, prefill) in register tiles of
// 4 weight rows × 4/2/1 tokens, each weight vector widened once per tile; not the 1-token loop (MatMul), not f32 W.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Alloy.Inference.Kernels;

/// <summary>
/// bf16 × f32 products for tokens ≥ 2. Each token's x is first split into its even and odd elements, so that a
/// 32-bit lane of a weight load (elements 2k, 2k+1) widens with one shift (even) and one mask (odd) and no cross-lane
/// shuffle. A tile keeps one f32 accumulator per (weight row, token) in registers: per 32 columns (512-bit) it loads
/// 4 weight vectors and 8 activation vectors for 32 fused multiply-adds; the 4 weight rows of a tile stay in L1 while
/// the next token block reuses them. Token tails use 4 × 2 (512-bit) and 4 × 1 tiles, row tails the single-row dot. Results agree with
/// the scalar twin (<see cref="MatMul.DotScalar{TFormat}"/>) to rounding (f32 sums in another order).
/// </summary>
internal static unsafe class Bf16BatchMatMul
{
    /// <summary>Weight rows per tile.</summary>
    private const int TileRows = 4;

    /// <summary>y[t, r] for t &lt; tokens, r &lt; rows; W is [rows, cols] bf16, x [tokens, cols], y [tokens, rows]. width is Vector256 or Vector512.</summary>
    internal static void Multiply(byte* weights, int rows, int cols, float* x, float* y, int tokens, VectorWidth width)
    {
        var pairs = cols / 2;
        var stride = 2 * pairs;
        var split = ArrayPool<float>.Shared.Rent(Math.Max(1, tokens * stride));
        try
        {
            for (var t = 0; t < tokens; t++)
            {
                var source = x + (nint)t * cols;
                var even = split.AsSpan(t * stride, pairs);
                var odd = split.AsSpan(t * stride + pairs, pairs);
                for (var k = 0; k < pairs; k++)
                {
                    even[k] = source[2 * k];
                    odd[k] = source[2 * k + 1];
                }
            }
            fixed (float* s = split)
            {
                nint w = (nint)weights, xp = (nint)x, yp = (nint)y, sp = (nint)s;
                RowParallel.For(rows, (long)cols * tokens, TileRows, (start, end) =>
                    Rows((byte*)w, rows, cols, (float*)xp, (float*)sp, (float*)yp, tokens, start, end, width));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(split);
        }
    }

    /// <summary>Bytes of activations (f32) a token group may span so that it stays in L1 next to the tile's weight rows.</summary>
    private const int GroupBytes = 32 * 1024;

    /// <summary>
    /// Output rows [rowStart, rowEnd) for every token on one thread. Tokens go in groups whose activations fit in L1
    /// (at least one tile's worth); each group sweeps all of the thread's rows, so for large batches the later groups
    /// read the weights back from L2 rather than re-reading activations from L2 at every tile.
    /// </summary>
    private static void Rows(byte* w, int rows, int cols, float* x, float* split, float* y, int tokens, int rowStart, int rowEnd, VectorWidth width)
    {
        var tokenBlock = width == VectorWidth.Vector512 ? 4 : 2;
        var group = Math.Max(tokenBlock, GroupBytes / (Math.Max(1, cols) * sizeof(float)) / tokenBlock * tokenBlock);
        for (var first = 0; first < tokens; first += group)
        {
            var count = Math.Min(group, tokens - first);
            var stride = (nint)(cols / 2 * 2);
            RowsOfGroup(w, rows, cols, x + (nint)first * cols, split + first * stride, y + (nint)first * rows, count, rowStart, rowEnd, width);
        }
    }

    /// <summary>Output rows [rowStart, rowEnd) for <paramref name="tokens"/> tokens (x, split and y already offset to the first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsOfGroup(byte* w, int rows, int cols, float* x, float* split, float* y, int tokens, int rowStart, int rowEnd, VectorWidth width)
    {
        var pairs = cols / 2;
        nint stride = 2 * pairs;
        nint rowBytes = (nint)cols * 2;
        var tokenBlock = width == VectorWidth.Vector512 ? 4 : 2;
        var row = rowStart;
        for (; row + TileRows <= rowEnd; row += TileRows)
        {
            var w0 = w + row * rowBytes;
            var t = 0;
            for (; t + tokenBlock <= tokens; t += tokenBlock)
            {
                if (width == VectorWidth.Vector512)
                    Tile4x4Vector512(w0, rowBytes, split + t * stride, stride, pairs, y + (nint)t * rows + row, rows);
                else
                    Tile4x2Vector256(w0, rowBytes, split + t * stride, stride, pairs, y + (nint)t * rows + row, rows);
                AddColumnTail(w0, rowBytes, x + (nint)t * cols, cols, 2 * VectorTail(pairs, width), tokenBlock, y + (nint)t * rows + row, rows);
            }
            if (width == VectorWidth.Vector512 && t + 2 <= tokens)
            {
                Tile4x2Vector512(w0, rowBytes, split + t * stride, stride, pairs, y + (nint)t * rows + row, rows);
                AddColumnTail(w0, rowBytes, x + (nint)t * cols, cols, 2 * VectorTail(pairs, width), 2, y + (nint)t * rows + row, rows);
                t += 2;
            }
            for (; t < tokens; t++)
            {
                if (width == VectorWidth.Vector512)
                    Tile4x1Vector512(w0, rowBytes, split + t * stride, pairs, y + (nint)t * rows + row);
                else
                    Tile4x1Vector256(w0, rowBytes, split + t * stride, pairs, y + (nint)t * rows + row);
                AddColumnTail(w0, rowBytes, x + (nint)t * cols, cols, 2 * VectorTail(pairs, width), 1, y + (nint)t * rows + row, rows);
            }
        }
        for (; row < rowEnd; row++)
            for (var t = 0; t < tokens; t++)
                y[(nint)t * rows + row] = width == VectorWidth.Vector512
                    ? MatMul.DotBf16PairsVector512(w + row * rowBytes, x + (nint)t * cols, split + t * stride, pairs, cols)
                    : MatMul.DotBf16PairsVector256(w + row * rowBytes, x + (nint)t * cols, split + t * stride, pairs, cols);
    }

    /// <summary>Pairs covered by the vector loop (a multiple of the lane count).</summary>
    private static int VectorTail(int pairs, VectorWidth width) => width == VectorWidth.Vector512 ? pairs & ~15 : pairs & ~7;

    /// <summary>Adds columns [from, cols) of 4 weight rows × <paramref name="tokens"/> tokens to y (scalar, in column order).</summary>
    private static void AddColumnTail(byte* w, nint rowBytes, float* x, int cols, int from, int tokens, float* y, int stride)
    {
        if (from >= cols)
            return;
        for (var t = 0; t < tokens; t++)
            for (var r = 0; r < TileRows; r++)
            {
                var sum = 0f;
                for (var c = from; c < cols; c++)
                    sum += Bf16Format.Load(w + r * rowBytes, c) * x[(nint)t * cols + c];
                y[(nint)t * stride + r] += sum;
            }
    }

    /// <summary>4 rows × 4 tokens over pairs [0, pairs &amp; ~15); split rows are <paramref name="stride"/> floats apart, even then odd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4Vector512(byte* w, nint rowBytes, float* s, nint stride, int pairs, float* y, int yStride)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        float* e0 = s, e1 = s + stride, e2 = s + 2 * stride, e3 = s + 3 * stride;
        var mask = Vector512.Create(0xFFFF0000u);
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        for (var k = 0; k + 16 <= pairs; k += 16)
        {
            var xe0 = Vector512.Load(e0 + k); var xo0 = Vector512.Load(e0 + pairs + k);
            var xe1 = Vector512.Load(e1 + k); var xo1 = Vector512.Load(e1 + pairs + k);
            var xe2 = Vector512.Load(e2 + k); var xo2 = Vector512.Load(e2 + pairs + k);
            var xe3 = Vector512.Load(e3 + k); var xo3 = Vector512.Load(e3 + pairs + k);

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
        y[0] = Vector512.Sum(a00); y[1] = Vector512.Sum(a10); y[2] = Vector512.Sum(a20); y[3] = Vector512.Sum(a30);
        y += yStride;
        y[0] = Vector512.Sum(a01); y[1] = Vector512.Sum(a11); y[2] = Vector512.Sum(a21); y[3] = Vector512.Sum(a31);
        y += yStride;
        y[0] = Vector512.Sum(a02); y[1] = Vector512.Sum(a12); y[2] = Vector512.Sum(a22); y[3] = Vector512.Sum(a32);
        y += yStride;
        y[0] = Vector512.Sum(a03); y[1] = Vector512.Sum(a13); y[2] = Vector512.Sum(a23); y[3] = Vector512.Sum(a33);
    }

    /// <summary>4 rows × 2 tokens over pairs [0, pairs &amp; ~15) (token tails of 2 or 3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x2Vector512(byte* w, nint rowBytes, float* s, nint stride, int pairs, float* y, int yStride)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        float* e0 = s, e1 = s + stride;
        var mask = Vector512.Create(0xFFFF0000u);
        Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector512<float> a20 = default, a21 = default, a30 = default, a31 = default;
        for (var k = 0; k + 16 <= pairs; k += 16)
        {
            var xe0 = Vector512.Load(e0 + k); var xo0 = Vector512.Load(e0 + pairs + k);
            var xe1 = Vector512.Load(e1 + k); var xo1 = Vector512.Load(e1 + pairs + k);

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
        y[0] = Vector512.Sum(a00); y[1] = Vector512.Sum(a10); y[2] = Vector512.Sum(a20); y[3] = Vector512.Sum(a30);
        y += yStride;
        y[0] = Vector512.Sum(a01); y[1] = Vector512.Sum(a11); y[2] = Vector512.Sum(a21); y[3] = Vector512.Sum(a31);
    }

    /// <summary>4 rows × 1 token over pairs [0, pairs &amp; ~15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x1Vector512(byte* w, nint rowBytes, float* s, int pairs, float* y)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        var mask = Vector512.Create(0xFFFF0000u);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (var k = 0; k + 16 <= pairs; k += 16)
        {
            var xe = Vector512.Load(s + k);
            var xo = Vector512.Load(s + pairs + k);
            var u = Vector512.Load(l0 + k);
            a0 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), xe, a0));
            u = Vector512.Load(l1 + k);
            a1 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), xe, a1));
            u = Vector512.Load(l2 + k);
            a2 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), xe, a2));
            u = Vector512.Load(l3 + k);
            a3 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), xe, a3));
        }
        y[0] = Vector512.Sum(a0); y[1] = Vector512.Sum(a1); y[2] = Vector512.Sum(a2); y[3] = Vector512.Sum(a3);
    }

    /// <summary>4 rows × 2 tokens over pairs [0, pairs &amp; ~7) (16 ymm registers: 8 accumulators, 4 activations, 2 weights, the mask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x2Vector256(byte* w, nint rowBytes, float* s, nint stride, int pairs, float* y, int yStride)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        float* e0 = s, e1 = s + stride;
        var mask = Vector256.Create(0xFFFF0000u);
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
        for (var k = 0; k + 8 <= pairs; k += 8)
        {
            var xe0 = Vector256.Load(e0 + k); var xo0 = Vector256.Load(e0 + pairs + k);
            var xe1 = Vector256.Load(e1 + k); var xo1 = Vector256.Load(e1 + pairs + k);

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
        y[0] = Vector256.Sum(a00); y[1] = Vector256.Sum(a10); y[2] = Vector256.Sum(a20); y[3] = Vector256.Sum(a30);
        y += yStride;
        y[0] = Vector256.Sum(a01); y[1] = Vector256.Sum(a11); y[2] = Vector256.Sum(a21); y[3] = Vector256.Sum(a31);
    }

    /// <summary>4 rows × 1 token over pairs [0, pairs &amp; ~7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x1Vector256(byte* w, nint rowBytes, float* s, int pairs, float* y)
    {
        uint* l0 = (uint*)w, l1 = (uint*)(w + rowBytes), l2 = (uint*)(w + 2 * rowBytes), l3 = (uint*)(w + 3 * rowBytes);
        var mask = Vector256.Create(0xFFFF0000u);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (var k = 0; k + 8 <= pairs; k += 8)
        {
            var xe = Vector256.Load(s + k);
            var xo = Vector256.Load(s + pairs + k);
            var u = Vector256.Load(l0 + k);
            a0 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), xe, a0));
            u = Vector256.Load(l1 + k);
            a1 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), xe, a1));
            u = Vector256.Load(l2 + k);
            a2 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), xe, a2));
            u = Vector256.Load(l3 + k);
            a3 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), xo, Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), xe, a3));
        }
        y[0] = Vector256.Sum(a0); y[1] = Vector256.Sum(a1); y[2] = Vector256.Sum(a2); y[3] = Vector256.Sum(a3);
    }
}
