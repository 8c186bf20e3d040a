// The batched bf16 product (2 × 8 and 4-row register tiles, panels and column blocks) against the scalar twin for every
// batch size 2–16 and odd shapes that leave row tails (rows % 4), token tails (B % 8, % 4, % 2), pair tails and an odd column.
using Alloy.Inference.Kernels;
using Alloy.Tensors;
using Alloy.Tensors.Conversions;

namespace Alloy.Inference.Tests.Kernels;

public class Bf16BatchMatMulTests
{
    public static TheoryData<int, int, int> Sizes()
    {
        var data = new TheoryData<int, int, int>();
        for (var tokens = 2; tokens <= 16; tokens++)
            data.Add(37, 131, tokens);      // 9 tiles + 1 row tail; 65 pairs = 4·16 + 1, odd column
        data.Add(4, 32, 4);                 // one exact tile, no tail at all
        data.Add(3, 64, 8);                 // rows below one tile: only the single-row dot
        data.Add(8, 1, 5);                  // a single column: no pairs, tails only
        data.Add(301, 515, 8);              // rows split over threads in multiples of 4
        data.Add(130, 1024, 16);            // the hidden size of the benchmark model
        data.Add(66, 3073, 11);
        data.Add(1030, 1056, 9);            // more than one 128-row panel per thread, 2 column blocks (512 + 16 pairs)
        data.Add(1030, 2051, 16);           // 2 token blocks of 8 reuse each panel; 3 column blocks and an odd column
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Both_widths_match_the_scalar_twin(int rows, int cols, int tokens)
    {
        var random = new Random(rows * 7919 + cols * 31 + tokens);
        var values = new float[rows * cols];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        var weights = new byte[values.Length * 2];
        DTypeConversions.FromFloat32(values, DType.BF16, weights);
        DTypeConversions.ToFloat32(weights, DType.BF16, values);
        var x = new float[tokens * cols];
        for (var i = 0; i < x.Length; i++)
            x[i] = (float)(random.NextDouble() * 4 - 2);

        var scalar = new float[tokens * rows];
        MatMul.Multiply(weights, DType.BF16, rows, cols, x, scalar, tokens, VectorWidth.Scalar);
        foreach (var width in new[] { VectorWidth.Vector256, VectorWidth.Vector512 })
        {
            if (!VectorWidths.IsAccelerated(width))
                continue;
            var vector = new float[tokens * rows];
            vector.AsSpan().Fill(float.NaN); // every output must be written
            MatMul.Multiply(weights, DType.BF16, rows, cols, x, vector, tokens, width);
            for (var t = 0; t < tokens; t++)
                for (var r = 0; r < rows; r++)
                {
                    var magnitude = 0.0;
                    for (var c = 0; c < cols; c++)
                        magnitude += Math.Abs(values[r * cols + c] * x[t * cols + c]);
                    var i = t * rows + r;
                    Assert.True(Math.Abs(vector[i] - scalar[i]) <= 1e-6 * magnitude + 1e-7,
                        $"{width} B={tokens} y[{t},{r}] = {vector[i]}, scalar {scalar[i]} (Σ|w·x| = {magnitude})");
                }
        }
    }

    [Fact]
    public void Rows_of_x_do_not_mix()
    {
        // W = identity-like selector: row r picks column r; x rows are distinct so any mix-up shows.
        const int rows = 9, cols = 40, tokens = 7;
        var values = new float[rows * cols];
        for (var r = 0; r < rows; r++)
            values[r * cols + r] = 1;
        var weights = new byte[values.Length * 2];
        DTypeConversions.FromFloat32(values, DType.BF16, weights);
        var x = new float[tokens * cols];
        for (var t = 0; t < tokens; t++)
            for (var c = 0; c < cols; c++)
                x[t * cols + c] = 100 * t + c;
        foreach (var width in new[] { VectorWidth.Vector256, VectorWidth.Vector512 })
        {
            if (!VectorWidths.IsAccelerated(width))
                continue;
            var y = new float[tokens * rows];
            MatMul.Multiply(weights, DType.BF16, rows, cols, x, y, tokens, width);
            for (var t = 0; t < tokens; t++)
                for (var r = 0; r < rows; r++)
                    Assert.Equal(100 * t + r, y[t * rows + r]);
        }
    }
}
