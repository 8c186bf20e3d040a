// Loads tests/fixtures/merging/goldens.json (made by tools/fixtures/merging/make_goldens.py, an independent numpy
// reference) and runs a golden case through the registry, the way an executor would.
using System.Text.Json;
using Alloy.Merging.Methods;

namespace Alloy.Merging.Tests.Methods;

internal sealed record GoldenTensor(string Name, int[] Shape, float[] Base, float[][] Models);

internal sealed record GoldenCase(string Id, string Method, int[] Models, JsonElement Base, ulong Seed,
    JsonElement Global, JsonElement[] PerModel, Dictionary<string, float[]> Outputs);

internal static class Goldens
{
    private static readonly Lazy<(GoldenTensor[] Tensors, GoldenCase[] Cases)> Data = new(Load);

    public static GoldenTensor[] Tensors => Data.Value.Tensors;

    public static GoldenCase Case(string id) => Data.Value.Cases.Single(c => c.Id == id);

    public static IEnumerable<string> CaseIds => Data.Value.Cases.Select(c => c.Id);

    /// <summary>The repository's tests/fixtures/merging folder, found by walking up from the test assembly.</summary>
    public static string FixtureDirectory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "fixtures", "merging");
            if (File.Exists(Path.Combine(candidate, "goldens.json"))) return candidate;
        }
        throw new InvalidOperationException("tests/fixtures/merging/goldens.json not found above " + AppContext.BaseDirectory);
    }

    private static (GoldenTensor[], GoldenCase[]) Load()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory(), "goldens.json")));
        JsonElement root = doc.RootElement;
        GoldenTensor[] tensors = root.GetProperty("tensors").EnumerateArray().Select(t => new GoldenTensor(
            t.GetProperty("name").GetString()!,
            t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            Floats(t.GetProperty("base")),
            t.GetProperty("models").EnumerateArray().Select(Floats).ToArray())).ToArray();
        GoldenCase[] cases = root.GetProperty("cases").EnumerateArray().Select(c => new GoldenCase(
            c.GetProperty("id").GetString()!,
            c.GetProperty("method").GetString()!,
            c.GetProperty("models").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            c.GetProperty("base").Clone(),
            c.GetProperty("seed").GetUInt64(),
            c.GetProperty("global").Clone(),
            c.GetProperty("per_model").EnumerateArray().Select(x => x.Clone()).ToArray(),
            c.GetProperty("outputs").EnumerateObject().ToDictionary(p => p.Name, p => Floats(p.Value)))).ToArray();
        return (tensors, cases);
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();

    private static ParameterValue Value(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => ParameterValue.Of(e.GetDouble()),
        JsonValueKind.True => ParameterValue.Of(true),
        JsonValueKind.False => ParameterValue.Of(false),
        JsonValueKind.String => ParameterValue.Of(e.GetString()!),
        _ => throw new InvalidOperationException("unexpected parameter value " + e),
    };

    private static Dictionary<string, ParameterValue> Values(JsonElement obj) =>
        obj.EnumerateObject().ToDictionary(p => p.Name, p => Value(p.Value));

    public static ParameterValues Parameters(GoldenCase c) =>
        new(Values(c.Global), c.PerModel.Select(Values).ToList(), "golden " + c.Id);

    public static float[][] ModelsOf(GoldenCase c, GoldenTensor t) => c.Models.Select(i => t.Models[i]).ToArray();

    public static float[]? BaseOf(GoldenCase c, GoldenTensor t) => c.Base.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => t.Base,
        JsonValueKind.Number => t.Models[c.Base.GetInt32()],
        _ => throw new InvalidOperationException("unexpected base " + c.Base),
    };

    /// <summary>Binds the case's parameters; for global trims, computes the model-wide cuts as an executor would.</summary>
    public static MethodSettings Settings(GoldenCase c, IMergeMethod method)
    {
        MethodSettings settings = method.Bind(Parameters(c), c.Models.Length);
        switch (settings)
        {
            case TaskArithmeticSettings ta when ta.TrimScope == TrimScope.Global:
            {
                var bands = new TrimBand[c.Models.Length];
                for (int i = 0; i < c.Models.Length; i++)
                {
                    var estimator = new MagnitudeThresholdEstimator();
                    foreach (GoldenTensor t in Tensors) estimator.AddDifferences(ModelsOf(c, t)[i], BaseOf(c, t)!);
                    estimator.BeginRefinement(MagnitudeSelection.CountForFraction(ta.Densities[i], estimator.Count));
                    foreach (GoldenTensor t in Tensors) estimator.RefineDifferences(ModelsOf(c, t)[i], BaseOf(c, t)!);
                    bands[i] = new TrimBand(estimator.Cut(), RankCut.None);
                }
                return ta with { GlobalBands = bands };
            }
            case TopKDifferenceSettings tk when tk.TrimScope == TrimScope.Global:
            {
                var estimator = new MagnitudeThresholdEstimator();
                foreach (GoldenTensor t in Tensors) estimator.AddDifferences(ModelsOf(c, t)[1], ModelsOf(c, t)[0]);
                estimator.BeginRefinement(MagnitudeSelection.CountForFraction(tk.TopK, estimator.Count));
                foreach (GoldenTensor t in Tensors) estimator.RefineDifferences(ModelsOf(c, t)[1], ModelsOf(c, t)[0]);
                return tk with { GlobalCut = estimator.Cut() };
            }
            default:
                return settings;
        }
    }
}

/// <summary>Runs one tensor through a method with freshly sized output and scratch.</summary>
internal static class Run
{
    public static float[] Merge(IMergeMethod method, MethodSettings settings, string name, int[] shape, float[][] models,
        float[]? baseTensor, ulong seed = 0)
    {
        ReadOnlyMemory<float>[] memories = models.Select(m => (ReadOnlyMemory<float>)m).ToArray();
        var inputs = new MergeInputs(name, shape, memories, baseTensor, baseTensor is not null, seed);
        var output = new float[inputs.Length];
        var scratch = new float[method.ScratchLength(shape, models.Length, settings)];
        method.Merge(inputs, settings, output, scratch);
        return output;
    }

    /// <summary>Binds global parameters given as name/value pairs and per-model dictionaries.</summary>
    public static MethodSettings Bind(IMergeMethod method, int models, (string, object)[] global, params (string, object)[][] perModel)
    {
        static ParameterValue V(object o) => o switch
        {
            bool b => ParameterValue.Of(b),
            string s => ParameterValue.Of(s),
            _ => ParameterValue.Of(Convert.ToDouble(o, System.Globalization.CultureInfo.InvariantCulture)),
        };
        var g = global.ToDictionary(p => p.Item1, p => V(p.Item2));
        var pm = perModel.Select(list => (IReadOnlyDictionary<string, ParameterValue>)list.ToDictionary(p => p.Item1, p => V(p.Item2))).ToList();
        return method.Bind(new ParameterValues(g, pm, "test"), models);
    }
}
