// sweep.json: what a sweep run directory holds (variants, benchmarks, settings, model provenance, Alloy version), so the
// analysis and report can be rebuilt from files alone. It reads and writes the file; it evaluates and merges nothing.
using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alloy.Tensors;
using Alloy.Tensors.IO;

namespace Alloy.Analysis.Sweep;

/// <summary>One file of a model folder: name, size, and a SHA-256 (of the whole file up to 64 MiB, else of its first MiB).</summary>
/// <param name="Name">File name inside the folder.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Sha256">Lower-case hex digest.</param>
/// <param name="HashCoversWholeFile">False when only the first MiB was hashed (large weight shards).</param>
public sealed record ModelFile(string Name, long Size, string Sha256, bool HashCoversWholeFile);

/// <summary>A model folder as the run recorded it.</summary>
/// <param name="Role">thinking, instruct or base.</param>
/// <param name="Path">The folder (absolute).</param>
/// <param name="Files">Its files, by name (empty when the folder was not readable).</param>
public sealed record ModelProvenance(string Role, string Path, ImmutableArray<ModelFile> Files)
{
    /// <summary>The largest file hashed whole (64 MiB); larger ones are hashed over their first MiB.</summary>
    public const long WholeHashLimit = 64L << 20;

    /// <summary>Total bytes of the files.</summary>
    public long TotalBytes => Files.Sum(f => f.Size);

    /// <summary>Records the files directly inside <paramref name="folder"/> (sorted by name); a missing folder gives no files.</summary>
    public static ModelProvenance Of(string role, string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) return new ModelProvenance(role, folder, []);
        var files = ImmutableArray.CreateBuilder<ModelFile>();
        foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            bool whole = info.Length <= WholeHashLimit;
            using FileStream stream = File.OpenRead(file);
            byte[] digest;
            if (whole)
            {
                digest = SHA256.HashData(stream);
            }
            else
            {
                byte[] head = new byte[1 << 20];
                stream.ReadExactly(head);
                digest = SHA256.HashData(head);
            }
            files.Add(new ModelFile(info.Name, info.Length, Convert.ToHexStringLower(digest), whole));
        }
        return new ModelProvenance(role, folder, files.ToImmutable());
    }
}

/// <summary>One benchmark of the run: its name and its folder under each variant.</summary>
/// <param name="Name">The benchmark name (or JSONL path) as evaluated.</param>
/// <param name="Directory">Its folder name under RUNDIR/variants/VARIANT/.</param>
/// <param name="Samples">Samples per problem, or null for the evaluator's default.</param>
/// <param name="Grader">The grader, or null for the benchmark's own.</param>
public sealed record ManifestBenchmark(string Name, string Directory, int? Samples, string? Grader);

/// <summary>One variant of the run.</summary>
/// <param name="Name">Variant name (its folder under RUNDIR/variants).</param>
/// <param name="Method">Merge method (<c>linear</c> for the parents, <c>config</c> for config points).</param>
/// <param name="Lambda">λ, or null.</param>
/// <param name="Params">Parameters other than λ.</param>
/// <param name="Parent">Which parent, if any.</param>
public sealed record ManifestVariant(string Name, string Method, double? Lambda, ImmutableSortedDictionary<string, string> Params, ParentRole Parent);

/// <summary>The content of sweep.json.</summary>
/// <param name="AlloyVersion">The Alloy version that ran the sweep.</param>
/// <param name="SpecFile">The spec file.</param>
/// <param name="CreatedUtc">When the run (or its last resume) started, ISO 8601 UTC.</param>
/// <param name="Models">Provenance of the parents (and base).</param>
/// <param name="Generation">Generation settings as (key, text) pairs.</param>
/// <param name="Backend">Backend type.</param>
/// <param name="Benchmarks">Benchmarks, in spec order.</param>
/// <param name="Variants">Variants, in expansion order (parents first).</param>
public sealed record SweepManifest(
    string AlloyVersion,
    string SpecFile,
    string CreatedUtc,
    ImmutableArray<ModelProvenance> Models,
    ImmutableArray<KeyValuePair<string, string>> Generation,
    string Backend,
    ImmutableArray<ManifestBenchmark> Benchmarks,
    ImmutableArray<ManifestVariant> Variants)
{
    /// <summary>The file name inside a run directory.</summary>
    public const string FileName = "sweep.json";

    /// <summary>The informational version of the Alloy.Analysis assembly (e.g. 0.1.0+commit).</summary>
    public static string CurrentAlloyVersion =>
        typeof(SweepManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(SweepManifest).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The manifest of a spec about to run: provenance is read (and hashed) from the model folders now.</summary>
    public static SweepManifest For(SweepSpec spec, IEnumerable<SweepVariant> variants, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(variants);
        var models = new List<ModelProvenance> { ModelProvenance.Of("thinking", spec.Models.Thinking), ModelProvenance.Of("instruct", spec.Models.Instruct) };
        if (spec.Models.Base is { } b) models.Add(ModelProvenance.Of("base", b));
        return new SweepManifest(
            CurrentAlloyVersion,
            spec.SourceFile,
            now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            [.. models],
            [.. spec.Generation.Describe()],
            spec.Backend.Type,
            [.. spec.Benchmarks.Select(x => new ManifestBenchmark(x.Name, x.DirectoryName, x.Samples, x.Grader))],
            [.. variants.Select(v => new ManifestVariant(v.Name, v.Method, v.Lambda, v.Params, v.Parent))]);
    }

    /// <summary>sweep.json text (indented UTF-8 JSON).</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["alloy_version"] = AlloyVersion,
            ["spec_file"] = SpecFile,
            ["created_utc"] = CreatedUtc,
            ["backend"] = Backend,
            ["models"] = new JsonArray([.. Models.Select(m => (JsonNode)new JsonObject
            {
                ["role"] = m.Role,
                ["path"] = m.Path,
                ["files"] = new JsonArray([.. m.Files.Select(f => (JsonNode)new JsonObject
                {
                    ["name"] = f.Name, ["size"] = f.Size, ["sha256"] = f.Sha256, ["sha256_whole_file"] = f.HashCoversWholeFile,
                })]),
            })]),
            ["generation"] = new JsonObject([.. Generation.Select(g => new KeyValuePair<string, JsonNode?>(g.Key, g.Value))]),
            ["benchmarks"] = new JsonArray([.. Benchmarks.Select(b => (JsonNode)new JsonObject
            {
                ["name"] = b.Name, ["directory"] = b.Directory, ["samples"] = b.Samples, ["grader"] = b.Grader,
            })]),
            ["variants"] = new JsonArray([.. Variants.Select(v => (JsonNode)new JsonObject
            {
                ["name"] = v.Name,
                ["method"] = v.Method,
                ["lambda"] = v.Lambda,
                ["params"] = new JsonObject([.. v.Params.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value))]),
                ["parent"] = v.Parent switch { ParentRole.Instruct => "instruct", ParentRole.Thinking => "thinking", _ => null },
            })]),
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    /// <summary>Writes sweep.json into <paramref name="runDirectory"/> through a temporary file and a rename.</summary>
    public void Write(string runDirectory)
    {
        AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName), ToJson());
    }

    /// <summary>Reads RUNDIR/sweep.json.</summary>
    /// <exception cref="AlloyInputException">Missing, too large, not JSON, or a field is missing or of the wrong type (named).</exception>
    public static SweepManifest Read(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        string path = Path.Combine(runDirectory, FileName);
        if (!Directory.Exists(runDirectory))
            throw new AlloyInputException($"{runDirectory}: not a folder; expected a sweep run directory (with sweep.json and variants/)");
        if (!File.Exists(path))
            throw new AlloyInputException($"{path}: does not exist; expected the sweep.json that `alloy sweep` writes into its run directory");
        if (new FileInfo(path).Length > 16 << 20)
            throw new AlloyInputException($"{path}: larger than 16 MiB; expected a sweep.json of a few KB");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) as JsonObject
                ?? throw new AlloyInputException($"{path}: expected a JSON object");
            return new SweepManifest(
                Str(root, "alloy_version", path),
                Str(root, "spec_file", path),
                Str(root, "created_utc", path),
                [.. Arr(root, "models", path).Select(m => new ModelProvenance(Str(m, "role", path), Str(m, "path", path),
                    [.. Arr(m, "files", path).Select(f => new ModelFile(Str(f, "name", path), (long)Num(f, "size", path)!, Str(f, "sha256", path), f["sha256_whole_file"]?.GetValue<bool>() ?? true))]))],
                [.. (root["generation"] as JsonObject ?? []).Select(g => new KeyValuePair<string, string>(g.Key, g.Value?.ToString() ?? ""))],
                Str(root, "backend", path),
                [.. Arr(root, "benchmarks", path).Select(b => new ManifestBenchmark(Str(b, "name", path), Str(b, "directory", path), (int?)Num(b, "samples", path), Opt(b, "grader")))],
                [.. Arr(root, "variants", path).Select(v => new ManifestVariant(
                    Str(v, "name", path), Str(v, "method", path), Num(v, "lambda", path),
                    (v["params"] as JsonObject ?? []).ToImmutableSortedDictionary(p => p.Key, p => p.Value?.ToString() ?? "", StringComparer.Ordinal),
                    Opt(v, "parent") switch { "instruct" => ParentRole.Instruct, "thinking" => ParentRole.Thinking, null => ParentRole.None, var other => throw new AlloyInputException($"{path}: variant parent '{other}' is not instruct, thinking or null") }))]);
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{path}: not valid JSON ({e.Message.Split('\n')[0]}); expected the sweep.json that `alloy sweep` writes", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new AlloyInputException($"{path}: a field has the wrong type ({e.Message}); expected the sweep.json that `alloy sweep` writes", e);
        }
    }

    private static string Str(JsonNode node, string field, string path) =>
        node[field] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new AlloyInputException($"{path}: field '{field}' is missing or not text");

    private static string? Opt(JsonNode node, string field) => node[field] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static double? Num(JsonNode node, string field, string path) => node[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) => d,
        _ => throw new AlloyInputException($"{path}: field '{field}' is not a number"),
    };

    private static IEnumerable<JsonObject> Arr(JsonNode node, string field, string path) =>
        node[field] is JsonArray a
            ? a.Select(x => x as JsonObject ?? throw new AlloyInputException($"{path}: an entry of '{field}' is not an object"))
            : throw new AlloyInputException($"{path}: field '{field}' is missing or not a list");
}
