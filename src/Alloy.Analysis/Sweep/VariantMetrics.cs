// The metrics of one variant on one benchmark as the sweep keeps them: read from and written to metrics.json
// (DESIGN.md's schema). It parses and formats only; the metrics themselves are computed by the evaluator.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alloy.Tensors;
using Alloy.Tensors.IO;

namespace Alloy.Analysis.Sweep;

/// <summary>
/// One model × one benchmark, the fields of DESIGN.md's <c>metrics.json</c> that the spectrum needs. Fractions are in
/// [0, 1]; tokens are per response, thinking included.
/// </summary>
/// <param name="Model">The <c>model</c> field (a variant name or model path).</param>
/// <param name="Benchmark">The <c>benchmark</c> field.</param>
/// <param name="Problems">Problems evaluated.</param>
/// <param name="Samples">Samples per problem (k).</param>
/// <param name="MeanAtK">Mean@k.</param>
/// <param name="MeanAtKCiLow">Lower end of <c>mean_at_k_ci90</c>, or null.</param>
/// <param name="MeanAtKCiHigh">Upper end of <c>mean_at_k_ci90</c>, or null.</param>
/// <param name="PassAtK">Pass@k (the <c>pass_at</c> entry for k), or null.</param>
/// <param name="MeanTokens">Mean response tokens.</param>
/// <param name="ThinkRatio">Think#R.</param>
/// <param name="TruncatedRatio">Fraction of responses cut at the token limit.</param>
/// <param name="Settings">The <c>settings</c> object as JSON text (<c>{}</c> when absent).</param>
public sealed record VariantMetrics(
    string Model,
    string Benchmark,
    int Problems,
    int Samples,
    double MeanAtK,
    double? MeanAtKCiLow,
    double? MeanAtKCiHigh,
    double? PassAtK,
    double MeanTokens,
    double ThinkRatio,
    double TruncatedRatio,
    string Settings = "{}")
{
    /// <summary>The largest metrics.json accepted (1 MiB; a real one is about 1 KB).</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>
    /// Reads a metrics.json. Required: <c>mean_at_k</c>, <c>mean_tokens</c>, <c>think_ratio</c>, <c>truncated_ratio</c>
    /// (numbers); optional: <c>model</c>, <c>benchmark</c>, <c>problems</c>, <c>samples</c>, <c>mean_at_k_ci90</c>
    /// ([lo, hi]), <c>pass_at</c> (the entry keyed by <c>samples</c>, else the largest key), <c>settings</c>.
    /// NaN cannot occur (JSON has none); range checks are the analysis' (<see cref="SpectrumPoint.Validate"/>).
    /// </summary>
    /// <exception cref="AlloyInputException">Missing, too large, not JSON, or a required field is missing or not a number.</exception>
    public static VariantMetrics ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new AlloyInputException($"{path}: metrics.json does not exist; expected the evaluator's output for this variant and benchmark");
        if (info.Length > MaxFileBytes) throw new AlloyInputException($"{path}: metrics.json is {info.Length} bytes; expected at most {MaxFileBytes}");
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (IOException e)
        {
            throw new AlloyInputException($"{path}: cannot be read ({e.Message})", e);
        }
    }

    /// <summary>Parses metrics.json text; <paramref name="where"/> names it in errors.</summary>
    /// <exception cref="AlloyInputException">Not JSON, or a required field is missing or not a number.</exception>
    public static VariantMetrics Parse(string json, string where)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{where}: not valid JSON ({e.Message.Split('\n')[0]}); expected a metrics.json object", e);
        }
        if (root is not JsonObject o) throw new AlloyInputException($"{where}: expected a JSON object (metrics.json)");
        double Required(string field) => Num(o, field, where) ?? throw new AlloyInputException($"{where}: field '{field}' is missing or null; expected a number");
        int samples = (int)(Num(o, "samples", where) ?? 0);
        double? low = null, high = null;
        if (o["mean_at_k_ci90"] is JsonArray ci)
        {
            if (ci.Count != 2 || ci[0] is not JsonValue l || ci[1] is not JsonValue h || !l.TryGetValue(out double lo) || !h.TryGetValue(out double hi))
                throw new AlloyInputException($"{where}: field 'mean_at_k_ci90' must be [low, high] numbers");
            (low, high) = (lo, hi);
        }
        double? pass = null;
        if (o["pass_at"] is JsonObject passAt)
        {
            string key = samples.ToString(CultureInfo.InvariantCulture);
            JsonNode? chosen = passAt[key] ?? passAt
                .Where(p => int.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                .OrderByDescending(p => int.Parse(p.Key, CultureInfo.InvariantCulture)).Select(p => p.Value).FirstOrDefault();
            if (chosen is JsonValue v && v.TryGetValue(out double p)) pass = p;
        }
        else if (Num(o, "pass_at_k", where) is double direct) pass = direct;
        return new VariantMetrics(
            Text(o, "model") ?? "",
            Text(o, "benchmark") ?? "",
            (int)(Num(o, "problems", where) ?? 0),
            samples,
            Required("mean_at_k"),
            low,
            high,
            pass,
            Required("mean_tokens"),
            Required("think_ratio"),
            Required("truncated_ratio"),
            o["settings"] is JsonObject s ? s.ToJsonString() : "{}");
    }

    /// <summary>This record as a metrics.json document (DESIGN.md's field names; indented, UTF-8).</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["model"] = Model,
            ["benchmark"] = Benchmark,
            ["problems"] = Problems,
            ["samples"] = Samples,
            ["mean_at_k"] = MeanAtK,
            ["mean_at_k_ci90"] = MeanAtKCiLow is double l && MeanAtKCiHigh is double h ? new JsonArray(l, h) : null,
            ["pass_at"] = PassAtK is double p ? new JsonObject { [Samples.ToString(CultureInfo.InvariantCulture)] = p } : null,
            ["mean_tokens"] = MeanTokens,
            ["think_ratio"] = ThinkRatio,
            ["truncated_ratio"] = TruncatedRatio,
            ["settings"] = JsonNode.Parse(Settings),
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> through a temporary file and a rename.</summary>
    public void WriteFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteAllText(path, ToJson());
    }

    private static double? Num(JsonObject o, string field, string where)
    {
        JsonNode? node = o[field];
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue(out double d)) return d;
        throw new AlloyInputException($"{where}: field '{field}' is {node.ToJsonString()}; expected a number");
    }

    private static string? Text(JsonObject o, string field) => o[field] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
