// Algebraic properties the merge math must have, on random inputs (CsCheck): endpoints, symmetry, self-merges,
// weight scaling, permutation invariance, density 1 = no trim, and the tiny-tensor fixes.
using Alloy.Merging.Methods;
using CsCheck;

namespace Alloy.Merging.Tests.Methods;

public sealed class PropertyTests
{
    private static readonly Gen<float> Value = Gen.Float[-2f, 2f];

    /// <summary>A shape (1-D or 2-D) and that many random values for base and three models.</summary>
    private static readonly Gen<(int[] Shape, float[] Base, float[][] Models)> Family =
        from rows in Gen.Int[1, 6]
        from cols in Gen.Int[1, 9]
        from twoD in Gen.Bool
        let shape = twoD ? new[] { rows, cols } : new[] { rows * cols }
        from b in Value.Array[rows * cols]
        from m0 in Value.Array[rows * cols]
        from m1 in Value.Array[rows * cols]
        from m2 in Value.Array[rows * cols]
        select (shape, b, new[] { m0, m1, m2 });

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int e = 0; e < expected.Length; e++)
            Assert.True(Math.Abs(expected[e] - actual[e]) <= tolerance * Math.Max(1, Math.Abs(expected[e])),
                $"{what}[{e}]: expected {expected[e]:R}, got {actual[e]:R}");
    }

    private static (string, object)[] G(params (string, object)[] p) => p;

    [Fact]
    public void Slerp_at_t_0_and_1_gives_the_parents()
    {
        Family.Sample(f =>
        {
            float[] at0 = Run.Merge(Slerp.Method, Run.Bind(Slerp.Method, 1, G(("t", 0.0))), "x", f.Shape, [f.Models[0]], f.Base);
            float[] at1 = Run.Merge(Slerp.Method, Run.Bind(Slerp.Method, 1, G(("t", 1.0))), "x", f.Shape, [f.Models[0]], f.Base);
            AssertClose(f.Base, at0, 1e-6, "t=0");
            AssertClose(f.Models[0], at1, 1e-6, "t=1");
        });
    }

    [Fact]
    public void Slerp_is_symmetric_under_swapping_ends_and_t()
    {
        (from f in Family from t in Gen.Double[0, 1] select (f, t)).Sample(p =>
        {
            var (f, t) = p;
            float[] ab = Run.Merge(Slerp.Method, Run.Bind(Slerp.Method, 1, G(("t", t))), "x", f.Shape, [f.Models[0]], f.Base);
            float[] ba = Run.Merge(Slerp.Method, Run.Bind(Slerp.Method, 1, G(("t", 1 - t))), "x", f.Shape, [f.Base], f.Models[0]);
            AssertClose(ab, ba, 1e-5, "slerp swap");
        });
    }

    [Fact]
    public void Nuslerp_weights_pick_a_parent_and_keep_a_model_merged_with_itself()
    {
        Family.Sample(f =>
        {
            foreach (bool flatten in new[] { true, false })
            {
                foreach (bool rowWise in new[] { true, false })
                {
                    var global = G(("nuslerp_flatten", flatten), ("nuslerp_row_wise", rowWise));
                    MethodSettings first = Run.Bind(NuSlerp.Method, 2, global, [("weight", 1.0)], [("weight", 0.0)]);
                    AssertClose(f.Models[0], Run.Merge(NuSlerp.Method, first, "x", f.Shape, [f.Models[0], f.Models[1]], null), 1e-5, "w=(1,0)");
                    MethodSettings half = Run.Bind(NuSlerp.Method, 2, global, [("weight", 0.5)], [("weight", 0.5)]);
                    AssertClose(f.Models[2], Run.Merge(NuSlerp.Method, half, "x", f.Shape, [f.Models[2], f.Models[2]], null), 1e-5, "self");
                    AssertClose(f.Models[2], Run.Merge(NuSlerp.Method, half, "x", f.Shape, [f.Models[2], f.Models[2]], f.Base), 1e-5, "self with base");
                }
            }
        });
    }

    [Fact]
    public void Merging_a_model_with_itself_gives_it_back()
    {
        Family.Sample(f =>
        {
            float[] x = f.Models[0];
            float[][] same = [x, x, x];
            (string, object)[][] weights = [[("weight", 0.2)], [("weight", 0.5)], [("weight", 0.3)]];
            (string, object)[][] trimmed = [[("weight", 0.2), ("density", 0.5)], [("weight", 0.5), ("density", 0.5)], [("weight", 0.3), ("density", 0.5)]];
            AssertClose(x, Run.Merge(Linear.Method, Run.Bind(Linear.Method, 3, [], weights), "x", f.Shape, same, null), 1e-5, "linear");
            AssertClose(x, Run.Merge(MultiSlerp.Method, Run.Bind(MultiSlerp.Method, 3, [], weights), "x", f.Shape, same, null), 1e-5, "multislerp");
            AssertClose(x, Run.Merge(Karcher.Method, Run.Bind(Karcher.Method, 3, [], weights), "x", f.Shape, same, null), 1e-5, "karcher");
            AssertClose(x, Run.Merge(TaskArithmetic.Method, Run.Bind(TaskArithmetic.Method, 3, G(("normalize", true)), weights), "x", f.Shape, same, f.Base), 1e-5, "task_arithmetic");
            AssertClose(x, Run.Merge(Ties.Method, Run.Bind(Ties.Method, 3, [], weights), "x", f.Shape, same, f.Base), 1e-5, "ties density 1");
            AssertClose(x, Run.Merge(ModelStock.Method, Run.Bind(ModelStock.Method, 3, []), "x", f.Shape, same, f.Base), 1e-5, "model_stock");
            AssertClose(x, Run.Merge(Sce.Method, Run.Bind(Sce.Method, 3, []), "x", f.Shape, same, f.Base), 1e-5, "sce");
            AssertClose(x, Run.Merge(Slerp.Method, Run.Bind(Slerp.Method, 1, G(("t", 0.4))), "x", f.Shape, [x], x), 1e-5, "slerp");
            AssertClose(x, Run.Merge(NearSwap.Method, Run.Bind(NearSwap.Method, 1, G(("t", 0.1))), "x", f.Shape, [x], x), 1e-6, "nearswap");
            AssertClose(x, Run.Merge(Surgical.Method, Run.Bind(Surgical.Method, 2, G(("top_k", 0.3), ("trim_scope", "tensor"))), "x", f.Shape, [x, x], null), 0, "surgical");
            AssertClose(x, Run.Merge(AvgOverride.Method, Run.Bind(AvgOverride.Method, 2, G(("top_k", 0.3), ("trim_scope", "tensor"))), "x", f.Shape, [x, x], null), 1e-6, "avg_override");
            // TIES with trimming: every model has the same delta, so the trimmed deltas agree and the disjoint mean is the kept delta.
            float[] tiesTrimmed = Run.Merge(Ties.Method, Run.Bind(Ties.Method, 3, [], trimmed), "x", f.Shape, same, f.Base);
            int changed = tiesTrimmed.Where((v, e) => v != f.Base[e]).Count();
            Assert.True(changed <= Math.Max(1, x.Length / 2));
        }, iter: 50);
    }

    [Fact]
    public void Linear_with_normalize_is_invariant_to_scaling_the_weights()
    {
        (from f in Family from w in Gen.Double[0.05, 1].Array[3] from c in Gen.Double[0.1, 10] select (f, w, c)).Sample(p =>
        {
            var (f, w, c) = p;
            MethodSettings a = Run.Bind(Linear.Method, 3, [], [("weight", w[0])], [("weight", w[1])], [("weight", w[2])]);
            MethodSettings b = Run.Bind(Linear.Method, 3, [], [("weight", w[0] * c)], [("weight", w[1] * c)], [("weight", w[2] * c)]);
            AssertClose(Run.Merge(Linear.Method, a, "x", f.Shape, f.Models, null), Run.Merge(Linear.Method, b, "x", f.Shape, f.Models, null), 1e-5, "scaled weights");
        });
    }

    [Fact]
    public void Ties_with_density_1_and_no_sign_conflict_equals_task_arithmetic()
    {
        (from f in Family from signs in Gen.Bool.Array[f.Base.Length] select (f, signs)).Sample(p =>
        {
            var (f, signs) = p;
            // Same-signed deltas per element: model i = base ± |r_i|.
            float[][] models = f.Models.Select(m => m.Select((v, e) => f.Base[e] + (signs[e] ? 1 : -1) * (Math.Abs(v) + 0.01f)).ToArray()).ToArray();
            (string, object)[][] weights = [[("weight", 0.3)], [("weight", 0.5)], [("weight", 0.9)]];
            float[] ties = Run.Merge(Ties.Method, Run.Bind(Ties.Method, 3, [], weights), "x", f.Shape, models, f.Base);
            float[] ta = Run.Merge(TaskArithmetic.Method, Run.Bind(TaskArithmetic.Method, 3, G(("normalize", true)), weights), "x", f.Shape, models, f.Base);
            AssertClose(ta, ties, 1e-6, "ties vs task_arithmetic");
        });
    }

    [Fact]
    public void Density_1_means_no_trimming()
    {
        Family.Sample(f =>
        {
            (string, object)[][] weights = [[("weight", 0.3), ("density", 1.0)], [("weight", -0.2), ("density", 1.0)], [("weight", 0.9), ("density", 1.0)]];
            float[] ta = Run.Merge(TaskArithmetic.Method, Run.Bind(TaskArithmetic.Method, 3, [], weights), "x", f.Shape, f.Models, f.Base);
            foreach (IMergeMethod linearKind in new[] { DareLinear.Method, Breadcrumbs.Method, DellaLinear.Method })
                AssertClose(ta, Run.Merge(linearKind, Run.Bind(linearKind, 3, G(("normalize", false)), weights), "x", f.Shape, f.Models, f.Base, seed: 5), 1e-6, linearKind.Name);
            float[] ties = Run.Merge(Ties.Method, Run.Bind(Ties.Method, 3, G(("normalize", true)), weights), "x", f.Shape, f.Models, f.Base);
            foreach (IMergeMethod consensusKind in new[] { DareTies.Method, BreadcrumbsTies.Method, Della.Method })
                AssertClose(ties, Run.Merge(consensusKind, Run.Bind(consensusKind, 3, G(("normalize", true)), weights), "x", f.Shape, f.Models, f.Base, seed: 5), 1e-6, consensusKind.Name);
        }, iter: 50);
    }

    [Fact]
    public void Model_order_does_not_matter_where_the_math_is_symmetric()
    {
        Family.Sample(f =>
        {
            int[] order = [2, 0, 1];
            double[] w = [0.2, 0.5, 0.3];
            float[][] permuted = order.Select(i => f.Models[i]).ToArray();
            (string, object)[][] Weights(IEnumerable<int> idx, double density) => idx.Select(i => new (string, object)[] { ("weight", w[i]), ("density", density) }).ToArray();
            (string, object)[][] PlainWeights(IEnumerable<int> idx) => idx.Select(i => new (string, object)[] { ("weight", w[i]) }).ToArray();
            void Check(IMergeMethod method, bool withBase, Func<IEnumerable<int>, (string, object)[][]> perModel, (string, object)[] global, double tolerance = 1e-5)
            {
                float[]? a = null, b = null;
                try
                {
                    a = Run.Merge(method, Run.Bind(method, 3, global, perModel([0, 1, 2])), "x", f.Shape, f.Models, withBase ? f.Base : null);
                }
                catch (Alloy.Tensors.AlloyInputException)
                {
                    // multislerp rejects inputs whose weighted mean direction is zero; then every order must reject them.
                }
                try
                {
                    b = Run.Merge(method, Run.Bind(method, 3, global, perModel(order)), "x", f.Shape, permuted, withBase ? f.Base : null);
                }
                catch (Alloy.Tensors.AlloyInputException)
                {
                }
                Assert.Equal(a is null, b is null);
                if (a is not null) AssertClose(a, b!, tolerance, method.Name);
            }
            Check(Linear.Method, false, PlainWeights, []);
            Check(MultiSlerp.Method, false, PlainWeights, []);
            // Karcher stops when ‖T‖ < tol (1e-5); rounding can stop the two orders one step apart, a difference of order tol.
            Check(Karcher.Method, false, PlainWeights, [], 1e-4);
            Check(TaskArithmetic.Method, true, PlainWeights, []);
            Check(Ties.Method, true, idx => Weights(idx, 0.5), []);
            Check(Breadcrumbs.Method, true, idx => Weights(idx, 0.6), []);
            Check(ModelStock.Method, true, _ => [[], [], []], []);
            Check(Sce.Method, true, _ => [[], [], []], G(("select_topk", 0.5)));
        }, iter: 50);
    }

    [Fact]
    public void Ties_keeps_one_entry_of_a_tiny_tensor_at_tiny_density()
    {
        float[] b = [0.5f], x = [0.75f];
        float[] merged = Run.Merge(Ties.Method, Run.Bind(Ties.Method, 1, [], [("weight", 1.0), ("density", 0.01)]), "one", [1], [x], b);
        Assert.Equal(0.75f, merged[0]);
        float[] none = Run.Merge(Ties.Method, Run.Bind(Ties.Method, 1, [], [("weight", 1.0), ("density", 0.0)]), "one", [1], [x], b);
        Assert.Equal(0.5f, none[0]);
    }

    [Fact]
    public void Breadcrumbs_with_no_outliers_to_remove_keeps_the_delta()
    {
        // 13 entries, gamma 0.01: ⌊0.13⌋ = 0 outliers. mergekit's slice indices[bottom:-0] would zero the whole delta.
        float[] b = new float[13];
        float[] x = Enumerable.Range(1, 13).Select(i => i * 0.1f).ToArray();
        float[] merged = Run.Merge(Breadcrumbs.Method, Run.Bind(Breadcrumbs.Method, 1, [], [("weight", 1.0), ("density", 0.9), ("gamma", 0.01)]), "b", [13], [x], b);
        // ⌊0.9·13⌋ = 11 kept: the two smallest are dropped, nothing from the top.
        float[] expected = x.Select((v, e) => e < 2 ? 0f : v).ToArray();
        Assert.Equal(expected, merged);
    }

    [Fact]
    public void Karcher_honours_weights()
    {
        Family.Sample(f =>
        {
            float[] onlyFirst = Run.Merge(Karcher.Method, Run.Bind(Karcher.Method, 2, [], [("weight", 1.0)], [("weight", 0.0)]), "x", f.Shape, [f.Models[0], f.Models[1]], null);
            AssertClose(f.Models[0], onlyFirst, 1e-5, "weights (1, 0)");
        });
    }

    [Fact]
    public void Nan_propagates_element_wise_in_linear_and_to_the_whole_tensor_in_slerp()
    {
        float[] a = [1, 2, float.NaN, 4], b = [0.5f, -1, 3, 2];
        float[] linear = Run.Merge(Linear.Method, Run.Bind(Linear.Method, 2, [], [("weight", 0.5)], [("weight", 0.5)]), "n", [4], [a, b], null);
        Assert.True(float.IsNaN(linear[2]));
        Assert.Equal(0.75f, linear[0]);
        float[] slerp = Run.Merge(Slerp.Method, Run.Bind(Slerp.Method, 1, G(("t", 0.5))), "n", [4], [a], b);
        Assert.All(slerp, v => Assert.True(float.IsNaN(v)));
    }
}
