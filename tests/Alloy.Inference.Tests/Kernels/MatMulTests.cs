// MatMul: every vector width against the scalar twin, and the scalar twin against a double-precision
// triple loop, on odd sizes that exercise column tails, row tails and token tails.
using System.Runtime.InteropServices;
using Alloy.Inference.Kernels;
using Alloy.Tensors;
using Alloy.Tensors.Conversions;

namespace Alloy.Inference.Tests.Kernels;

public class MatMulTests
{
    public static TheoryData<DType, int, int, int> Sizes()
    {
        var data = new TheoryData<DType, int, int, int>();
        foreach (var dtype in new[] { DType.BF16, DType.F32 })
        {
            data.Add(dtype, 1, 1, 1);
            data.Add(dtype, 3, 7, 1);
            data.Add(dtype, 37, 131, 1);
            data.Add(dtype, 37, 131, 5);
            data.Add(dtype, 2, 33, 4);
            data.Add(dtype, 65, 17, 9);
            data.Add(dtype, 301, 515, 7);   // large enough to split rows over threads
            data.Add(dtype, 301, 515, 1);
        }
        return data;
    }

    private static (byte[] Weights, float[] WeightValues, float[] X) Make(DType dtype, int rows, int cols, int tokens, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * cols];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        var bytes = new byte[values.Length * dtype.SizeOf()];
        DTypeConversions.FromFloat32(values, dtype, bytes);
        DTypeConversions.ToFloat32(bytes, dtype, values); // the values the kernel actually sees
        var x = new float[tokens * cols];
        for (var i = 0; i < x.Length; i++)
            x[i] = (float)(random.NextDouble() * 4 - 2);
        return (bytes, values, x);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_vector_width_matches_the_scalar_twin(DType dtype, int rows, int cols, int tokens)
    {
        var (weights, values, x) = Make(dtype, rows, cols, tokens, rows * 1000 + cols);
        var scalar = new float[tokens * rows];
        MatMul.Multiply(weights, dtype, rows, cols, x, scalar, tokens, VectorWidth.Scalar);
        foreach (var width in new[] { VectorWidth.Vector256, VectorWidth.Vector512 })
        {
            if (!VectorWidths.IsAccelerated(width))
                continue;
            var vector = new float[tokens * rows];
            MatMul.Multiply(weights, dtype, rows, cols, x, vector, tokens, width);
            for (var t = 0; t < tokens; t++)
                for (var r = 0; r < rows; r++)
                {
                    var magnitude = 0.0;
                    for (var c = 0; c < cols; c++)
                        magnitude += Math.Abs(values[r * cols + c] * x[t * cols + c]);
                    var i = t * rows + r;
                    Assert.True(Math.Abs(vector[i] - scalar[i]) <= 1e-6 * magnitude + 1e-7,
                        $"{width} y[{t},{r}] = {vector[i]}, scalar {scalar[i]} (Σ|w·x| = {magnitude})");
                }
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Scalar_twin_matches_a_double_precision_product(DType dtype, int rows, int cols, int tokens)
    {
        var (weights, values, x) = Make(dtype, rows, cols, tokens, 7 + rows);
        var y = new float[tokens * rows];
        MatMul.Multiply(weights, dtype, rows, cols, x, y, tokens, VectorWidth.Scalar);
        for (var t = 0; t < tokens; t++)
            for (var r = 0; r < rows; r++)
            {
                double exact = 0, magnitude = 0;
                for (var c = 0; c < cols; c++)
                {
                    exact += (double)values[r * cols + c] * x[t * cols + c];
                    magnitude += Math.Abs((double)values[r * cols + c] * x[t * cols + c]);
                }
                Assert.True(Math.Abs(y[t * rows + r] - exact) <= 1e-6 * magnitude + 1e-7, $"y[{t},{r}] = {y[t * rows + r]}, exact {exact}");
            }
    }

    [Fact]
    public void Bf16_weights_are_read_as_the_floats_they_denote()
    {
        // W = [[1, -2], [0.5, 3]] in bf16 bit patterns; x = [2, 1].
        ushort[] bits = [0x3F80, 0xC000, 0x3F00, 0x4040];
        var y = new float[2];
        MatMul.Multiply(MemoryMarshal.AsBytes(bits.AsSpan()), DType.BF16, 2, 2, [2f, 1f], y, 1);
        Assert.Equal([0f, 4f], y);
    }

    [Fact]
    public void Wrong_sizes_and_dtypes_are_refused()
    {
        var y = new float[4];
        Assert.Throws<ArgumentException>(() => MatMul.Multiply(new byte[6], DType.BF16, 2, 2, new float[2], y, 1));
        Assert.Throws<ArgumentException>(() => MatMul.Multiply(new byte[8], DType.F16, 2, 2, new float[2], y, 1));
        Assert.Throws<ArgumentException>(() => MatMul.Multiply(new byte[8], DType.BF16, 2, 2, new float[3], y, 2));
    }
}
