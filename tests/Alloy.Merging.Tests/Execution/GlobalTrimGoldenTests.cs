// The executor's trim_scope: global path (GlobalTrimPass, then the merge) against the numpy goldens of
// tools/fixtures/merging/make_goldens.py, which rank over all four golden tensors with a full sort.
using System.Runtime.InteropServices;
using Alloy.Merging.Execution;
using Alloy.Merging.Methods;
using Alloy.Merging.Plan;
using Alloy.Merging.Tests.Methods;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Merging.Tests.Execution;

public sealed class GlobalTrimGoldenTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly List<Checkpoint> _models = [];

    public GlobalTrimGoldenTests()
    {
        // Plan models 0..2 are the golden family's models, 3 is its base; each holds the four golden tensors.
        for (var m = 0; m < 4; m++)
        {
            var index = m;
            var folder = TestModels.Write(_temp.Sub($"m{m}"), DType.F32, [.. Goldens.Tensors.Select(t =>
                (t.Name, t.Shape.Select(d => (long)d).ToArray(), index < 3 ? t.Models[index] : t.Base))]);
            _models.Add(Checkpoint.Open(folder));
        }
    }

    public void Dispose()
    {
        foreach (var m in _models) m.Dispose();
        _temp.Dispose();
    }

    [Theory]
    [InlineData("ties/global")]
    [InlineData("surgical/global")]
    [InlineData("avg_override/global-t")]
    public void ExecutorMatchesTheNumpyGolden(string id)
    {
        var c = Goldens.Case(id);
        var method = MergeMethodRegistry.Get(c.Method, "golden");
        var settings = method.Bind(Goldens.Parameters(c), c.Models.Length); // unresolved: the executor runs the first pass
        TensorSource? Base(string name) => c.Base.ValueKind switch
        {
            System.Text.Json.JsonValueKind.String => new TensorSource(3, name),
            System.Text.Json.JsonValueKind.Number => new TensorSource(c.Base.GetInt32(), name),
            _ => null,
        };
        var plan = new MergePlan(["m0", "m1", "m2", "base"], [.. Goldens.Tensors.Select(t => new PlannedTensor(t.Name, DType.F32,
            [.. t.Shape.Select(d => (long)d)], method, settings, [.. c.Models.Select(i => new TensorSource(i, t.Name))], Base(t.Name), c.Method))], [], c.Seed);
        Assert.True(GlobalTrimPass.IsNeeded(plan));
        var sink = new MemorySink();
        MergeExecutor.Run(plan, _models, sink, new ExecutionOptions(2, 1L << 30));
        foreach (var (name, expected) in c.Outputs)
        {
            var actual = MemoryMarshal.Cast<byte, float>(sink.Tensors[name].Bytes);
            Assert.Equal(expected.Length, actual.Length);
            for (var e = 0; e < expected.Length; e++)
                Assert.True(Math.Abs(actual[e] - expected[e]) <= 1e-6 * Math.Max(1, Math.Abs(expected[e])), $"{id} {name}[{e}]: {actual[e]} vs {expected[e]}");
        }
    }
}
