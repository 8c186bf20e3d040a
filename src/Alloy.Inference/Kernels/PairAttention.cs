// Attention's two inner loops for two query heads that share one kv head (grouped-query attention), 512-bit only:
// each cached key or value row is widened once for both heads. Softmax, positions and paging are the caller's.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Alloy.Inference.Kernels;

/// <summary>
/// Scores and value sums of two query heads over n cached rows of one kv head, rows <c>stride</c> bytes apart, elements
/// in the kernel's TFormat (f32, or bf16 widened exactly). <see cref="Attention"/>'s per-head forms are the
/// twins: bf16 value sums make the same fused multiply-adds in the same order per element (bit-identical; the f32 twin
/// goes through TensorPrimitives and may round differently); scores sum the same per-lane partial sums and reduce them
/// in another order (equal to rounding). One head alone is run by passing it twice.
/// </summary>
internal static unsafe class PairAttention
{
    /// <summary>Whether this machine runs the pair kernels (512-bit vectors and AVX horizontal adds), for a head width of headDim.</summary>
    internal static bool Supports(int headDim) =>
        Vector512.IsHardwareAccelerated && Avx.IsSupported && headDim % 64 == 0;

    /// <summary>
    /// s0[j] = scale·(q0 · k_j) and s1[j] = scale·(q1 · k_j) for j &lt; n, k_j the headDim elements at keys + j·stride.
    /// Four rows at a time, so that 8 accumulators (2 heads × 4 rows) hide the FMA latency and their sums reduce
    /// together. headDim is a multiple of 64 (<see cref="Supports"/>). NaN and Inf propagate as in any f32 sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Scores<TFormat>(float* q0, float* q1, byte* keys, nint stride, int n, int headDim, float scale, float* s0, float* s1)
        where TFormat : IWeightFormat
    {
        var j = 0;
        for (; j + 4 <= n; j += 4)
        {
            byte* k0 = keys + j * stride, k1 = k0 + stride, k2 = k1 + stride, k3 = k2 + stride;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            for (var c = 0; c < headDim; c += 32)
            {
                var p0 = Vector512.Load(q0 + c);
                var p1 = Vector512.Load(q0 + c + 16);
                var r0 = Vector512.Load(q1 + c);
                var r1 = Vector512.Load(q1 + c + 16);
                TFormat.Load32(k0, c, out var lo, out var hi);
                a0 = Vector512.FusedMultiplyAdd(hi, p1, Vector512.FusedMultiplyAdd(lo, p0, a0));
                b0 = Vector512.FusedMultiplyAdd(hi, r1, Vector512.FusedMultiplyAdd(lo, r0, b0));
                TFormat.Load32(k1, c, out lo, out hi);
                a1 = Vector512.FusedMultiplyAdd(hi, p1, Vector512.FusedMultiplyAdd(lo, p0, a1));
                b1 = Vector512.FusedMultiplyAdd(hi, r1, Vector512.FusedMultiplyAdd(lo, r0, b1));
                TFormat.Load32(k2, c, out lo, out hi);
                a2 = Vector512.FusedMultiplyAdd(hi, p1, Vector512.FusedMultiplyAdd(lo, p0, a2));
                b2 = Vector512.FusedMultiplyAdd(hi, r1, Vector512.FusedMultiplyAdd(lo, r0, b2));
                TFormat.Load32(k3, c, out lo, out hi);
                a3 = Vector512.FusedMultiplyAdd(hi, p1, Vector512.FusedMultiplyAdd(lo, p0, a3));
                b3 = Vector512.FusedMultiplyAdd(hi, r1, Vector512.FusedMultiplyAdd(lo, r0, b3));
            }
            var factor = Vector128.Create(scale);
            (Sum4(a0, a1, a2, a3) * factor).Store(s0 + j);
            (Sum4(b0, b1, b2, b3) * factor).Store(s1 + j);
        }
        for (; j < n; j++)
        {
            var k = keys + j * stride;
            Vector512<float> a = default, b = default;
            for (var c = 0; c < headDim; c += 32)
            {
                TFormat.Load32(k, c, out var lo, out var hi);
                a = Vector512.FusedMultiplyAdd(hi, Vector512.Load(q0 + c + 16), Vector512.FusedMultiplyAdd(lo, Vector512.Load(q0 + c), a));
                b = Vector512.FusedMultiplyAdd(hi, Vector512.Load(q1 + c + 16), Vector512.FusedMultiplyAdd(lo, Vector512.Load(q1 + c), b));
            }
            s0[j] = scale * Vector512.Sum(a);
            s1[j] = scale * Vector512.Sum(b);
        }
    }

    /// <summary>
    /// o0 += Σⱼ w0[j]·v_j and o1 += Σⱼ w1[j]·v_j over j &lt; n, v_j the headDim elements at values + j·stride: per block of
    /// 64 outputs, both heads' sums stay in 8 registers while the rows stream past (the per-head form reloads and stores
    /// the output for every row). headDim is a multiple of 64. o0 and o1 must not overlap unless they are the same head.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AccumulateValues<TFormat>(float* w0, float* w1, byte* values, nint stride, int n, int headDim, float* o0, float* o1)
        where TFormat : IWeightFormat
    {
        for (var c = 0; c < headDim; c += 64)
        {
            var a0 = Vector512.Load(o0 + c);
            var a1 = Vector512.Load(o0 + c + 16);
            var a2 = Vector512.Load(o0 + c + 32);
            var a3 = Vector512.Load(o0 + c + 48);
            var b0 = Vector512.Load(o1 + c);
            var b1 = Vector512.Load(o1 + c + 16);
            var b2 = Vector512.Load(o1 + c + 32);
            var b3 = Vector512.Load(o1 + c + 48);
            var row = values;
            for (var j = 0; j < n; j++, row += stride)
            {
                TFormat.Load32(row, c, out var lo0, out var hi0);
                TFormat.Load32(row, c + 32, out var lo1, out var hi1);
                var s = Vector512.Create(w0[j]);
                var t = Vector512.Create(w1[j]);
                a0 = Vector512.FusedMultiplyAdd(lo0, s, a0);
                a1 = Vector512.FusedMultiplyAdd(hi0, s, a1);
                a2 = Vector512.FusedMultiplyAdd(lo1, s, a2);
                a3 = Vector512.FusedMultiplyAdd(hi1, s, a3);
                b0 = Vector512.FusedMultiplyAdd(lo0, t, b0);
                b1 = Vector512.FusedMultiplyAdd(hi0, t, b1);
                b2 = Vector512.FusedMultiplyAdd(lo1, t, b2);
                b3 = Vector512.FusedMultiplyAdd(hi1, t, b3);
            }
            // Head 1 is stored last, so that a head passed twice ends with its (identical) sums either way.
            a0.Store(o0 + c);
            a1.Store(o0 + c + 16);
            a2.Store(o0 + c + 32);
            a3.Store(o0 + c + 48);
            b0.Store(o1 + c);
            b1.Store(o1 + c + 16);
            b2.Store(o1 + c + 32);
            b3.Store(o1 + c + 48);
        }
    }

    /// <summary>[Σ a, Σ b, Σ c, Σ d] of four 16-lane vectors: halves added, then two rounds of horizontal adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        var ha = a.GetLower() + a.GetUpper();
        var hb = b.GetLower() + b.GetUpper();
        var hc = c.GetLower() + c.GetUpper();
        var hd = d.GetLower() + d.GetUpper();
        // [a01 a23 b01 b23 | a45 a67 b45 b67], [c.. d..], then [a0123 b0123 c0123 d0123 | a4567 b4567 c4567 d4567].
        var h = Avx.HorizontalAdd(Avx.HorizontalAdd(ha, hb), Avx.HorizontalAdd(hc, hd));
        return h.GetLower() + h.GetUpper();
    }
}
