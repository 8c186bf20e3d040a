// Reads model.safetensors.index.json: the map from tensor name to shard file. Shard names are
// validated as plain file names so a hostile index cannot point outside the model folder.
using System.Collections.Immutable;
using System.Text.Json;
using Alloy.Tensors.SafeTensors;

namespace Alloy.Tensors.Checkpoints;

/// <summary>A parsed <c>model.safetensors.index.json</c>.</summary>
/// <param name="WeightMap">Tensor name → shard file name (a plain name inside the model folder).</param>
/// <param name="TotalSize"><c>metadata.total_size</c> when present.</param>
public sealed record CheckpointIndex(ImmutableDictionary<string, string> WeightMap, long? TotalSize)
{
    /// <summary>Distinct shard names in the order they first appear after sorting them by name.</summary>
    public ImmutableArray<string> ShardNames => [.. WeightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Parses the index at <paramref name="path"/>.</summary>
    /// <exception cref="SafetensorsFormatException">Not JSON, wrong structure, or a shard name that is not a plain file name.</exception>
    public static CheckpointIndex Load(string path)
    {
        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > 256 << 20)
                throw new SafetensorsFormatException(path, $"{length} bytes is too large for an index (limit 256 MB)");
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new SafetensorsFormatException(path, $"cannot read: {e.Message}", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses index bytes; <paramref name="path"/> is used in messages.</summary>
    public static CheckpointIndex Parse(byte[] json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, $"not valid JSON: {e.Message.Split('\n')[0]}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, "an index must be a JSON object with a 'weight_map'");
            if (!root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, "missing object 'weight_map' (tensor name → shard file)");
            var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new SafetensorsFormatException(path, $"weight_map['{entry.Name}'] must be a shard file name, found {entry.Value.ValueKind}");
                var shard = entry.Value.GetString()!;
                CheckShardName(shard, entry.Name, path);
                if (!builder.TryAdd(entry.Name, shard))
                    throw new SafetensorsFormatException(path, $"weight_map lists tensor '{entry.Name}' twice");
            }
            long? total = null;
            if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("total_size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var t))
                total = t;
            return new CheckpointIndex(builder.ToImmutable(), total);
        }
    }

    /// <summary>
    /// A shard name must be a plain file name: not empty, no path separators, not "." or "..",
    /// not rooted, no NUL. Anything else could read files outside the model folder.
    /// </summary>
    internal static void CheckShardName(string shard, string tensor, string path)
    {
        var plain = shard.Length > 0
            && shard.IndexOfAny(['/', '\\', '\0', ':']) < 0
            && shard != "." && shard != ".."
            && !System.IO.Path.IsPathRooted(shard);
        if (!plain)
            throw new SafetensorsFormatException(path, $"weight_map['{tensor}'] names the shard '{shard}', which is not a plain file name inside the model folder");
    }
}
