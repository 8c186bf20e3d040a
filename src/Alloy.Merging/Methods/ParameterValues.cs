// Raw parameter values as the config layer resolved them for one tensor, and the checked reads methods make of them.
// Parsing YAML, gradients and filters is the config layer's job; this only holds scalars and validates them.
using System.Globalization;
using Alloy.Tensors;

namespace Alloy.Merging.Methods;

/// <summary>One scalar parameter value: a number, a boolean or a word.</summary>
public readonly record struct ParameterValue
{
    private ParameterValue(double? number, bool? flag, string? text)
    {
        Number = number;
        Flag = flag;
        Text = text;
    }

    /// <summary>The value when it is a number.</summary>
    public double? Number { get; }

    /// <summary>The value when it is a boolean.</summary>
    public bool? Flag { get; }

    /// <summary>The value when it is a word.</summary>
    public string? Text { get; }

    /// <summary>A number.</summary>
    public static ParameterValue Of(double number) => new(number, null, null);

    /// <summary>A boolean.</summary>
    public static ParameterValue Of(bool flag) => new(null, flag, null);

    /// <summary>A word.</summary>
    public static ParameterValue Of(string text) => new(null, null, text);

    /// <inheritdoc/>
    public override string ToString() =>
        Number is double n ? n.ToString("R", CultureInfo.InvariantCulture)
        : Flag is bool f ? (f ? "true" : "false")
        : Text ?? "";
}

/// <summary>The resolved parameters of one merge for one tensor: the global ones and one set per non-base model.</summary>
public sealed class ParameterValues
{
    private static readonly IReadOnlyDictionary<string, ParameterValue> Empty = new Dictionary<string, ParameterValue>();

    /// <summary>Creates the set.</summary>
    /// <param name="global">Global parameters by name.</param>
    /// <param name="perModel">Per-model parameters by name, one dictionary per non-base model in input order (may be empty).</param>
    /// <param name="context">Where these came from, for messages (e.g. "config.yml, tensor model.layers.3.mlp.up_proj.weight").</param>
    public ParameterValues(IReadOnlyDictionary<string, ParameterValue>? global,
        IReadOnlyList<IReadOnlyDictionary<string, ParameterValue>>? perModel, string context)
    {
        Global = global ?? Empty;
        PerModel = perModel ?? [];
        Context = context ?? "";
    }

    /// <summary>Global parameters.</summary>
    public IReadOnlyDictionary<string, ParameterValue> Global { get; }

    /// <summary>Per-model parameters.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, ParameterValue>> PerModel { get; }

    /// <summary>Where these came from, for messages.</summary>
    public string Context { get; }

    /// <summary>Global parameters only, for tests and simple callers.</summary>
    public static ParameterValues FromGlobal(params (string Name, ParameterValue Value)[] global) =>
        new(global.ToDictionary(p => p.Name, p => p.Value), null, "");
}

/// <summary>Checked, typed reads of <see cref="ParameterValues"/> against a method's <see cref="ParameterSpec"/> list.</summary>
internal sealed class ParameterReader
{
    private readonly IMergeMethod method;
    private readonly ParameterValues values;

    /// <summary>Checks that no unknown parameter is present and that there are values for <paramref name="modelCount"/> models at most.</summary>
    public ParameterReader(IMergeMethod method, ParameterValues values, int modelCount)
    {
        this.method = method;
        this.values = values;
        if (modelCount < method.MinModels || modelCount > method.MaxModels)
        {
            string range = method.MinModels == method.MaxModels ? $"exactly {method.MinModels}"
                : method.MaxModels == int.MaxValue ? $"at least {method.MinModels}" : $"{method.MinModels} to {method.MaxModels}";
            string baseNote = method.BaseModel == BaseModelUse.Required ? " besides the base model" : method.BaseModel == BaseModelUse.Optional ? " (not counting an optional base)" : "";
            throw Error($"takes {range} model{(method.MaxModels == 1 ? "" : "s")}{baseNote}, got {modelCount}");
        }
        if (values.PerModel.Count > modelCount)
            throw Error($"per-model parameters are given for {values.PerModel.Count} models but the merge has {modelCount}");
        string accepted = string.Join(", ", method.Parameters.Select(p => p.Name));
        foreach (string name in values.Global.Keys)
        {
            if (!method.Parameters.Any(p => p.Name == name))
                throw Error($"unknown parameter '{name}'; it accepts: {accepted}");
        }
        for (int i = 0; i < values.PerModel.Count; i++)
        {
            foreach (string name in values.PerModel[i].Keys)
            {
                if (!method.Parameters.Any(p => p.Name == name))
                    throw Error($"unknown parameter '{name}' on model {i}; it accepts: {accepted}");
            }
        }
    }

    /// <summary>A user-facing error naming the method and the context.</summary>
    public AlloyInputException Error(string what) =>
        new($"{(values.Context.Length > 0 ? values.Context + ": " : "")}merge method '{method.Name}': {what}");

    private ParameterSpec Spec(string name) =>
        method.Parameters.FirstOrDefault(p => p.Name == name)
        ?? throw new InvalidOperationException($"{method.Name} reads undeclared parameter {name}");

    private ParameterValue? Lookup(string name, int model)
    {
        // Per-model values override global ones, as in mergekit (a per-model parameter may be set globally for all models).
        if (model >= 0 && model < values.PerModel.Count && values.PerModel[model].TryGetValue(name, out ParameterValue v)) return v;
        if (values.Global.TryGetValue(name, out ParameterValue g)) return g;
        return Spec(name).Default;
    }

    private string Where(string name, int model) => model >= 0 ? $"parameter '{name}' of model {model}" : $"parameter '{name}'";

    /// <summary>True when the parameter has a value (given or defaulted).</summary>
    public bool Has(string name, int model = -1) => Lookup(name, model) is not null;

    /// <summary>A number (finite), checked against [min, max]; <paramref name="hint"/> is appended to range errors.</summary>
    public double Number(string name, int model = -1, double min = double.NegativeInfinity, double max = double.PositiveInfinity, string hint = "")
    {
        ParameterValue? v = Lookup(name, model);
        if (v is null) throw Error($"{Where(name, model)} is required");
        if (v.Value.Number is not double x || !double.IsFinite(x))
            throw Error($"{Where(name, model)} must be a finite number, got '{v}'");
        if (x < min || x > max)
            throw Error($"{Where(name, model)} must be in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}], got {x.ToString("R", CultureInfo.InvariantCulture)}{hint}");
        return x;
    }

    /// <summary>A whole number in [min, max].</summary>
    public int Integer(string name, int min, int max)
    {
        double x = Number(name, -1, min, max);
        if (x != Math.Floor(x)) throw Error($"{Where(name, -1)} must be a whole number, got {x.ToString("R", CultureInfo.InvariantCulture)}");
        return (int)x;
    }

    /// <summary>A boolean.</summary>
    public bool Flag(string name, int model = -1)
    {
        ParameterValue? v = Lookup(name, model);
        if (v is null) throw Error($"{Where(name, model)} is required");
        return v.Value.Flag ?? throw Error($"{Where(name, model)} must be true or false, got '{v}'");
    }

    /// <summary>One of the spec's choices.</summary>
    public string Choice(string name)
    {
        ParameterSpec spec = Spec(name);
        ParameterValue? v = Lookup(name, -1);
        if (v is null) throw Error($"{Where(name, -1)} is required");
        string? text = v.Value.Text;
        if (text is null || spec.Choices is null || !spec.Choices.Contains(text))
            throw Error($"{Where(name, -1)} must be one of {string.Join(", ", spec.Choices ?? [])}, got '{v}'");
        return text;
    }

    /// <summary>The per-model number for every model.</summary>
    public float[] PerModelNumbers(string name, int modelCount, double min = double.NegativeInfinity, double max = double.PositiveInfinity, string hint = "")
    {
        var result = new float[modelCount];
        for (int i = 0; i < modelCount; i++) result[i] = (float)Number(name, i, min, max, hint);
        return result;
    }
}
