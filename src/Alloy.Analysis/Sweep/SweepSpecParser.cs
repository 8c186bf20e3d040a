// Reads a sweep spec (YAML) into a SweepSpec with the merge config layer's hostile-input loader; every error reads
// FILE:LINE:COL: what is wrong; what is expected. It checks the text only: the models it names are not opened here.
using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Alloy.Merging.Config;
using Alloy.Tensors;
using YamlDotNet.RepresentationModel;

namespace Alloy.Analysis.Sweep;

/// <summary>Parses sweep specs (DESIGN.md "Sweep spec").</summary>
public static partial class SweepSpecParser
{
    /// <summary>The methods a sweep entry may name (besides <c>config: FILE</c> points).</summary>
    public static ImmutableArray<string> MethodNames { get; } = ["linear", "slerp", "task_arithmetic", "ties", "dare_ties", "dare_linear"];

    private static readonly string[] TopKeys = ["models", "methods", "benchmarks", "generation", "backend", "output", "chat_template"];
    private static readonly string[] ModelKeys = ["thinking", "instruct", "base"];
    private static readonly string[] MethodKeys = ["method", "lambda", "density", "scale", "layers", "modules", "config", "name"];
    private static readonly string[] BenchmarkKeys = ["name", "samples", "grader", "limit"];
    private static readonly string[] GenerationKeys = ["preset", "max_tokens", "seed", "temperature", "top_p", "top_k", "min_p"];
    private static readonly string[] BackendKeys = ["type", "endpoints", "serve"];
    private static readonly string[] Graders = ["math", "number", "choice", "ifeval"];
    private static readonly string[] ModuleNames = ["attention", "mlp", "norms", "embeddings", "lm_head"];
    private static readonly string[] BaseMethods = ["task_arithmetic", "ties", "dare_ties", "dare_linear"];

    /// <summary>Reads and parses a spec file; relative paths in it are resolved against the file's folder.</summary>
    /// <exception cref="AlloyInputException">The file is missing, unreadable, too large or not a valid spec.</exception>
    public static SweepSpec ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new AlloyInputException($"{path}: the sweep spec file does not exist; expected a YAML file path");
        if (info.Length > YamlLoader.MaxBytes)
            throw new AlloyInputException($"{path}:1:1: the spec is {info.Length} bytes; expected at most {YamlLoader.MaxBytes} bytes (a sweep spec is a few KB)");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AlloyInputException($"{path}: the sweep spec cannot be read ({e.Message}); expected a readable YAML file", e);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Parses spec text.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="fileName">FILE in error positions.</param>
    /// <param name="baseDirectory">The folder relative model, benchmark, config and output paths are resolved against.</param>
    /// <exception cref="AlloyInputException">The text is not a valid spec.</exception>
    public static SweepSpec Parse(string yaml, string fileName, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        YamlNode? root = YamlLoader.Load(yaml, fileName);
        var values = new YamlValues(fileName);
        if (root is null || YamlValues.IsNull(root))
            throw ConfigErrors.At(new SourcePosition(fileName, 1, 1), "the sweep spec is empty", "expected a mapping with models, methods and benchmarks");
        var reader = new Reader(values, baseDirectory);
        return reader.Read(values.Mapping(root, "the sweep spec", "expected a mapping with models, methods and benchmarks"));
    }

    private sealed class Reader(YamlValues yaml, string baseDirectory)
    {
        public SweepSpec Read(YamlMappingNode map)
        {
            SweepModels? models = null;
            SourcePosition? modelsPosition = null;
            var methods = ImmutableArray<SweepMethod>.Empty;
            var benchmarks = ImmutableArray<SweepBenchmark>.Empty;
            SourcePosition? methodsKey = null, benchmarksKey = null;
            SweepGeneration generation = SweepGeneration.Default;
            SweepBackend backend = SweepBackend.Embedded;
            string? output = null;
            string templateFrom = SweepSpec.InstructName;
            foreach (var (key, keyNode, value) in yaml.Entries(map, TopKeys, "the sweep spec"))
            {
                switch (key)
                {
                    case "models":
                        modelsPosition = yaml.Pos(keyNode);
                        models = ReadModels(value);
                        break;
                    case "methods":
                        methodsKey = yaml.Pos(keyNode);
                        methods = ReadMethods(value);
                        break;
                    case "benchmarks":
                        benchmarksKey = yaml.Pos(keyNode);
                        benchmarks = ReadBenchmarks(value);
                        break;
                    case "generation":
                        generation = ReadGeneration(value);
                        break;
                    case "backend":
                        backend = ReadBackend(value);
                        break;
                    case "output":
                        output = Resolve(yaml.Text(value, "output", "expected the run folder path, e.g. runs/qwen3-4b"));
                        break;
                    case "chat_template":
                        templateFrom = yaml.Text(value, "chat_template", "expected instruct or thinking (which parent's tokenizer and chat template the merges use)");
                        if (templateFrom is not (SweepSpec.InstructName or SweepSpec.ThinkingName))
                            throw ConfigErrors.At(yaml.Pos(value), $"chat_template '{templateFrom}' is not a parent", "expected instruct or thinking (which parent's tokenizer and chat template the merges use)");
                        break;
                }
            }
            SourcePosition root = yaml.Pos(map);
            if (models is null)
                throw ConfigErrors.At(root, "the key 'models' is missing", "expected models: {thinking: PATH, instruct: PATH[, base: PATH]}");
            if (benchmarks.IsEmpty)
                throw ConfigErrors.At(benchmarksKey ?? root, benchmarksKey is null ? "the key 'benchmarks' is missing" : "benchmarks is empty",
                    "expected benchmarks: a list of - name: aime25 (or a JSONL path)");
            if (methodsKey is { } mk && methods.IsEmpty)
                throw ConfigErrors.At(mk, "methods is empty", "expected at least one - method: linear entry, or leave methods out to evaluate the parents only");
            foreach (SweepMethod m in methods)
            {
                if (BaseMethods.Contains(m.Method) && models.Base is null)
                    throw ConfigErrors.At(m.Position, $"method '{m.Method}' needs models.base (its task vectors are taken over the base)",
                        $"expected models: {{base: PATH}} (at {modelsPosition}) or a method without a base (linear, slerp)");
            }
            var spec = new SweepSpec(yaml.File, models, methods, benchmarks, generation, backend, output) { TemplateFrom = templateFrom };
            spec.Expand(); // name clashes are spec errors, found now rather than mid-sweep
            return spec;
        }

        private SweepModels ReadModels(YamlNode value)
        {
            var map = yaml.Mapping(value, "models", "expected a mapping {thinking: PATH, instruct: PATH[, base: PATH]}");
            string? thinking = null, instruct = null, @base = null;
            foreach (var (key, _, v) in yaml.Entries(map, ModelKeys, "models"))
            {
                string text = yaml.Text(v, "models." + key, "expected a model folder path");
                string path = Resolve(text);
                // A hub model (org/name[@revision]) that is no local path stays as written; `alloy sweep` fetches it.
                if (!Directory.Exists(path) && !File.Exists(path) && Alloy.Tensors.Hub.ModelReference.TryParse(text, out _, out _))
                    path = text;
                switch (key)
                {
                    case "thinking": thinking = path; break;
                    case "instruct": instruct = path; break;
                    default: @base = path; break;
                }
            }
            if (thinking is null)
                throw ConfigErrors.At(yaml.Pos(map), "models.thinking is missing", "expected thinking: PATH (the long chain-of-thought model, λ = 1)");
            if (instruct is null)
                throw ConfigErrors.At(yaml.Pos(map), "models.instruct is missing", "expected instruct: PATH (the short-answer model, λ = 0)");
            return new SweepModels(thinking, instruct, @base);
        }

        private ImmutableArray<SweepMethod> ReadMethods(YamlNode value)
        {
            var list = yaml.Sequence(value, "methods", "expected a list of - method: NAME entries with lambda: [...]");
            var result = ImmutableArray.CreateBuilder<SweepMethod>();
            foreach (YamlNode item in list.Children)
                result.Add(ReadMethod(item));
            return result.ToImmutable();
        }

        private SweepMethod ReadMethod(YamlNode node)
        {
            var map = yaml.Mapping(node, "a methods entry", "expected a mapping such as {method: linear, lambda: [0.2, 0.5, 0.8]} or {config: FILE.yml}");
            SourcePosition position = yaml.Pos(map);
            string? method = null, layers = null, config = null, name = null;
            ImmutableArray<double> lambdas = [];
            bool lambdaGiven = false;
            double? density = null, scale = null;
            ImmutableArray<string>? modules = null;
            var seen = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
            foreach (var (key, keyNode, v) in yaml.Entries(map, MethodKeys, "a methods entry"))
            {
                seen[key] = yaml.Pos(keyNode);
                switch (key)
                {
                    case "method":
                        method = Choice(v, "method", [.. MethodNames]);
                        break;
                    case "lambda":
                        lambdaGiven = true;
                        lambdas = ReadLambdas(v);
                        break;
                    case "density":
                        density = Number(v, "density", 0, 1, "expected the fraction of each task vector kept, in (0, 1], e.g. 0.2", exclusiveMin: true);
                        break;
                    case "scale":
                        scale = Number(v, "scale", 0, 100, "expected a positive scale of the combined task vector such as 1.0", exclusiveMin: true);
                        break;
                    case "layers":
                        layers = ReadLayers(v);
                        break;
                    case "modules":
                        modules = ReadModules(v);
                        break;
                    case "config":
                        config = Resolve(yaml.Text(v, "config", "expected the path of a mergekit YAML file"));
                        break;
                    case "name":
                        name = yaml.Text(v, "name", "expected a variant name such as my-merge");
                        if (!SafeName().IsMatch(name))
                            throw ConfigErrors.At(yaml.Pos(v), $"name {ConfigErrors.Quote(name)} is not a safe folder name",
                                "expected letters, digits, '.', '_', '+' and '-' only (it names the variant's run folder)");
                        break;
                }
            }
            if (config is not null)
            {
                foreach (string other in new[] { "method", "lambda", "density", "scale", "layers", "modules" })
                    if (seen.TryGetValue(other, out SourcePosition at))
                        throw ConfigErrors.At(at, $"a config point cannot also set '{other}'", "expected only config: FILE.yml (and optionally name:); put the parameters in the config file");
                if (!File.Exists(config))
                    throw ConfigErrors.At(position, $"config file '{config}' does not exist", "expected the path of a mergekit YAML file (relative paths are taken from the spec's folder)");
                string stem = Path.GetFileNameWithoutExtension(config);
                string variantName = name ?? "config-" + SafeStem(stem);
                return new SweepMethod("config", [], null, null, null, null, config, variantName, position);
            }
            if (name is not null)
                throw ConfigErrors.At(seen["name"], "name is only for config points", "expected variant names to come from method and λ (e.g. linear-l0.80); remove name:");
            if (method is null)
                throw ConfigErrors.At(position, "this methods entry has neither 'method' nor 'config'", "expected method: one of " + string.Join(", ", MethodNames) + ", or config: FILE.yml");
            if (!lambdaGiven)
                throw ConfigErrors.At(position, $"method '{method}' has no 'lambda'", "expected lambda: a list of thinking weights such as [0.2, 0.5, 0.8]");
            bool usesTaskVectors = BaseMethods.Contains(method);
            if (!usesTaskVectors)
            {
                foreach (string other in new[] { "density", "scale" })
                    if (seen.TryGetValue(other, out SourcePosition at))
                        throw ConfigErrors.At(at, $"method '{method}' has no '{other}'", "expected density/scale only with task_arithmetic, ties, dare_ties or dare_linear");
            }
            if (method == "task_arithmetic" && seen.TryGetValue("density", out SourcePosition d))
                throw ConfigErrors.At(d, "task_arithmetic has no 'density'", "expected ties, dare_ties or dare_linear for a density");
            return new SweepMethod(method, lambdas, density, scale, layers, modules, null, null, position);
        }

        private ImmutableArray<double> ReadLambdas(YamlNode value)
        {
            const string expected = "expected a list of thinking weights in [0, 1] such as [0, 0.2, 0.5, 0.8, 1]";
            var list = value is YamlScalarNode ? new YamlSequenceNode(value) : yaml.Sequence(value, "lambda", expected);
            if (list.Children.Count == 0)
                throw ConfigErrors.At(yaml.Pos(value), "lambda is an empty list", expected);
            var result = ImmutableArray.CreateBuilder<double>();
            foreach (YamlNode item in list.Children)
            {
                double lambda = Number(item, "lambda value", 0, 1, expected);
                result.Add(lambda);
            }
            return result.ToImmutable();
        }

        private string ReadLayers(YamlNode value)
        {
            const string expected = "expected an inclusive range \"12-35\", a union \"0-11,24-35\", or a pair [12, 35]";
            if (value is YamlSequenceNode pair)
            {
                if (pair.Children.Count != 2)
                    throw ConfigErrors.At(yaml.Pos(value), $"layers is a list of {pair.Children.Count} numbers", expected);
                long first = yaml.Integer(pair.Children[0], "layers start", 0, 100_000, expected);
                long last = yaml.Integer(pair.Children[1], "layers end", 0, 100_000, expected);
                if (last < first)
                    throw ConfigErrors.At(yaml.Pos(value), $"layers [{first}, {last}] is reversed", expected);
                return string.Create(CultureInfo.InvariantCulture, $"{first}-{last}");
            }
            string text = yaml.Text(value, "layers", expected).Replace(" ", "", StringComparison.Ordinal);
            foreach (string part in text.Split(','))
            {
                Match m = LayerPart().Match(part);
                if (!m.Success)
                    throw ConfigErrors.At(yaml.Pos(value), $"layers part {ConfigErrors.Quote(part)} is not a layer or a range", expected);
                if (m.Groups[2].Success && long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) < long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
                    throw ConfigErrors.At(yaml.Pos(value), $"layers part {ConfigErrors.Quote(part)} is reversed", expected);
            }
            return text;
        }

        private ImmutableArray<string> ReadModules(YamlNode value)
        {
            const string expected = "expected a list drawn from attention, mlp, norms, embeddings, lm_head";
            var list = value is YamlScalarNode ? new YamlSequenceNode(value) : yaml.Sequence(value, "modules", expected);
            if (list.Children.Count == 0)
                throw ConfigErrors.At(yaml.Pos(value), "modules is an empty list", expected + " (leave modules out to merge every module)");
            var result = new List<string>();
            foreach (YamlNode item in list.Children)
            {
                string module = Choice(item, "modules entry", ModuleNames);
                if (result.Contains(module))
                    throw ConfigErrors.At(yaml.Pos(item), $"modules lists '{module}' twice", "expected each module once");
                result.Add(module);
            }
            return [.. result.OrderBy(m => Array.IndexOf(ModuleNames, m))];
        }

        private ImmutableArray<SweepBenchmark> ReadBenchmarks(YamlNode value)
        {
            var list = yaml.Sequence(value, "benchmarks", "expected a list of - name: aime25 entries");
            var result = ImmutableArray.CreateBuilder<SweepBenchmark>();
            var folders = new Dictionary<string, SourcePosition>(StringComparer.OrdinalIgnoreCase);
            foreach (YamlNode item in list.Children)
            {
                var map = yaml.Mapping(item, "a benchmarks entry", "expected a mapping such as {name: aime25, samples: 8}");
                string? name = null;
                int? samples = null, limit = null;
                string? grader = null;
                foreach (var (key, _, v) in yaml.Entries(map, BenchmarkKeys, "a benchmarks entry"))
                {
                    switch (key)
                    {
                        case "name": name = yaml.Text(v, "benchmark name", "expected a built-in name such as aime25 or a JSONL path"); break;
                        case "samples": samples = (int)yaml.Integer(v, "samples", 1, 1024, "expected the samples per problem (k), an integer in [1, 1024]"); break;
                        case "limit": limit = (int)yaml.Integer(v, "limit", 1, int.MaxValue, "expected a positive number of problems"); break;
                        case "grader": grader = Choice(v, "grader", Graders); break;
                    }
                }
                SourcePosition position = yaml.Pos(map);
                if (name is null)
                    throw ConfigErrors.At(position, "this benchmarks entry has no 'name'", "expected name: a built-in benchmark (aime25, gpqa-diamond, ...) or a JSONL path");
                bool isFile = name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal);
                string resolved = isFile ? Resolve(name) : name;
                string folder = SafeStem(isFile ? Path.GetFileNameWithoutExtension(name) : name);
                if (folders.TryGetValue(folder, out SourcePosition first))
                    throw ConfigErrors.At(position, $"benchmark '{name}' would share the run folder '{folder}' with the benchmark at line {first.Line}",
                        "expected each benchmark once (benchmarks whose names differ only in folder or case clash)");
                folders.Add(folder, position);
                result.Add(new SweepBenchmark(resolved, samples, grader, limit, folder, position));
            }
            return result.ToImmutable();
        }

        private SweepGeneration ReadGeneration(YamlNode value)
        {
            var map = yaml.Mapping(value, "generation", "expected a mapping such as {preset: qwen3-thinking, max_tokens: 32768, seed: 0}");
            SweepGeneration g = SweepGeneration.Default;
            foreach (var (key, _, v) in yaml.Entries(map, GenerationKeys, "generation"))
            {
                g = key switch
                {
                    "preset" => g with { Preset = yaml.Text(v, "generation.preset", "expected a preset name such as qwen3-thinking") },
                    "max_tokens" => g with { MaxTokens = (int)yaml.Integer(v, "generation.max_tokens", 1, 1 << 24, "expected a positive token limit such as 32768") },
                    "seed" => g with { Seed = yaml.Integer(v, "generation.seed", 0, long.MaxValue, "expected a non-negative integer seed such as 0") },
                    "temperature" => g with { Temperature = Number(v, "generation.temperature", 0, 10, "expected a temperature in [0, 10] such as 0.6") },
                    "top_p" => g with { TopP = Number(v, "generation.top_p", 0, 1, "expected a nucleus mass in (0, 1] such as 0.95", exclusiveMin: true) },
                    "top_k" => g with { TopK = (int)yaml.Integer(v, "generation.top_k", 0, 1 << 20, "expected a non-negative integer such as 20 (0 = off)") },
                    _ => g with { MinP = Number(v, "generation.min_p", 0, 1, "expected a fraction in [0, 1] such as 0") },
                };
            }
            return g;
        }

        private SweepBackend ReadBackend(YamlNode value)
        {
            var map = yaml.Mapping(value, "backend", "expected a mapping such as {type: embedded}");
            string type = "embedded";
            var endpoints = ImmutableArray<string>.Empty;
            string? serve = null;
            SourcePosition? endpointsAt = null, serveAt = null;
            foreach (var (key, keyNode, v) in yaml.Entries(map, BackendKeys, "backend"))
            {
                switch (key)
                {
                    case "type":
                        type = Choice(v, "backend.type", ["embedded", "openai"]);
                        break;
                    case "endpoints":
                        endpointsAt = yaml.Pos(keyNode);
                        var list = yaml.Sequence(v, "backend.endpoints", "expected a list of base URLs such as [http://gpu-a:8000/v1]");
                        var builder = ImmutableArray.CreateBuilder<string>();
                        foreach (YamlNode e in list.Children)
                        {
                            string url = yaml.Text(e, "an endpoint", "expected an http(s) URL");
                            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                                throw ConfigErrors.At(yaml.Pos(e), $"endpoint {ConfigErrors.Quote(url)} is not an http(s) URL", "expected a URL such as http://localhost:8000/v1");
                            builder.Add(url);
                        }
                        endpoints = builder.ToImmutable();
                        break;
                    case "serve":
                        serveAt = yaml.Pos(keyNode);
                        serve = yaml.Text(v, "backend.serve", "expected a command template such as \"vllm serve {model} --port {port}\"");
                        if (!serve.Contains("{model}", StringComparison.Ordinal) || !serve.Contains("{port}", StringComparison.Ordinal))
                            throw ConfigErrors.At(yaml.Pos(v), "backend.serve lacks {model} or {port}", "expected a command template with both placeholders, e.g. \"vllm serve {model} --port {port}\"");
                        break;
                }
            }
            if (type == "embedded" && (endpointsAt ?? serveAt) is { } at)
                throw ConfigErrors.At(at, "endpoints and serve are for the openai backend", "expected type: openai, or remove them for the embedded backend");
            if (type == "openai" && endpoints.IsEmpty && serve is null)
                throw ConfigErrors.At(yaml.Pos(map), "the openai backend has neither endpoints nor serve", "expected endpoints: [URL, ...] or serve: \"COMMAND {model} {port}\"");
            return new SweepBackend(type, endpoints, serve);
        }

        private double Number(YamlNode node, string what, double min, double max, string expected, bool exclusiveMin = false)
        {
            if (node is not YamlScalarNode scalar || YamlValues.Classify(scalar) != ScalarKind.Number)
                throw ConfigErrors.At(yaml.Pos(node), $"{what} is {YamlValues.Describe(node)}", expected);
            double value = yaml.FiniteNumber(scalar, what);
            if (value < min || value > max || (exclusiveMin && value == min))
                throw ConfigErrors.At(yaml.Pos(node), $"{what} is {scalar.Value}, outside {(exclusiveMin ? "(" : "[")}{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]", expected);
            return value;
        }

        private string Choice(YamlNode value, string what, string[] choices)
        {
            string text = yaml.Text(value, what, "expected one of: " + string.Join(", ", choices));
            if (!choices.Contains(text))
                throw ConfigErrors.At(yaml.Pos(value), $"{what} {ConfigErrors.Quote(text)} is not known", ConfigErrors.ExpectedOneOf(text, choices));
            return text;
        }

        private string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path));
    }

    private static string SafeStem(string text)
    {
        string safe = UnsafeChars().Replace(text, "_");
        return safe.Length == 0 ? "_" : safe;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._+-]{1,100}$")]
    private static partial Regex SafeName();

    [GeneratedRegex(@"[^A-Za-z0-9._+-]")]
    private static partial Regex UnsafeChars();

    [GeneratedRegex(@"^([0-9]{1,6})(?:-([0-9]{1,6}))?$")]
    private static partial Regex LayerPart();
}
