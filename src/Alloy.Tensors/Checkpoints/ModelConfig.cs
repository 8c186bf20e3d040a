// Typed view of a Hugging Face config.json, keeping the raw JSON so nothing unknown is lost.
// It validates the types of the fields it knows; it does not decide whether a model is supported.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Alloy.Tensors.Checkpoints;

/// <summary>
/// The fields of config.json that Alloy reads, each null when absent. <see cref="Raw"/> keeps the
/// whole document so that a merged model's config is the source config with only the changed
/// fields rewritten.
/// </summary>
public sealed class ModelConfig
{
    private ModelConfig(string path, JsonObject raw)
    {
        Path = path;
        Raw = raw;
        Architectures = ReadStringList("architectures");
        ModelType = ReadString("model_type");
        HiddenSize = ReadInt("hidden_size");
        IntermediateSize = ReadInt("intermediate_size");
        NumHiddenLayers = ReadInt("num_hidden_layers");
        NumAttentionHeads = ReadInt("num_attention_heads");
        NumKeyValueHeads = ReadInt("num_key_value_heads");
        HeadDim = ReadInt("head_dim");
        VocabSize = ReadInt("vocab_size");
        MaxPositionEmbeddings = ReadInt("max_position_embeddings");
        RmsNormEps = ReadDouble("rms_norm_eps");
        RopeTheta = ReadDouble("rope_theta");
        TieWordEmbeddings = ReadBool("tie_word_embeddings");
        TorchDtype = ReadString("torch_dtype") ?? ReadString("dtype");
        SlidingWindow = ReadInt("sliding_window");
        NumExperts = ReadInt("num_experts") ?? ReadInt("num_local_experts");
        NumExpertsPerToken = ReadInt("num_experts_per_tok");
        EosTokenIds = ReadIntOrIntList("eos_token_id");
        BosTokenId = ReadInt("bos_token_id");
    }

    /// <summary>The file this config was read from.</summary>
    public string Path { get; }

    /// <summary>The whole document as parsed.</summary>
    public JsonObject Raw { get; }

    /// <summary><c>architectures</c>, e.g. ["Qwen3ForCausalLM"]; empty when absent.</summary>
    public ImmutableArray<string> Architectures { get; }

    /// <summary><c>model_type</c>, e.g. "qwen3".</summary>
    public string? ModelType { get; }

    /// <summary><c>hidden_size</c>.</summary>
    public int? HiddenSize { get; }

    /// <summary><c>intermediate_size</c>.</summary>
    public int? IntermediateSize { get; }

    /// <summary><c>num_hidden_layers</c>.</summary>
    public int? NumHiddenLayers { get; }

    /// <summary><c>num_attention_heads</c>.</summary>
    public int? NumAttentionHeads { get; }

    /// <summary><c>num_key_value_heads</c>.</summary>
    public int? NumKeyValueHeads { get; }

    /// <summary><c>head_dim</c> (when absent, architectures use hidden_size / num_attention_heads).</summary>
    public int? HeadDim { get; }

    /// <summary><c>vocab_size</c>.</summary>
    public int? VocabSize { get; }

    /// <summary><c>max_position_embeddings</c>.</summary>
    public int? MaxPositionEmbeddings { get; }

    /// <summary><c>rms_norm_eps</c>.</summary>
    public double? RmsNormEps { get; }

    /// <summary><c>rope_theta</c>.</summary>
    public double? RopeTheta { get; }

    /// <summary><c>tie_word_embeddings</c>.</summary>
    public bool? TieWordEmbeddings { get; }

    /// <summary><c>torch_dtype</c> (or <c>dtype</c> in newer transformers), e.g. "bfloat16".</summary>
    public string? TorchDtype { get; }

    /// <summary><c>sliding_window</c>.</summary>
    public int? SlidingWindow { get; }

    /// <summary><c>num_experts</c> / <c>num_local_experts</c> for mixture-of-experts models.</summary>
    public int? NumExperts { get; }

    /// <summary><c>num_experts_per_tok</c>.</summary>
    public int? NumExpertsPerToken { get; }

    /// <summary><c>eos_token_id</c> as a list (a single id becomes a one-element list); empty when absent.</summary>
    public ImmutableArray<int> EosTokenIds { get; }

    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; }

    /// <summary>The first architecture name, or the model type, or "unknown".</summary>
    public string ArchitectureName => Architectures.Length > 0 ? Architectures[0] : ModelType ?? "unknown";

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    /// <exception cref="AlloyInputException">Missing, not JSON, not an object, or a known field has the wrong type.</exception>
    public static ModelConfig Load(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new AlloyInputException($"{path}: file not found");
            if (info.Length > 64 << 20)
                throw new AlloyInputException($"{path}: {info.Length} bytes is too large for a config.json (limit 64 MB)");
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new AlloyInputException($"{path}: cannot read: {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses config text; <paramref name="path"/> is used in messages.</summary>
    public static ModelConfig Parse(string json, string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new AlloyInputException($"{path}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message.Split('\n')[0]}", e);
        }
        if (node is not JsonObject obj)
            throw new AlloyInputException($"{path}: must be a JSON object");
        return new ModelConfig(path, obj);
    }

    private AlloyInputException WrongType(string field, string expected) =>
        new($"{Path}: field '{field}' must be {expected}, found {Raw[field]?.ToJsonString() ?? "null"}");

    private string? ReadString(string field)
    {
        var node = Raw[field];
        if (node is null)
            return null;
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw WrongType(field, "a string");
    }

    private int? ReadInt(string field)
    {
        var node = Raw[field];
        if (node is null)
            return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            if (v.TryGetValue<int>(out var i))
                return i;
            if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
                return (int)d;
        }
        throw WrongType(field, "an integer");
    }

    private double? ReadDouble(string field)
    {
        var node = Raw[field];
        if (node is null)
            return null;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) ? d : throw WrongType(field, "a number");
    }

    private bool? ReadBool(string field)
    {
        var node = Raw[field];
        if (node is null)
            return null;
        return node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw WrongType(field, "true or false");
    }

    private ImmutableArray<string> ReadStringList(string field)
    {
        var node = Raw[field];
        if (node is null)
            return [];
        if (node is not JsonArray array)
            throw WrongType(field, "a list of strings");
        var builder = ImmutableArray.CreateBuilder<string>(array.Count);
        foreach (var item in array)
            builder.Add(item is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw WrongType(field, "a list of strings"));
        return builder.MoveToImmutable();
    }

    private ImmutableArray<int> ReadIntOrIntList(string field)
    {
        var node = Raw[field];
        if (node is null)
            return [];
        if (node is JsonValue)
            return [ReadInt(field)!.Value];
        if (node is not JsonArray array)
            throw WrongType(field, "an integer or a list of integers");
        var builder = ImmutableArray.CreateBuilder<int>(array.Count);
        foreach (var item in array)
            builder.Add(item is JsonValue v && v.TryGetValue<int>(out var i) ? i : throw WrongType(field, "an integer or a list of integers"));
        return builder.MoveToImmutable();
    }
}
