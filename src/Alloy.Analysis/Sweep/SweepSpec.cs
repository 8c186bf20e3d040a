// The parsed sweep spec of `alloy sweep` (DESIGN.md "Sweep spec") as immutable records, and its expansion into named
// variants, each with the mergekit config that builds it. Values only: it opens no model and evaluates nothing.
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Alloy.Merging.Config;
using Alloy.Tensors;

namespace Alloy.Analysis.Sweep;

/// <summary>The models of a sweep. Paths are absolute (relative ones were resolved against the spec file's folder).</summary>
/// <param name="Thinking">The thinking parent (λ = 1).</param>
/// <param name="Instruct">The instruct parent (λ = 0); also the donor of config.json and tokenizer for merged variants.</param>
/// <param name="Base">The shared base for task_arithmetic / ties / dare_*, or null.</param>
public sealed record SweepModels(string Thinking, string Instruct, string? Base);

/// <summary>One entry of <c>methods:</c>: a method swept over λ with fixed parameters and scope, or one mergekit config.</summary>
/// <param name="Method">linear, slerp, task_arithmetic, ties, dare_ties, dare_linear; or <c>config</c> for a config point.</param>
/// <param name="Lambdas">The λ values (thinking weight), in file order; empty for a config point.</param>
/// <param name="Density">density for ties / dare_*, or null for the method's default.</param>
/// <param name="Scale">scale (mergekit's <c>lambda</c> on the combined task vector) for task_arithmetic / ties / dare_*, or null (1).</param>
/// <param name="Layers">The layer scope as written ("12-35"), or null for all layers.</param>
/// <param name="Modules">The module scope (attention, mlp, norms, embeddings, lm_head), or null for all.</param>
/// <param name="ConfigFile">For a config point: the absolute path of the mergekit YAML.</param>
/// <param name="ConfigName">For a config point: its variant name (the <c>name:</c> field, else <c>config-STEM</c>).</param>
/// <param name="Position">Where the entry starts in the spec.</param>
public sealed record SweepMethod(
    string Method,
    ImmutableArray<double> Lambdas,
    double? Density,
    double? Scale,
    string? Layers,
    ImmutableArray<string>? Modules,
    string? ConfigFile,
    string? ConfigName,
    SourcePosition Position);

/// <summary>One entry of <c>benchmarks:</c>.</summary>
/// <param name="Name">A built-in benchmark name (aime25, gpqa-diamond, ...) or a JSONL path (absolute after parsing).</param>
/// <param name="Samples">Samples per problem (k), or null for the evaluator's default.</param>
/// <param name="Grader">math | number | choice | ifeval, or null for the benchmark's own.</param>
/// <param name="Limit">Evaluate only the first N problems, or null for all.</param>
/// <param name="DirectoryName">The folder name of this benchmark under each variant's run folder (unique within the sweep).</param>
/// <param name="Position">Where the entry starts in the spec.</param>
public sealed record SweepBenchmark(string Name, int? Samples, string? Grader, int? Limit, string DirectoryName, SourcePosition Position);

/// <summary>The <c>generation:</c> block; null fields mean the preset's (or the evaluator's) default.</summary>
/// <param name="Preset">A decoding preset name (e.g. qwen3-thinking).</param>
/// <param name="MaxTokens">Maximum new tokens per response.</param>
/// <param name="Seed">Sampling seed.</param>
/// <param name="Temperature">Sampling temperature.</param>
/// <param name="TopP">Nucleus sampling mass.</param>
/// <param name="TopK">Top-k cut-off.</param>
/// <param name="MinP">Min-p cut-off.</param>
public sealed record SweepGeneration(string? Preset, int? MaxTokens, long? Seed, double? Temperature, double? TopP, int? TopK, double? MinP)
{
    /// <summary>Nothing set.</summary>
    public static SweepGeneration Default { get; } = new(null, null, null, null, null, null, null);

    /// <summary>The settings that are set, as (key, text) pairs in a fixed order, for sweep.json and the report.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Describe()
    {
        var list = new List<KeyValuePair<string, string>>();
        void Add(string key, object? value)
        {
            if (value is not null) list.Add(new(key, Convert.ToString(value, CultureInfo.InvariantCulture)!));
        }
        Add("preset", Preset);
        Add("max_tokens", MaxTokens);
        Add("seed", Seed);
        Add("temperature", Temperature);
        Add("top_p", TopP);
        Add("top_k", TopK);
        Add("min_p", MinP);
        return list;
    }
}

/// <summary>The <c>backend:</c> block.</summary>
/// <param name="Type"><c>embedded</c> (in-memory variants, Alloy's engine) or <c>openai</c> (merged folders served over HTTP).</param>
/// <param name="Endpoints">OpenAI-compatible base URLs (openai only).</param>
/// <param name="Serve">A command template with {model} and {port} that serves one merged model (openai only), or null.</param>
public sealed record SweepBackend(string Type, ImmutableArray<string> Endpoints, string? Serve)
{
    /// <summary>The embedded backend.</summary>
    public static SweepBackend Embedded { get; } = new("embedded", [], null);
}

/// <summary>A parsed, validated sweep spec. Build one with <see cref="SweepSpecParser"/>.</summary>
/// <param name="SourceFile">The spec file as given (used in messages and as FILE in positions).</param>
/// <param name="Models">The parents and the base.</param>
/// <param name="Methods">The method entries, in file order.</param>
/// <param name="Benchmarks">The benchmarks, in file order.</param>
/// <param name="Generation">The generation settings.</param>
/// <param name="Backend">The backend.</param>
/// <param name="Output">The run folder (absolute), or null when the spec names none.</param>
public sealed record SweepSpec(
    string SourceFile,
    SweepModels Models,
    ImmutableArray<SweepMethod> Methods,
    ImmutableArray<SweepBenchmark> Benchmarks,
    SweepGeneration Generation,
    SweepBackend Backend,
    string? Output)
{
    /// <summary>The variant name of the instruct parent.</summary>
    public const string InstructName = "instruct";

    /// <summary>The variant name of the thinking parent.</summary>
    public const string ThinkingName = "thinking";

    /// <summary>
    /// Which parent's tokenizer files, chat template and generation config the merged variants use (<c>chat_template:</c>
    /// in the spec): <see cref="InstructName"/> (default) or <see cref="ThinkingName"/>. Each parent always uses its own.
    /// </summary>
    public string TemplateFrom { get; init; } = InstructName;

    /// <summary>The folder of <see cref="TemplateFrom"/>.</summary>
    public string TemplateFolder => TemplateFrom == ThinkingName ? Models.Thinking : Models.Instruct;

    /// <summary>
    /// Expands the spec into variants: the instruct parent (λ = 0) and the thinking parent (λ = 1) first, then every
    /// method × λ in file order. A point that is one of the parents (linear or slerp over the whole model at λ = 0 or 1;
    /// any scoped linear or slerp point at λ = 0, since outside the scope the instruct weights stay) is folded into that
    /// parent, and a point whose name repeats an earlier one is dropped, so every variant is a different model.
    /// </summary>
    /// <exception cref="AlloyInputException">Two different points would get the same name (e.g. λ values equal to 4 decimals).</exception>
    public ImmutableArray<SweepVariant> Expand()
    {
        var result = new List<SweepVariant>
        {
            new(InstructName, "linear", 0.0, ImmutableSortedDictionary<string, string>.Empty, ParentRole.Instruct, null, Methods.IsEmpty ? default : Methods[0].Position),
            new(ThinkingName, "linear", 1.0, ImmutableSortedDictionary<string, string>.Empty, ParentRole.Thinking, null, Methods.IsEmpty ? default : Methods[0].Position),
        };
        var keys = new Dictionary<string, string>(StringComparer.Ordinal); // name → identity
        foreach (SweepMethod entry in Methods)
        {
            if (entry.ConfigFile is { } file)
            {
                string configName = entry.ConfigName!;
                if (result.Any(v => v.Name == configName))
                    throw new AlloyInputException($"{entry.Position}: the config point '{configName}' has the name of another variant; expected a unique name: (variant names name the run folders)");
                result.Add(new SweepVariant(configName, "config", null,
                    ImmutableSortedDictionary<string, string>.Empty.Add("config", Path.GetFileName(file)), ParentRole.None, null, entry.Position, file));
                continue;
            }
            foreach (double lambda in entry.Lambdas)
            {
                SweepVariant? folded = FoldIntoParent(entry, lambda);
                if (folded is not null) continue;
                SweepVariant variant = MakeVariant(entry, lambda);
                string identity = variant.Method + "|" + variant.Lambda!.Value.ToString("R", CultureInfo.InvariantCulture) + "|" + string.Join(';', variant.Params.Select(p => p.Key + "=" + p.Value));
                if (keys.TryGetValue(variant.Name, out string? earlier))
                {
                    if (earlier == identity) continue; // the same model listed twice
                    throw new AlloyInputException($"{entry.Position}: two points are both named '{variant.Name}'; expected λ values that differ in the first 4 decimals");
                }
                keys.Add(variant.Name, identity);
                result.Add(variant);
            }
        }
        return [.. result];
    }

    private static SweepVariant? FoldIntoParent(SweepMethod entry, double lambda)
    {
        bool interpolation = entry.Method is "linear" or "slerp";
        if (!interpolation) return null;
        bool whole = entry.Layers is null && entry.Modules is null;
        if (lambda == 0) return new SweepVariant(InstructName, "linear", 0, ImmutableSortedDictionary<string, string>.Empty, ParentRole.Instruct, null, entry.Position);
        if (lambda == 1 && whole) return new SweepVariant(ThinkingName, "linear", 1, ImmutableSortedDictionary<string, string>.Empty, ParentRole.Thinking, null, entry.Position);
        return null;
    }

    private SweepVariant MakeVariant(SweepMethod entry, double lambda)
    {
        var parameters = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var name = new StringBuilder(entry.Method).Append("-l").Append(FormatNumber(lambda));
        if (entry.Density is double density)
        {
            parameters["density"] = density.ToString("R", CultureInfo.InvariantCulture);
            name.Append("-d").Append(FormatNumber(density));
        }
        if (entry.Scale is double scale && scale != 1)
        {
            parameters["scale"] = scale.ToString("R", CultureInfo.InvariantCulture);
            name.Append("-s").Append(FormatNumber(scale));
        }
        if (entry.Layers is { } layers)
        {
            parameters["layers"] = layers;
            name.Append("-layers").Append(layers.Replace(",", "_", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal));
        }
        if (entry.Modules is { } modules)
        {
            parameters["modules"] = string.Join('+', modules);
            foreach (string module in modules) name.Append('-').Append(module);
        }
        return new SweepVariant(name.ToString(), entry.Method, lambda, parameters.ToImmutable(), ParentRole.None, BuildYaml(entry, lambda), entry.Position);
    }

    /// <summary>
    /// The mergekit YAML of one point. Instruct is always the first model, so it donates config.json and the tokenizer
    /// and out-of-scope tensors are copied from it. λ mapping (DESIGN.md): linear weights (1−λ, λ), i.e.
    /// Θ_I + λ(Θ_T − Θ_I); slerp t = λ from instruct (base) to thinking; task_arithmetic / ties / dare_* weights (1−λ, λ)
    /// over the base with density and scale (mergekit's <c>lambda</c>).
    /// </summary>
    private string BuildYaml(SweepMethod entry, double lambda)
    {
        var yaml = new StringBuilder();
        string instructWeight = Yaml(1 - lambda), thinkingWeight = Yaml(lambda);
        yaml.Append("merge_method: ").Append(entry.Method).Append('\n');
        switch (entry.Method)
        {
            case "linear":
                yaml.Append("models:\n");
                yaml.Append("  - model: ").Append(Quote(Models.Instruct)).Append("\n    parameters: {weight: ").Append(instructWeight).Append("}\n");
                yaml.Append("  - model: ").Append(Quote(Models.Thinking)).Append("\n    parameters: {weight: ").Append(thinkingWeight).Append("}\n");
                break;
            case "slerp":
                yaml.Append("base_model: ").Append(Quote(Models.Instruct)).Append('\n');
                yaml.Append("models:\n  - model: ").Append(Quote(Models.Instruct)).Append("\n  - model: ").Append(Quote(Models.Thinking)).Append('\n');
                yaml.Append("parameters: {t: ").Append(Yaml(lambda)).Append("}\n");
                break;
            default:
                string density = entry.Density is double d ? ", density: " + Yaml(d) : "";
                yaml.Append("base_model: ").Append(Quote(Models.Base!)).Append('\n');
                yaml.Append("models:\n");
                yaml.Append("  - model: ").Append(Quote(Models.Instruct)).Append("\n    parameters: {weight: ").Append(instructWeight).Append(density).Append("}\n");
                yaml.Append("  - model: ").Append(Quote(Models.Thinking)).Append("\n    parameters: {weight: ").Append(thinkingWeight).Append(density).Append("}\n");
                if (entry.Scale is double scale) yaml.Append("parameters: {lambda: ").Append(Yaml(scale)).Append("}\n");
                break;
        }
        if (entry.Layers is { } layers) yaml.Append("layers: ").Append(Quote(layers)).Append('\n');
        if (entry.Modules is { } modules) yaml.Append("modules: [").Append(string.Join(", ", modules)).Append("]\n");
        if (Generation.Seed is long seed && entry.Method.StartsWith("dare", StringComparison.Ordinal)) yaml.Append("seed: ").Append(seed.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return yaml.ToString();
    }

    /// <summary>A λ or parameter in variant names: two decimals at least, up to four when needed (0.80, 0.45, 0.125).</summary>
    public static string FormatNumber(double value) => value.ToString("0.00##", CultureInfo.InvariantCulture);

    private static string Yaml(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}

/// <summary>One model of the spectrum: a parent, a λ point of a method, or a mergekit config point.</summary>
/// <param name="Name">Stable name (<c>instruct</c>, <c>thinking</c>, <c>linear-l0.80</c>, <c>ties-l0.50-d0.20</c>,
/// <c>linear-l0.80-layers12-35-mlp</c>); also its folder name under RUNDIR/variants.</param>
/// <param name="Method">The merge method (<c>linear</c> for the parents, <c>config</c> for a config point).</param>
/// <param name="Lambda">λ, the thinking weight; null for config points.</param>
/// <param name="Params">Parameters other than λ (density, scale, layers, modules, config).</param>
/// <param name="Parent">Which parent this is, or <see cref="ParentRole.None"/> for merges.</param>
/// <param name="ConfigYaml">The generated mergekit YAML for a λ point; null for parents and config points.</param>
/// <param name="Position">The spec entry it came from.</param>
/// <param name="ConfigFile">For a config point: the mergekit YAML file.</param>
public sealed record SweepVariant(
    string Name,
    string Method,
    double? Lambda,
    ImmutableSortedDictionary<string, string> Params,
    ParentRole Parent,
    string? ConfigYaml,
    SourcePosition Position,
    string? ConfigFile = null)
{
    /// <summary>True for the two parents (served from their checkpoints; nothing is merged).</summary>
    public bool IsParent => Parent != ParentRole.None;

    /// <summary>
    /// The merge config that builds this variant, parsed and validated by <see cref="MergeConfigParser"/>.
    /// Errors in a generated config are reported under <c>SPEC#VARIANT</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The variant is a parent.</exception>
    /// <exception cref="AlloyInputException">The config is invalid (a config point's file, or a parameter the method refuses).</exception>
    public MergeConfig ToMergeConfig(string specFile)
    {
        if (IsParent) throw new InvalidOperationException($"'{Name}' is a parent; parents are served from their checkpoints, not merged");
        if (ConfigFile is { } file) return MergeConfigParser.ParseFile(file);
        return MergeConfigParser.Parse(ConfigYaml!, $"{specFile}#{Name}");
    }

    /// <summary>The analysis view of this variant on one benchmark, from its metrics.</summary>
    public SpectrumPoint ToPoint(string benchmark, VariantMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return new SpectrumPoint(Name, Method, Lambda, Params, benchmark, metrics.MeanAtK, metrics.MeanAtKCiLow, metrics.MeanAtKCiHigh,
            metrics.PassAtK, metrics.MeanTokens, metrics.ThinkRatio, metrics.TruncatedRatio, Parent);
    }
}
