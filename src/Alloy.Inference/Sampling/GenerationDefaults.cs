// What a model folder's generation_config.json says about ending and sampling: eos_token_id (an int or a list) and
// the temperature / top_p / top_k / min_p defaults. It reads the file only; it does not sample.
using System.Text.Json;
using Alloy.Tensors;

namespace Alloy.Inference.Sampling;

/// <summary>
/// The fields of <c>generation_config.json</c> the engine uses. A missing file gives no end ids and no defaults.
/// A field that is absent or null stays null; <c>do_sample: false</c> makes <see cref="Temperature"/> 0 (greedy),
/// as transformers' generate does.
/// </summary>
/// <param name="EosTokenIds">eos_token_id: one id or a list (empty when absent).</param>
/// <param name="Temperature">temperature, or 0 when do_sample is false.</param>
/// <param name="TopP">top_p.</param>
/// <param name="TopK">top_k.</param>
/// <param name="MinP">min_p.</param>
public sealed record GenerationDefaults(IReadOnlyList<int> EosTokenIds, double? Temperature, double? TopP, int? TopK, double? MinP)
{
    /// <summary>No file: no end ids, no sampling defaults.</summary>
    public static GenerationDefaults None { get; } = new([], null, null, null, null);

    /// <summary>Reads <c>generation_config.json</c> from <paramref name="folder"/> (None when it does not exist).</summary>
    /// <exception cref="AlloyInputException">The file is not JSON, over 1 MB, or a field has the wrong type (names the field).</exception>
    public static GenerationDefaults Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var path = Path.Combine(folder, "generation_config.json");
        if (!File.Exists(path))
            return None;
        if (new FileInfo(path).Length > 1 << 20)
            throw new AlloyInputException($"{path}: over 1 MB; a generation config is a few hundred bytes");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{path}: not valid JSON: {e.Message.Split('\n')[0]}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new AlloyInputException($"{path}: expected a JSON object");
            var eos = new List<int>();
            if (root.TryGetProperty("eos_token_id", out var e))
            {
                if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var one) && one >= 0)
                    eos.Add(one);
                else if (e.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in e.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id) || id < 0)
                            throw new AlloyInputException($"{path}: eos_token_id holds {item.GetRawText()}; expected non-negative integer token ids");
                        eos.Add(id);
                    }
                }
                else if (e.ValueKind != JsonValueKind.Null)
                    throw new AlloyInputException($"{path}: eos_token_id is {e.GetRawText()}; expected a token id or a list of them");
            }
            var temperature = Number(root, "temperature", path);
            if (root.TryGetProperty("do_sample", out var sample) && sample.ValueKind == JsonValueKind.False)
                temperature = 0;
            var topK = Number(root, "top_k", path);
            if (topK is { } k && (k != Math.Floor(k) || k < 0 || k > int.MaxValue))
                throw new AlloyInputException($"{path}: top_k is {k}; expected a non-negative integer");
            return new GenerationDefaults(eos, temperature, Number(root, "top_p", path), topK is null ? null : (int)topK.Value, Number(root, "min_p", path));
        }
    }

    private static double? Number(JsonElement root, string field, string path)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !double.IsFinite(value.GetDouble()))
            throw new AlloyInputException($"{path}: {field} is {value.GetRawText()}; expected a number");
        return value.GetDouble();
    }
}
