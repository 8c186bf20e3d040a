// Matrix products against a weight matrix stored in its own dtype (bf16 or f32): y = x·Wᵀ for one
// token (decode, a matrix-vector product; bf16 rows read as 32-bit lanes against x split into even and
// odd elements) or many (bf16: Bf16BatchMatMul's 4-row tiles; f32: register-blocked 2 rows × 4 tokens). bf16 is
// widened to f32 in registers; nothing is converted in memory. It owns no buffer beyond a pooled copy of x.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Alloy.Tensors;

namespace Alloy.Inference.Kernels;

/// <summary>
/// <c>y[t, r] = Σ_c x[t, c] · W[r, c]</c> for W of shape [rows, cols] (row-major, the layout of a
/// Hugging Face <c>Linear.weight</c>), x of shape [tokens, cols] and y of shape [tokens, rows], all f32
/// except W. Sums are f32 with fused multiply-adds in vector lanes, then a lane reduction; the order of
/// additions differs between widths, so results agree to rounding, not bit for bit. NaN or ±Inf in
/// an input propagate to the outputs they touch; overflow gives ±Inf. Rows are split over threads
/// (<see cref="RowParallel"/>) when the product is large.
/// </summary>
public static unsafe class MatMul
{
    /// <summary>Computes y = x·Wᵀ with W given as raw bytes of <paramref name="weightType"/> (F32 or BF16).</summary>
    /// <param name="weights">W, [rows, cols] elements of <paramref name="weightType"/>, little-endian.</param>
    /// <param name="weightType">F32 or BF16.</param>
    /// <param name="rows">Output features.</param>
    /// <param name="cols">Input features.</param>
    /// <param name="x">Inputs, [tokens, cols].</param>
    /// <param name="y">Outputs, [tokens, rows]; must not overlap x.</param>
    /// <param name="tokens">Number of input rows (1 for decode).</param>
    /// <param name="width">Code path; null picks <see cref="VectorWidths.Best"/>.</param>
    /// <exception cref="ArgumentException">Sizes disagree or the dtype is not F32/BF16.</exception>
    public static void Multiply(ReadOnlySpan<byte> weights, DType weightType, int rows, int cols,
        ReadOnlySpan<float> x, Span<float> y, int tokens, VectorWidth? width = null)
    {
        var elementSize = weightType switch
        {
            DType.BF16 => 2,
            DType.F32 => 4,
            _ => throw new ArgumentException($"weights of type {weightType} are not supported (F32 or BF16)", nameof(weightType)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (weights.Length != (long)rows * cols * elementSize)
            throw new ArgumentException($"weights hold {weights.Length} bytes, expected {rows}×{cols}×{elementSize}", nameof(weights));
        if (x.Length < (long)tokens * cols)
            throw new ArgumentException($"x holds {x.Length} floats, expected at least {tokens}×{cols}", nameof(x));
        if (y.Length < (long)tokens * rows)
            throw new ArgumentException($"y holds {y.Length} floats, expected at least {tokens}×{rows}", nameof(y));
        fixed (byte* w = weights)
        fixed (float* xp = x)
        fixed (float* yp = y)
            Multiply(w, weightType, rows, cols, xp, yp, tokens, width ?? VectorWidths.Best);
    }

    /// <summary>Pointer form of <see cref="Multiply(ReadOnlySpan{byte}, DType, int, int, ReadOnlySpan{float}, Span{float}, int, VectorWidth?)"/>; no checks.</summary>
    internal static void Multiply(byte* weights, DType weightType, int rows, int cols, float* x, float* y, int tokens, VectorWidth width)
    {
        nint w = (nint)weights, xp = (nint)x, yp = (nint)y;
        if (weightType == DType.BF16 && tokens == 1 && width != VectorWidth.Scalar && cols >= 2)
        {
            MultiplyBf16Vector(weights, rows, cols, x, y, width);
            return;
        }
        if (weightType == DType.BF16 && tokens > 1 && width != VectorWidth.Scalar)
        {
            Bf16BatchMatMul.Multiply(weights, rows, cols, x, y, tokens, width);
            return;
        }
        if (weightType == DType.BF16)
            RowParallel.For(rows, (long)cols * tokens, 2, (start, end) => Rows<Bf16Format>((byte*)w, rows, cols, (float*)xp, (float*)yp, tokens, start, end, width));
        else
            RowParallel.For(rows, (long)cols * tokens, 2, (start, end) => Rows<F32Format>((byte*)w, rows, cols, (float*)xp, (float*)yp, tokens, start, end, width));
    }

    /// <summary>
    /// Decode with bf16 weights: x is split once into its even and odd elements, so that each 32-bit lane
    /// of a weight load (elements 2k and 2k+1) becomes two floats with one shift and one mask, with no
    /// cross-lane widening: even = lane &lt;&lt; 16, odd = lane &amp; 0xFFFF0000.
    /// </summary>
    private static void MultiplyBf16Vector(byte* weights, int rows, int cols, float* x, float* y, VectorWidth width)
    {
        var pairs = cols / 2;
        var half = SplitHalf(pairs);
        var buffer = System.Buffers.ArrayPool<float>.Shared.Rent(SplitLength(1, pairs));
        try
        {
            fixed (float* b = buffer)
            {
                var even = Split(x, 1, cols, b);
                nint w = (nint)weights, xp = (nint)x, yp = (nint)y, ep = (nint)even, op = (nint)(even + half);
                RowParallel.For(rows, cols, 2, (start, end) =>
                {
                    var rowBytes = (nint)cols * 2;
                    for (var r = start; r < end; r++)
                        ((float*)yp)[r] = width == VectorWidth.Vector512
                            ? DotBf16PairsVector512((byte*)w + r * rowBytes, (float*)xp, (float*)ep, (float*)op, pairs, cols)
                            : DotBf16PairsVector256((byte*)w + r * rowBytes, (float*)xp, (float*)ep, (float*)op, pairs, cols);
                });
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Floats from a token's even half to its odd half in a split buffer (and half a token's stride): pairs rounded up to
    /// 16, so that every half starts a 64-byte line, plus one more line, so that the 8 tokens' halves a tile reads together
    /// fall in different L1 sets (with widths of 2 KB multiples they would all be 4 KB apart and share one set).
    /// </summary>
    internal static int SplitHalf(int pairs) => ((pairs + 15) & ~15) + 16;

    /// <summary>Floats to rent for <see cref="Split"/> of <paramref name="tokens"/> rows (with room to align the start).</summary>
    internal static int SplitLength(int tokens, int pairs) => tokens * 2 * SplitHalf(pairs) + 16;

    /// <summary>
    /// Writes x [tokens, cols] split per token into even[k] = x[2k] and odd[k] = x[2k + 1] (the odd column of an odd cols
    /// is left out), token t's even half at base + 2·t·<see cref="SplitHalf"/>, its odd half <see cref="SplitHalf"/> floats
    /// later; returns base, the first 64-byte boundary in <paramref name="buffer"/> (which holds
    /// <see cref="SplitLength"/> floats and must stay pinned while the split is used). Unaligned activations cost the
    /// multi-row tiles more than half their speed: every 512-bit load would straddle two cache lines.
    /// </summary>
    internal static float* Split(float* x, int tokens, int cols, float* buffer)
    {
        var pairs = cols / 2;
        var half = SplitHalf(pairs);
        var start = (float*)(((nint)buffer + 63) & ~(nint)63);
        for (var t = 0; t < tokens; t++)
        {
            var source = x + (nint)t * cols;
            var even = start + (nint)t * 2 * half;
            var odd = even + half;
            for (var k = 0; k < pairs; k++)
            {
                even[k] = source[2 * k];
                odd[k] = source[2 * k + 1];
            }
        }
        return start;
    }

    /// <summary>Σ w[i]·x[i] over one bf16 row, with x also given split: even[k] = x[2k], odd[k] = x[2k+1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float DotBf16PairsVector512(byte* row, float* x, float* even, float* odd, int pairs, int cols)
    {
        var lanes = (uint*)row;
        var mask = Vector512.Create(0xFFFF0000u);
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var k = 0;
        for (; k + 16 <= pairs; k += 16)
        {
            var u = Vector512.Load(lanes + k);
            acc0 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(u, 16).AsSingle(), Vector512.Load(even + k), acc0);
            acc1 = Vector512.FusedMultiplyAdd((u & mask).AsSingle(), Vector512.Load(odd + k), acc1);
        }
        var sum = Vector512.Sum(acc0 + acc1);
        for (var i = 2 * k; i < cols; i++)
            sum += Bf16Format.Load(row, i) * x[i];
        return sum;
    }

    /// <summary>256-bit form of <see cref="DotBf16PairsVector512"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float DotBf16PairsVector256(byte* row, float* x, float* even, float* odd, int pairs, int cols)
    {
        var lanes = (uint*)row;
        var mask = Vector256.Create(0xFFFF0000u);
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var k = 0;
        for (; k + 8 <= pairs; k += 8)
        {
            var u = Vector256.Load(lanes + k);
            acc0 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(u, 16).AsSingle(), Vector256.Load(even + k), acc0);
            acc1 = Vector256.FusedMultiplyAdd((u & mask).AsSingle(), Vector256.Load(odd + k), acc1);
        }
        var sum = Vector256.Sum(acc0 + acc1);
        for (var i = 2 * k; i < cols; i++)
            sum += Bf16Format.Load(row, i) * x[i];
        return sum;
    }

    /// <summary>Output rows [rowStart, rowEnd) for every token, on one thread (fully optimised from the first call: these loops are the engine's hot path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Rows<TFormat>(byte* w, int rows, int cols, float* x, float* y, int tokens, int rowStart, int rowEnd, VectorWidth width)
        where TFormat : struct, IWeightFormat
    {
        var rowBytes = (nint)cols * TFormat.ElementSize;
        if (width == VectorWidth.Scalar)
        {
            for (var r = rowStart; r < rowEnd; r++)
                for (var t = 0; t < tokens; t++)
                    y[(nint)t * rows + r] = DotScalar<TFormat>(w + r * rowBytes, x + (nint)t * cols, cols);
            return;
        }
        var row = rowStart;
        for (; row + 2 <= rowEnd; row += 2)
        {
            var w0 = w + row * rowBytes;
            var w1 = w0 + rowBytes;
            var t = 0;
            for (; t + 4 <= tokens; t += 4)
            {
                var xt = x + (nint)t * cols;
                var yt = y + (nint)t * rows + row;
                if (width == VectorWidth.Vector512)
                    Tile2x4Vector512<TFormat>(w0, w1, xt, cols, yt, rows);
                else
                    Tile2x4Vector256<TFormat>(w0, w1, xt, cols, yt, rows);
            }
            for (; t < tokens; t++)
            {
                var xt = x + (nint)t * cols;
                y[(nint)t * rows + row] = Dot<TFormat>(w0, xt, cols, width);
                y[(nint)t * rows + row + 1] = Dot<TFormat>(w1, xt, cols, width);
            }
        }
        for (; row < rowEnd; row++)
            for (var t = 0; t < tokens; t++)
                y[(nint)t * rows + row] = Dot<TFormat>(w + row * rowBytes, x + (nint)t * cols, cols, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot<TFormat>(byte* w, float* x, int n, VectorWidth width) where TFormat : struct, IWeightFormat =>
        width == VectorWidth.Vector512 ? DotVector512<TFormat>(w, x, n) : DotVector256<TFormat>(w, x, n);

    /// <summary>Scalar twin: Σ w[i]·x[i] in index order, f32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float DotScalar<TFormat>(byte* w, float* x, int n) where TFormat : struct, IWeightFormat
    {
        var sum = 0f;
        for (var i = 0; i < n; i++)
            sum += TFormat.Load(w, i) * x[i];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float DotVector512<TFormat>(byte* w, float* x, int n) where TFormat : struct, IWeightFormat
    {
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var i = 0;
        for (; i + 32 <= n; i += 32)
        {
            TFormat.Load32(w, i, out var lo, out var hi);
            acc0 = Vector512.FusedMultiplyAdd(lo, Vector512.Load(x + i), acc0);
            acc1 = Vector512.FusedMultiplyAdd(hi, Vector512.Load(x + i + 16), acc1);
        }
        var sum = Vector512.Sum(acc0 + acc1);
        for (; i < n; i++)
            sum += TFormat.Load(w, i) * x[i];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float DotVector256<TFormat>(byte* w, float* x, int n) where TFormat : struct, IWeightFormat
    {
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var i = 0;
        for (; i + 16 <= n; i += 16)
        {
            TFormat.Load16(w, i, out var lo, out var hi);
            acc0 = Vector256.FusedMultiplyAdd(lo, Vector256.Load(x + i), acc0);
            acc1 = Vector256.FusedMultiplyAdd(hi, Vector256.Load(x + i + 8), acc1);
        }
        var sum = Vector256.Sum(acc0 + acc1);
        for (; i < n; i++)
            sum += TFormat.Load(w, i) * x[i];
        return sum;
    }

    /// <summary>
    /// Two weight rows × four tokens: each widened weight vector is loaded once and used four times,
    /// which is what makes prefill compute-bound rather than bandwidth-bound. y is [tokens, stride].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2x4Vector512<TFormat>(byte* w0, byte* w1, float* x, int cols, float* y, int stride)
        where TFormat : struct, IWeightFormat
    {
        float* x0 = x, x1 = x + cols, x2 = x + 2 * cols, x3 = x + 3 * cols;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        var c = 0;
        for (; c + 32 <= cols; c += 32)
        {
            TFormat.Load32(w0, c, out var p, out var q);
            TFormat.Load32(w1, c, out var r, out var s);
            var u = Vector512.Load(x0 + c); var v = Vector512.Load(x0 + c + 16);
            a0 = Vector512.FusedMultiplyAdd(q, v, Vector512.FusedMultiplyAdd(p, u, a0));
            b0 = Vector512.FusedMultiplyAdd(s, v, Vector512.FusedMultiplyAdd(r, u, b0));
            u = Vector512.Load(x1 + c); v = Vector512.Load(x1 + c + 16);
            a1 = Vector512.FusedMultiplyAdd(q, v, Vector512.FusedMultiplyAdd(p, u, a1));
            b1 = Vector512.FusedMultiplyAdd(s, v, Vector512.FusedMultiplyAdd(r, u, b1));
            u = Vector512.Load(x2 + c); v = Vector512.Load(x2 + c + 16);
            a2 = Vector512.FusedMultiplyAdd(q, v, Vector512.FusedMultiplyAdd(p, u, a2));
            b2 = Vector512.FusedMultiplyAdd(s, v, Vector512.FusedMultiplyAdd(r, u, b2));
            u = Vector512.Load(x3 + c); v = Vector512.Load(x3 + c + 16);
            a3 = Vector512.FusedMultiplyAdd(q, v, Vector512.FusedMultiplyAdd(p, u, a3));
            b3 = Vector512.FusedMultiplyAdd(s, v, Vector512.FusedMultiplyAdd(r, u, b3));
        }
        StoreTile<TFormat>(w0, w1, x, cols, y, stride, c,
            Vector512.Sum(a0), Vector512.Sum(a1), Vector512.Sum(a2), Vector512.Sum(a3),
            Vector512.Sum(b0), Vector512.Sum(b1), Vector512.Sum(b2), Vector512.Sum(b3));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2x4Vector256<TFormat>(byte* w0, byte* w1, float* x, int cols, float* y, int stride)
        where TFormat : struct, IWeightFormat
    {
        float* x0 = x, x1 = x + cols, x2 = x + 2 * cols, x3 = x + 3 * cols;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
        var c = 0;
        for (; c + 16 <= cols; c += 16)
        {
            TFormat.Load16(w0, c, out var p, out var q);
            TFormat.Load16(w1, c, out var r, out var s);
            var u = Vector256.Load(x0 + c); var v = Vector256.Load(x0 + c + 8);
            a0 = Vector256.FusedMultiplyAdd(q, v, Vector256.FusedMultiplyAdd(p, u, a0));
            b0 = Vector256.FusedMultiplyAdd(s, v, Vector256.FusedMultiplyAdd(r, u, b0));
            u = Vector256.Load(x1 + c); v = Vector256.Load(x1 + c + 8);
            a1 = Vector256.FusedMultiplyAdd(q, v, Vector256.FusedMultiplyAdd(p, u, a1));
            b1 = Vector256.FusedMultiplyAdd(s, v, Vector256.FusedMultiplyAdd(r, u, b1));
            u = Vector256.Load(x2 + c); v = Vector256.Load(x2 + c + 8);
            a2 = Vector256.FusedMultiplyAdd(q, v, Vector256.FusedMultiplyAdd(p, u, a2));
            b2 = Vector256.FusedMultiplyAdd(s, v, Vector256.FusedMultiplyAdd(r, u, b2));
            u = Vector256.Load(x3 + c); v = Vector256.Load(x3 + c + 8);
            a3 = Vector256.FusedMultiplyAdd(q, v, Vector256.FusedMultiplyAdd(p, u, a3));
            b3 = Vector256.FusedMultiplyAdd(s, v, Vector256.FusedMultiplyAdd(r, u, b3));
        }
        StoreTile<TFormat>(w0, w1, x, cols, y, stride, c,
            Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3),
            Vector256.Sum(b0), Vector256.Sum(b1), Vector256.Sum(b2), Vector256.Sum(b3));
    }

    /// <summary>Adds the scalar column tail [c, cols) to the eight tile sums and stores them.</summary>
    private static void StoreTile<TFormat>(byte* w0, byte* w1, float* x, int cols, float* y, int stride, int c,
        float a0, float a1, float a2, float a3, float b0, float b1, float b2, float b3)
        where TFormat : struct, IWeightFormat
    {
        for (; c < cols; c++)
        {
            float p = TFormat.Load(w0, c), r = TFormat.Load(w1, c);
            a0 += p * x[c]; b0 += r * x[c];
            a1 += p * x[cols + c]; b1 += r * x[cols + c];
            a2 += p * x[2 * cols + c]; b2 += r * x[2 * cols + c];
            a3 += p * x[3 * cols + c]; b3 += r * x[3 * cols + c];
        }
        y[0] = a0; y[1] = b0;
        y[stride] = a1; y[stride + 1] = b1;
        y[2 * stride] = a2; y[2 * stride + 1] = b2;
        y[3 * stride] = a3; y[3 * stride + 1] = b3;
    }
}
