// Every golden case of tests/fixtures/merging/goldens.json: Alloy's kernels against the independent numpy reference.
// Tolerance: |actual − expected| ≤ 1e-6 · max(1, |expected|) (absolute below 1, relative above), fp32 outputs.
using Alloy.Merging.Methods;

namespace Alloy.Merging.Tests.Methods;

public sealed class GoldenTests
{
    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (string id in Goldens.CaseIds) data.Add(id);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Matches_the_numpy_reference(string id)
    {
        GoldenCase c = Goldens.Case(id);
        IMergeMethod method = MergeMethodRegistry.Get(c.Method, "golden");
        MethodSettings settings = Goldens.Settings(c, method);
        foreach (GoldenTensor t in Goldens.Tensors)
        {
            float[] actual = Run.Merge(method, settings, t.Name, t.Shape, Goldens.ModelsOf(c, t), Goldens.BaseOf(c, t), c.Seed);
            float[] expected = c.Outputs[t.Name];
            Assert.Equal(expected.Length, actual.Length);
            for (int e = 0; e < expected.Length; e++)
            {
                double tolerance = 1e-6 * Math.Max(1, Math.Abs(expected[e]));
                Assert.True(Math.Abs(actual[e] - expected[e]) <= tolerance,
                    $"{id} {t.Name}[{e}]: expected {expected[e]:R}, got {actual[e]:R}");
            }
        }
    }

    [Fact]
    public void Every_registered_method_has_a_golden_case()
    {
        var covered = Goldens.CaseIds.Select(id => id.Split('/')[0]).ToHashSet();
        foreach (IMergeMethod method in MergeMethodRegistry.All) Assert.Contains(method.Name, covered);
    }
}
