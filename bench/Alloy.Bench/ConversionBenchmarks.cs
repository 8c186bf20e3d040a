// Micro benchmarks of the dtype conversion kernels (bf16 and f16 <-> f32), each vector path against its scalar twin.
// Figures go to docs/benchmarks.md by hand; nothing here asserts a speed.
using Alloy.Tensors.Conversions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Alloy.Bench;

[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public class ConversionBenchmarks
{
    private ushort[] _bf16 = [];
    private ushort[] _f16 = [];
    private float[] _floats = [];
    private float[] _floatOutput = [];
    private ushort[] _halfOutput = [];

    /// <summary>Elements per call: 1M (fits in L2/L3 on most servers) and 16M (64 MB of floats, memory-bound).</summary>
    [Params(1 << 20, 1 << 24)]
    public int Elements { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _floats = new float[Elements];
        for (int i = 0; i < Elements; i++)
            _floats[i] = (float)((random.NextDouble() - 0.5) * 4.0); // weight-like magnitudes
        _bf16 = new ushort[Elements];
        _f16 = new ushort[Elements];
        BFloat16Conversions.FromSingle(_floats, _bf16);
        HalfConversions.FromSingle(_floats, _f16);
        _floatOutput = new float[Elements];
        _halfOutput = new ushort[Elements];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("BF16->F32")]
    public void Bf16ToF32_Scalar() => BFloat16Conversions.ToSingleScalar(_bf16, _floatOutput);

    [Benchmark, BenchmarkCategory("BF16->F32")]
    public void Bf16ToF32_Vector256() => BFloat16Conversions.ToSingleVector256(_bf16, _floatOutput);

    [Benchmark, BenchmarkCategory("BF16->F32")]
    public void Bf16ToF32_Dispatch() => BFloat16Conversions.ToSingle(_bf16, _floatOutput);

    [Benchmark(Baseline = true), BenchmarkCategory("F32->BF16")]
    public void F32ToBf16_Scalar() => BFloat16Conversions.FromSingleScalar(_floats, _halfOutput);

    [Benchmark, BenchmarkCategory("F32->BF16")]
    public void F32ToBf16_Vector256() => BFloat16Conversions.FromSingleVector256(_floats, _halfOutput);

    [Benchmark, BenchmarkCategory("F32->BF16")]
    public void F32ToBf16_Dispatch() => BFloat16Conversions.FromSingle(_floats, _halfOutput);

    [Benchmark(Baseline = true), BenchmarkCategory("F16->F32")]
    public void F16ToF32_Scalar() => HalfConversions.ToSingleScalar(_f16, _floatOutput);

    [Benchmark, BenchmarkCategory("F16->F32")]
    public void F16ToF32_TensorPrimitives() => HalfConversions.ToSingle(_f16, _floatOutput);

    [Benchmark(Baseline = true), BenchmarkCategory("F32->F16")]
    public void F32ToF16_Scalar() => HalfConversions.FromSingleScalar(_floats, _halfOutput);

    [Benchmark, BenchmarkCategory("F32->F16")]
    public void F32ToF16_TensorPrimitives() => HalfConversions.FromSingle(_floats, _halfOutput);
}
