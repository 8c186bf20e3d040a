// trim_scope: global end to end against a brute-force reference: thresholds from a full sort of every delta of a
// model, and merges equal to the per-tensor method run on inputs pre-trimmed with those thresholds.
using Alloy.Merging.Config;
using Alloy.Merging.Execution;
using Alloy.Merging.Methods;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;
using Alloy.Tensors.Conversions;
using ParameterValue = Alloy.Merging.Methods.ParameterValue;

namespace Alloy.Merging.Tests.Execution;

public sealed class GlobalTrimTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private static readonly (string Name, long[] Shape, float Scale)[] Layout =
    [
        ("model.layers.0.self_attn.q_proj.weight", [8, 8], 0.1f),
        ("model.layers.1.mlp.up_proj.weight", [16, 8], 0.02f),
        ("model.norm.weight", [8], 0.05f),
    ];

    public GlobalTrimTests()
    {
        var basis = Layout.Select((l, i) => TestModels.Random(Count(l.Shape), 100 + i)).ToArray();
        TestModels.Write(_temp.Sub("base"), DType.F32, [.. Layout.Select((l, i) => (l.Name, l.Shape, basis[i]))]);
        foreach (var (model, seed) in new[] { ("a", 200), ("b", 300) })
            TestModels.Write(_temp.Sub(model), DType.F32, [.. Layout.Select((l, i) =>
                (l.Name, l.Shape, basis[i].Zip(TestModels.Random(basis[i].Length, seed + i, l.Scale), (x, d) => x + d).ToArray()))]);
    }

    public void Dispose() => _temp.Dispose();

    private static int Count(long[] shape) => (int)shape.Aggregate(1L, (a, b) => a * b);

    private float[] Read(string model, string name)
    {
        using var checkpoint = Checkpoint.Open(_temp.Sub(model));
        var t = checkpoint.GetTensor(name);
        var floats = new float[t.ElementCount];
        DTypeConversions.ToFloat32(t.GetBytes(), t.DType, floats);
        return floats;
    }

    private BuiltPlan Build(string yaml, string name)
    {
        var path = _temp.File(name + ".yml");
        File.WriteAllText(path, yaml);
        return PlanBuilder.Build(MergeConfigParser.ParseFile(path), Checkpoint.Open);
    }

    private string Merge(string yaml, string name)
    {
        var built = Build(yaml, name);
        try
        {
            var target = _temp.Sub(name);
            MergedFolderWriter.Write(built, yaml, target, false, new ExecutionOptions(2, 1L << 30), 1L << 30, "test");
            return name;
        }
        finally
        {
            foreach (var m in built.Models) m.Dispose();
        }
    }

    /// <summary>The k-th largest |model − base| over every tensor of the layout, by a full sort.</summary>
    private float BruteForceThreshold(string model, string reference, double fraction)
    {
        var magnitudes = Layout.SelectMany(l => Read(model, l.Name).Zip(Read(reference, l.Name), (x, b) => Math.Abs(x - b))).OrderDescending().ToArray();
        var k = (int)Math.Floor(fraction * magnitudes.Length);
        return magnitudes[k - 1];
    }

    private static string Ties(string scope, double densityA, double densityB, string a = "a", string b = "b") => $"""
        merge_method: ties
        base_model: base
        dtype: float32
        trim_scope: {scope}
        models:
          - model: {a}
            parameters: {"{"}weight: 1, density: {densityA}{"}"}
          - model: {b}
            parameters: {"{"}weight: 0.5, density: {densityB}{"}"}
        """;

    [Fact]
    public void ThresholdsMatchAFullSortOverTheModel()
    {
        var built = Build(Ties("global", 0.3, 0.6), "plan");
        try
        {
            var plan = GlobalTrimPass.Resolve(built.Plan, built.Models);
            var expectedA = BruteForceThreshold("a", "base", 0.3);
            var expectedB = BruteForceThreshold("b", "base", 0.6);
            foreach (var t in plan.Tensors)
            {
                var bands = ((TaskArithmeticSettings)t.Settings!).GlobalBands!;
                Assert.Equal(expectedA, bands[0].Keep.Threshold);
                Assert.Equal(expectedB, bands[1].Keep.Threshold);
                Assert.Equal(RankCut.None, bands[0].Outliers);
            }
            // A per-tensor trim would keep 30% of each tensor; the global one keeps more of the large-delta tensor.
            var q = Read("a", Layout[0].Name).Zip(Read("base", Layout[0].Name), (x, b) => Math.Abs(x - b)).Count(d => d >= expectedA);
            Assert.True(q > 0.3 * 64, $"kept {q} of 64");
        }
        finally
        {
            foreach (var m in built.Models) m.Dispose();
        }
    }

    [Fact]
    public void GlobalTiesEqualsUntrimmedTiesOnPreTrimmedInputs()
    {
        var global = Merge(Ties("global", 0.3, 0.6), "global");
        // The reference: each model's entries below its whole-model threshold replaced by the base's, then no trim.
        foreach (var (model, density) in new[] { ("a", 0.3), ("b", 0.6) })
        {
            var threshold = BruteForceThreshold(model, "base", density);
            TestModels.Write(_temp.Sub(model + "-trimmed"), DType.F32, [.. Layout.Select(l =>
                (l.Name, l.Shape, Read(model, l.Name).Zip(Read("base", l.Name), (x, b) => Math.Abs(x - b) >= threshold ? x : b).ToArray()))]);
        }
        var reference = Merge(Ties("tensor", 1, 1, "a-trimmed", "b-trimmed"), "reference");
        foreach (var l in Layout)
            Assert.Equal(Read(reference, l.Name), Read(global, l.Name));
    }

    [Fact]
    public void BreadcrumbsCutsBothEndsOverTheModel()
    {
        var built = Build("""
            merge_method: breadcrumbs
            base_model: base
            trim_scope: global
            models:
              - model: a
                parameters: {weight: 1, density: 0.5, gamma: 0.1}
              - model: b
                parameters: {weight: 1, density: 0.5, gamma: 0.1}
            """, "breadcrumbs");
        try
        {
            var plan = GlobalTrimPass.Resolve(built.Plan, built.Models);
            var magnitudes = Layout.SelectMany(l => Read("a", l.Name).Zip(Read("base", l.Name), (x, b) => Math.Abs(x - b))).OrderDescending().ToArray();
            var n = magnitudes.Length;
            var (keepTop, removeTop) = ((long)Math.Floor(0.5 * n) + (long)Math.Floor(0.1 * n), (long)Math.Floor(0.1 * n));
            var band = ((TaskArithmeticSettings)plan.Tensors[0].Settings!).GlobalBands![0];
            Assert.Equal(magnitudes[keepTop - 1], band.Keep.Threshold);
            Assert.Equal(magnitudes[removeTop - 1], band.Outliers.Threshold);
        }
        finally
        {
            foreach (var m in built.Models) m.Dispose();
        }
    }

    [Fact]
    public void DensityOneMeansNoTrimming()
    {
        var global = Merge(Ties("global", 1, 1), "global1");
        var tensor = Merge(Ties("tensor", 1, 1), "tensor1");
        foreach (var l in Layout)
            Assert.Equal(Read(tensor, l.Name), Read(global, l.Name));
    }

    [Fact]
    public void OneDensityPerModelIsRequired()
    {
        var built = Build("""
            merge_method: ties
            base_model: base
            trim_scope: global
            models:
              - model: a
                parameters: {weight: 1, density: [0.2, 0.4]}
              - model: b
                parameters: {weight: 1, density: 0.5}
            """, "gradient");
        try
        {
            var error = Assert.Throws<AlloyInputException>(() => GlobalTrimPass.Resolve(built.Plan, built.Models));
            Assert.Contains("needs one density", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var m in built.Models) m.Dispose();
        }
    }

    [Fact]
    public void SurgicalGlobalCutMatchesAFullSort()
    {
        // surgical is an Alloy method outside mergekit's config schema, so the plan is built directly.
        var settings = Surgical.Method.Bind(new ParameterValues(new Dictionary<string, ParameterValue> { ["top_k"] = ParameterValue.Of(0.25) },
            [new Dictionary<string, ParameterValue>(), new Dictionary<string, ParameterValue>()], "test"), 2);
        var plan = new MergePlan(["a", "b"], [.. Layout.Select(l => new PlannedTensor(l.Name, DType.F32, [.. l.Shape], Surgical.Method, settings,
            [new TensorSource(0, l.Name), new TensorSource(1, l.Name)], null, "surgical"))], [], 0);
        using var a = Checkpoint.Open(_temp.Sub("a"));
        using var b = Checkpoint.Open(_temp.Sub("b"));
        var resolved = GlobalTrimPass.Resolve(plan, [a, b]);
        var expected = BruteForceThreshold("b", "a", 0.25);
        foreach (var t in resolved.Tensors)
            Assert.Equal(expected, ((TopKDifferenceSettings)t.Settings!).GlobalCut!.Value.Threshold);
    }

    [Fact]
    public void GlobalTrimIsRefusedForMethodsWithoutIt()
    {
        var error = Assert.Throws<AlloyInputException>(() => Build("""
            merge_method: linear
            trim_scope: global
            models:
              - model: a
                parameters: {weight: 1}
            """, "linear"));
        Assert.Contains("trim_scope: global applies to", error.Message, StringComparison.Ordinal);
    }
}
