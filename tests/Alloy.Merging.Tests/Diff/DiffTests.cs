// Diff kernels (vector vs scalar twin) and CheckpointDiff on models whose distances are known in closed form.
using Alloy.Merging.Architectures;
using Alloy.Merging.Diff;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Merging.Tests.Diff;

public class DiffTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(1023)]
    [InlineData(1025)]
    [InlineData(4099)]
    public void Vector_kernels_equal_their_scalar_twins(int n)
    {
        var a = TestModels.Random(n, 1);
        var b = TestModels.Random(n, 2);
        var c = TestModels.Random(n, 3);
        for (var i = 0; i < n; i += 5)
            b[i] = c[i]; // zero task-vector entries
        var vector = default(DiffSums);
        DiffKernels.AccumulateVector256(a, b, ref vector);
        DiffKernels.AccumulateTaskVector256(a, b, c, ref vector);
        var scalar = default(DiffSums);
        DiffKernels.AccumulateScalar(a, b, ref scalar);
        DiffKernels.AccumulateTaskScalar(a, b, c, ref scalar);
        // fp32 lanes over blocks of 1024 vs double throughout: relative 1e-5 of the magnitude of the sum.
        foreach (var (x, y) in new[] { (vector.SumA2, scalar.SumA2), (vector.SumB2, scalar.SumB2), (vector.SumD2, scalar.SumD2), (vector.SumAB, scalar.SumAB),
                                       (vector.SumTa2, scalar.SumTa2), (vector.SumTb2, scalar.SumTb2), (vector.SumTaTb, scalar.SumTaTb) })
            Assert.True(Math.Abs(x - y) <= 1e-5 * (1 + Math.Abs(y)), $"{x} vs {y}");
        Assert.Equal(scalar.Count, vector.Count);
        Assert.Equal(scalar.BothNonZero, vector.BothNonZero);
        Assert.Equal(scalar.SignsAgree, vector.SignsAgree);
    }

    [Fact]
    public void Known_distances_come_out_per_tensor_layer_and_module()
    {
        using var temp = new TempFolder();
        var q = TestModels.Random(64, 10);
        var up = TestModels.Random(96, 11);
        var norm = TestModels.Random(8, 12);
        var basePath = TestModels.Write(temp.Sub("c"), DType.F32, [("model.layers.0.self_attn.q_proj.weight", [8, 8], q), ("model.layers.1.mlp.up_proj.weight", [12, 8], up), ("model.norm.weight", [8], norm)]);
        var dq = TestModels.Random(64, 20, 0.1f);
        var dup = TestModels.Random(96, 21, 0.1f);
        float[] Add(float[] x, float[] d, float s) => [.. x.Select((v, i) => v + s * d[i])];
        // A = C + δ; B: attention = 2A (rel L2 1, cosine 1), mlp = C − δ (task vectors opposite), norm = A (identical).
        var qa = Add(q, dq, 1);
        var upa = Add(up, dup, 1);
        var aPath = TestModels.Write(temp.Sub("a"), DType.F32, [("model.layers.0.self_attn.q_proj.weight", [8, 8], qa), ("model.layers.1.mlp.up_proj.weight", [12, 8], upa), ("model.norm.weight", [8], norm)]);
        var bPath = TestModels.Write(temp.Sub("b"), DType.F32, [("model.layers.0.self_attn.q_proj.weight", [8, 8], [.. qa.Select(v => 2 * v)]), ("model.layers.1.mlp.up_proj.weight", [12, 8], Add(up, dup, -1)), ("model.norm.weight", [8], norm), ("extra.weight", [2], [1, 2])]);
        using var a = Checkpoint.Open(aPath);
        using var b = Checkpoint.Open(bPath);
        using var c = Checkpoint.Open(basePath);
        var report = CheckpointDiff.Compute(a, b, c, threads: 2);

        var attention = report.Tensors.Single(t => t.Role.Module == ModuleKind.Attention).Sums;
        Assert.Equal(1.0, attention.RelativeL2, 6);
        Assert.Equal(1.0, attention.Cosine, 6);
        var mlp = report.Tensors.Single(t => t.Role.Module == ModuleKind.Mlp).Sums;
        Assert.Equal(-1.0, mlp.TaskCosine, 6);
        Assert.Equal(0.0, mlp.SignAgreement);
        var normDiff = report.Tensors.Single(t => t.Name == "model.norm.weight").Sums;
        Assert.Equal(0.0, normDiff.RelativeL2);
        Assert.Equal(1.0, normDiff.Cosine, 6);
        Assert.Equal(["layer 0", "layer 1"], report.Layers.Select(l => l.Group));
        Assert.Equal(["attention", "mlp", "norms"], report.Modules.Select(m => m.Group));
        Assert.Equal(3, report.Total.Tensors);
        var uncompared = Assert.Single(report.Uncompared);
        Assert.Equal("extra.weight", uncompared.Name);
        Assert.Contains("only in", uncompared.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bf16_and_f32_copies_of_the_same_weights_are_close_but_not_equal()
    {
        using var temp = new TempFolder();
        var w = TestModels.Random(1000, 5);
        using var a = Checkpoint.Open(TestModels.Write(temp.Sub("a"), DType.F32, [("model.layers.0.mlp.down_proj.weight", [10, 100], w)]));
        using var b = Checkpoint.Open(TestModels.Write(temp.Sub("b"), DType.BF16, [("model.layers.0.mlp.down_proj.weight", [10, 100], w)]));
        var sums = CheckpointDiff.Compute(a, b, null, 1).Total.Sums;
        Assert.InRange(sums.RelativeL2, 1e-4, 4e-3); // bf16 keeps 8 significant bits: relative error ≤ 2^-9 per entry
        Assert.True(sums.Cosine > 0.99999);
    }
}
